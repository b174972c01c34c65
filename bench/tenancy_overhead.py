"""What the tenancy layer costs per request: the same authenticated workspace page, served

  with     the project's MIDDLEWARE (tenants.middleware.TenantMiddleware + AccessGuardMiddleware);
  without  the same stack minus those two, the connection fixed to the workspace schema and
           request.tenant / request.membership set to fixed objects (no lookup, no query);
  breakdown  the project's TenantMiddleware without AccessGuardMiddleware (membership fixed),
           to split the overhead between host routing and the guard;
  stock    django-tenants' TenantMainMiddleware instead of the project's two, stock backend
           behaviour (TENANT_LIMIT_SET_CALLS = False: SET search_path on every cursor);

in one process, in alternating rounds, by calling django's WSGIHandler in-process (no
socket). The page (bench/_common.py) checks request.user and does one ORM count in the
tenant schema. Wall time by perf_counter, CPU by process_time (this process only: the
PostgreSQL and Redis servers' CPU is not included).

    .venv/bin/python -m saas_platform.devservices -- .venv/bin/python bench/tenancy_overhead.py
"""

from __future__ import annotations

import argparse
import gc

import _common as bc

TARGET_RATIO = 0.85
REFERENCE_STOCK = "0.55-0.65"
PROJECT_TENANCY = ("tenants.middleware.TenantMiddleware", "tenants.middleware.AccessGuardMiddleware")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="timed requests per variant (default 2000)")
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds (default 10)")
    parser.add_argument("--warmup", type=int, default=200, help="untimed requests per variant first")
    parser.add_argument("--no-breakdown", action="store_true",
                        help="skip the project's TenantMiddleware-without-guard variant")
    parser.add_argument("--no-stock", action="store_true", help="skip the stock django-tenants variant")
    parser.add_argument("--keep-db", action="store_true", help="leave database bench_saas in place")
    args = parser.parse_args()

    # Persistent connection for the whole run (the default, 60 s, would reconnect once mid-run).
    bc.setup(conn_max_age=600)
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings
    from django_tenants.utils import schema_context

    from modules.audit.models import AuditEntry
    from tenants.models import Membership

    bc.print_environment()
    owner = bc.make_user("owner@bench.test")
    tenant = bc.make_workspace("benchws", owner)
    host = f"{tenant.schema_name}.{settings.BASE_DOMAIN}"
    with schema_context(tenant.schema_name):
        AuditEntry.objects.bulk_create(AuditEntry(actor_id=owner.pk, action=f"bench.{i}") for i in range(50))
    connection.set_schema_to_public()

    bc.install_bench_urlconf()
    cookie = bc.session_cookie_for(owner, host)
    bc.FixedTenant.tenant = tenant
    bc.FixedTenant.membership = Membership.objects.get(tenant=tenant, user=owner)

    real = list(settings.MIDDLEWARE)
    assert all(name in real for name in PROJECT_TENANCY), real
    stack = [name for name in real if name not in PROJECT_TENANCY]

    def fix_schema():
        connection.set_tenant(tenant)  # once per round, untimed

    variants = {
        "with (project tenancy + guard)": dict(middleware=real, settings={}, before=None),
        "without (schema fixed)": dict(
            middleware=["_common.FixedTenantMiddleware", *stack], settings={}, before=fix_schema
        ),
    }
    if not args.no_breakdown:
        variants["breakdown: TenantMiddleware, no guard"] = dict(
            middleware=[PROJECT_TENANCY[0], "_common.FixedMembershipMiddleware", *stack], settings={}, before=None
        )
    if not args.no_stock:
        variants["stock django-tenants"] = dict(
            middleware=["django_tenants.middleware.main.TenantMainMiddleware", "_common.FixedMembershipMiddleware",
                        *stack],
            settings={"TENANT_LIMIT_SET_CALLS": False},
            before=None,
        )
    callers = {name: bc.PageCaller(bc.handler_with(v["middleware"]), host=host, cookie=cookie)
               for name, v in variants.items()}

    def run(name: str, count: int):
        variant, caller = variants[name], callers[name]
        with override_settings(**variant["settings"]):
            if variant["before"]:
                variant["before"]()
            environs = [caller.environ() for _ in range(count)]
            walls, cpus, bad = [], [], 0
            for environ in environs:
                wall, cpu, ok = caller.call(environ)
                walls.append(wall)
                cpus.append(cpu)
                bad += not ok
        return walls, cpus, bad

    # sanity: each variant serves the page, and how many queries it issues
    queries, bodies = {}, {}
    for name, variant in variants.items():
        run(name, 3)
        with override_settings(**variant["settings"]):
            if variant["before"]:
                variant["before"]()
            with CaptureQueriesContext(connection) as captured:
                bodies[name] = callers[name].body()
        queries[name] = [q["sql"] for q in captured.captured_queries]
        if callers[name].status != "200 OK" or b"audit entries: 50" not in bodies[name]:
            raise SystemExit(f"{name}: unexpected response {callers[name].status} {bodies[name][:200]!r}")

    for name in variants:
        run(name, args.warmup)

    pid_before = connection.connection.info.backend_pid
    names = list(variants)
    per_round = max(1, args.requests // args.rounds)
    results = {name: dict(walls=[], cpus=[], bad=0, round_rps=[]) for name in names}
    for r in range(args.rounds):
        order = names[r % len(names):] + names[: r % len(names)]  # rotate who goes first
        for name in order:
            gc.collect()
            walls, cpus, bad = run(name, per_round)
            res = results[name]
            res["walls"] += walls
            res["cpus"] += cpus
            res["bad"] += bad
            res["round_rps"].append(len(walls) / sum(walls))

    pid_after = connection.connection.info.backend_pid if connection.connection else None
    base = results["without (schema fixed)"]
    base_rps = len(base["walls"]) / sum(base["walls"])
    rows = []
    for name in names:
        res = results[name]
        n = len(res["walls"])
        rps = n / sum(res["walls"])
        rows.append([
            name, n, rps, bc.ms(sum(res["cpus"]) / n), bc.ms(bc.median(res["walls"])),
            bc.ms(bc.percentile(res["walls"], 95)), len(queries[name]), rps / base_rps, res["bad"],
        ])
    bc.print_table(
        ["variant", "requests", "req/s", "CPU ms/req", "p50 ms", "p95 ms", "queries/req", "x without", "non-200"],
        rows,
        title=f"GET /bench/ on {host}, {args.rounds} alternating rounds of {per_round} per variant, "
              f"in-process WSGIHandler",
    )

    with_res = results["with (project tenancy + guard)"]
    round_ratios = [w / wo for w, wo in zip(with_res["round_rps"], base["round_rps"], strict=True)]
    ratio = (len(with_res["walls"]) / sum(with_res["walls"])) / base_rps
    cpu_ratio = (sum(base["cpus"]) / len(base["cpus"])) / (sum(with_res["cpus"]) / len(with_res["cpus"]))
    print()
    print(f"ratio with/without (req/s): {ratio:.3f}  (per round: median {bc.median(round_ratios):.3f}, "
          f"range {min(round_ratios):.3f}-{max(round_ratios):.3f}); "
          f"by CPU per request: {cpu_ratio:.3f}")
    if "stock django-tenants" in results:
        stock = results["stock django-tenants"]
        stock_ratio = (len(stock["walls"]) / sum(stock["walls"])) / base_rps
        print(f"ratio stock django-tenants/without (req/s): {stock_ratio:.3f}")
    for name in names:
        if name.startswith("breakdown"):
            part = results[name]
            part_ratio = (len(part["walls"]) / sum(part["walls"])) / base_rps
            print(f"ratio {name}/without (req/s): {part_ratio:.3f}")
    print(f"persistent connection: PostgreSQL backend pid {pid_before} before the timed rounds, {pid_after} after "
          f"({'same connection throughout' if pid_before == pid_after else 'RECONNECTED'})")
    print(f"target: with/without >= {TARGET_RATIO}; reference: stock django-tenants reaches {REFERENCE_STOCK}")
    print("queries per request (Django-visible, one request each; every variant also pays one hidden "
          "health-check SELECT 1 per request, CONN_HEALTH_CHECKS=True):")
    for name in names:
        print(f"  {name}:")
        for sql in queries[name]:
            print(f"    {sql[:150]}")

    bc.finish(keep_db=args.keep_db)


if __name__ == "__main__":
    main()
