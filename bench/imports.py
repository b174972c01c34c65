"""Import throughput: a generated party CSV (50,000 rows by default) through the real import service.

The file is built in memory (Vietnamese names, valid tax codes on every other row, mobile numbers, emails,
provinces by name, street addresses, tags), uploaded with ``import_job_create`` (header read, mapping
suggested), then run with ``import_job_run``, the function the Celery task calls, here in-process
(no broker, no worker): every row checked, then all of them written in one transaction. Timed by
perf_counter; rows/s is rows over the run's wall time. Target: >= 2,000 rows/s.

    .venv/bin/python -m saas_platform.devservices -- .venv/bin/python bench/imports.py
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import tempfile
import time

import _common as bc

TARGET_ROWS_PER_SECOND = 2000
HEADER = ["Tên công ty", "Mã số thuế", "Điện thoại", "Email", "Tỉnh/TP", "Địa chỉ", "Nhãn", "Khách hàng (có/không)"]
PROVINCES = ["Hà Nội", "TP.HCM", "Đà Nẵng", "Hải Phòng", "Cần Thơ", "Khánh Hòa", "Lâm Đồng", "Bắc Ninh"]


def tax_codes(count: int) -> list[str]:
    """Distinct valid MSTs (a body whose mod-11 check digit would be 10 has none, so it is skipped)."""
    from stdnum.vn import mst

    codes, n = [], 1_000_000
    while len(codes) < count:
        code = f"01{n:07d}"
        code += str(mst.calc_check_digit(code))
        if mst.is_valid(code):
            codes.append(code)
        n += 1
    return codes


def party_csv(rows: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    codes = tax_codes(rows // 2 + 1)
    for n in range(rows):
        writer.writerow([
            f"Công ty TNHH Thương mại Dịch vụ Số {n}", codes[n // 2] if n % 2 == 0 else "", f"09{n:08d}",
            f"lienhe{n}@congty{n}.vn", PROVINCES[n % len(PROVINCES)], f"{n % 300 + 1} Lê Lợi, Phường Bến Nghé",
            "đại lý; miền nam" if n % 3 == 0 else "", "có"])
    return ("\ufeff" + buffer.getvalue()).encode()


def timed(function, name: str, phases: dict):
    """The service's two passes, timed separately (the run calls them by module name)."""

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            phases[name] = time.perf_counter() - started

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000, help="rows in the generated CSV (default 50000)")
    parser.add_argument("--keep-db", action="store_true", help="leave database bench_saas in place")
    args = parser.parse_args()

    bc.setup(conn_max_age=600)
    import contextlib

    from django.conf import settings
    from django.core.cache import caches
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from modules.crm.models import ImportJob
    from modules.crm.services import imports as services
    from modules.crm.services.imports import import_job_create, import_job_run
    from modules.parties.models import Address, Party
    from tenants.provisioning import schema_build, tenant_provision

    # Uploaded files go to a scratch folder; cache keys (entitlements, progress) under the bench's own prefix.
    media = tempfile.mkdtemp(prefix="bench-imports-")
    settings.MEDIA_ROOT = media
    for alias in ("default", "platform"):
        caches[alias].key_prefix = f"{caches[alias].key_prefix}:{bc.BENCH_DB}"

    bc.print_environment()
    owner = bc.make_user("owner@bench.test")
    with contextlib.redirect_stdout(io.StringIO()):
        schema_build()
    # Scale: no contact limit, so the file's size is the only bound.
    tenant, _from_pool = tenant_provision(name="Bench imports", slug="benchimports", owner=owner, plan_code="scale")
    connection.set_tenant(tenant)

    started = time.perf_counter()
    content = party_csv(args.rows)
    generated = time.perf_counter() - started
    print(f"generated {args.rows:,} rows, {len(content) / 1024 / 1024:.1f} MB CSV in {generated:.2f} s")

    started = time.perf_counter()
    job = import_job_create(target="parties", upload=SimpleUploadedFile("bench.csv", content), actor=owner)
    uploaded = time.perf_counter() - started
    # What import_job_start does, minus queueing the Celery task: the run happens right here.
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.QUEUED)

    phases = {}
    for name in ("_check", "_write"):
        setattr(services, name, timed(getattr(services, name), name, phases))
    started = time.perf_counter()
    job = import_job_run(job_id=job.pk, tenant=tenant)
    seconds = time.perf_counter() - started

    if job.state != ImportJob.State.DONE:
        raise SystemExit(f"import did not finish: {job.state} {job.errors[:5]}")
    parties, addresses = Party.objects.count(), Address.objects.count()
    if parties != args.rows or addresses != args.rows:
        raise SystemExit(f"expected {args.rows} parties and addresses, found {parties} and {addresses}")

    bc.print_table(
        ["step", "seconds", "rows/s"],
        [["upload (store file, read header, suggest mapping)", uploaded, "-"],
         ["  check: read the file, parse and validate every row", phases["_check"], args.rows / phases["_check"]],
         ["  write: lock, limit, COPY parties and addresses", phases["_write"],
          args.rows / phases["_write"]],
         ["run (check every row, write all in one transaction)", seconds, args.rows / seconds]],
        title=f"party import, {args.rows:,} rows, mapping {job.mapping}",
    )
    print()
    print(f"throughput: {args.rows / seconds:,.0f} rows/s, {seconds:.2f} s total "
          f"(target >= {TARGET_ROWS_PER_SECOND:,} rows/s)")

    connection.set_schema_to_public()
    bc.cache_keys_drop()
    shutil.rmtree(media, ignore_errors=True)
    bc.finish(keep_db=args.keep_db)


if __name__ == "__main__":
    main()
