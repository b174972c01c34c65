"""Time to provision one workspace: from the warm pool, by django-tenants' clone, by full migration.

    .venv/bin/python -m saas_platform.devservices -- .venv/bin/python bench/provisioning.py [--n 15]

a) pool     tenant_provision() claiming a pooled schema (rename + Tenant/Domain/Membership
            rows, one transaction, commit included). The pool is filled beforehand, untimed.
b) clone    django_tenants.clone.CloneSchema().clone_schema(base, new) from one migrated
            schema (built untimed), in autocommit; timed alone, and with the same
            Tenant/Domain/Membership rows the pool path writes (a second transaction).
c) migrate  schema_build(): CREATE SCHEMA + every tenant migration (+ its Tenant row).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import time

import _common as bc

REFERENCE_ERP_SECONDS = 77.0
TARGET_POOL_P95_MS = 50.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=15, help="workspaces per method (default 15)")
    parser.add_argument("--keep-db", action="store_true", help="leave database bench_saas in place")
    args = parser.parse_args()
    n = max(1, args.n)

    bc.setup()
    from django.db import connection, transaction
    from django.utils import timezone
    from django_tenants.clone import CloneSchema

    from tenants.models import Domain, Membership, Tenant
    from tenants.provisioning import pool_size, schema_build, tenant_provision, workspace_host
    from tenants.roles import Role

    bc.print_environment()
    owner = bc.make_user("owner@bench.test")

    # a) from the pool -------------------------------------------------------------
    # django-tenants writes "=== Starting migration" to sys.stdout itself (not to the stdout
    # migrate_schemas is given), so builds run with sys.stdout captured.
    quiet = contextlib.redirect_stdout(io.StringIO())
    fill_start = time.perf_counter()
    for _ in range(n):
        with quiet:
            schema_build()
    fill_seconds = time.perf_counter() - fill_start
    assert pool_size() == n, pool_size()

    pool_times, not_from_pool = [], 0
    for i in range(n):
        start = time.perf_counter()
        _tenant, from_pool = tenant_provision(name=f"Pool {i}", slug=f"pool{i:03d}", owner=owner)
        pool_times.append(time.perf_counter() - start)
        not_from_pool += not from_pool

    # b) django-tenants clone ------------------------------------------------------
    with quiet:
        base = schema_build(status=Tenant.Status.CLOSED)  # migrated like a pool schema; never claimable
    cloner = CloneSchema()
    clone_times, clone_total_times = [], []
    for i in range(n):
        slug = f"clone{i:03d}"
        start = time.perf_counter()
        cloner.clone_schema(base.schema_name, slug, set_connection=True)
        cloned = time.perf_counter()
        with transaction.atomic():
            tenant = Tenant.objects.create(
                schema_name=slug, name=f"Clone {i}", status=Tenant.Status.ACTIVE, activated_at=timezone.now()
            )
            Domain.objects.create(domain=workspace_host(slug), tenant=tenant, is_primary=True)
            Membership.objects.create(tenant=tenant, user=owner, role=Role.OWNER)
        done = time.perf_counter()
        clone_times.append(cloned - start)
        clone_total_times.append(done - start)

    def table_count(schema: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s", [schema]
            )
            return cursor.fetchone()[0]

    base_tables, clone_tables = table_count(base.schema_name), table_count("clone000")

    # c) full migration ------------------------------------------------------------
    migrate_times = []
    for _ in range(n):
        with quiet:
            start = time.perf_counter()
            schema_build()
            elapsed = time.perf_counter() - start
        migrate_times.append(elapsed)
    connection.set_schema_to_public()

    # report -----------------------------------------------------------------------
    pool_med, pool_p95 = bc.median(pool_times), bc.percentile(pool_times, 95)

    def row(label, times):
        med, p95 = bc.median(times), bc.percentile(times, 95)
        return [
            label, len(times), bc.ms(med), bc.ms(p95), bc.ms(min(times)), bc.ms(max(times)),
            med / pool_med, p95 / pool_p95,
        ]

    bc.print_table(
        ["method", "n", "median ms", "p95 ms", "min ms", "max ms", "x pool (median)", "x pool (p95)"],
        [
            row("a) pool claim (tenant_provision)", pool_times),
            row("b) clone_schema only", clone_times),
            row("b) clone_schema + rows", clone_total_times),
            row("c) full migration (schema_build)", migrate_times),
        ],
        title=f"Provisioning one workspace (n={n} each; lower is better)",
    )
    print()
    print(f"ratio clone/pool (median): {bc.median(clone_total_times) / pool_med:.1f}x with rows, "
          f"{bc.median(clone_times) / pool_med:.1f}x clone only")
    print(f"ratio migrate/pool (median): {bc.median(migrate_times) / pool_med:.1f}x")
    print(f"target: pool p95 < {TARGET_POOL_P95_MS:.0f} ms -> measured {bc.ms(pool_p95):.1f} ms "
          f"({'met' if bc.ms(pool_p95) < TARGET_POOL_P95_MS else 'NOT met'})")
    print(f"reference: a leading open-source ERP needs ~{REFERENCE_ERP_SECONDS:.0f} s to create a new tenant "
          f"database ({REFERENCE_ERP_SECONDS / pool_med:,.0f}x the pool median here)")
    print(f"pool fill before (a), untimed in the table: {n} x schema_build() in {fill_seconds:.1f} s")
    print(f"clone check: base schema has {base_tables} tables, clone000 has {clone_tables}")
    if not_from_pool:
        print(f"WARNING: {not_from_pool} of {n} pool provisions did NOT come from the pool (from_pool=False)")
    else:
        print(f"all {n} pool provisions returned from_pool=True")

    bc.finish(keep_db=args.keep_db)


if __name__ == "__main__":
    main()
