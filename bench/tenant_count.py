"""Does the page get slower with more workspaces? The same authenticated workspace page as
bench/tenancy_overhead.py, with the project's real middleware, on one real workspace:

  1 workspace      just the real one;
  1,000 workspaces 999 extra active Tenant + Domain rows (t0001 ... t0999, no schemas: they
                   are never requested), an owner Membership each, the bench user a member of
                   some of them too, then VACUUM ANALYZE;
  1 workspace again  the extra rows deleted and VACUUM ANALYZE again (a control for drift over the run).

Warm: host -> tenant cache hit (the normal case). Cold: tenants.tenant_cache cleared before
each request, so the request pays the uncached Domain lookup.

    .venv/bin/python -m saas_platform.devservices -- .venv/bin/python bench/tenant_count.py
"""

from __future__ import annotations

import argparse
import gc

import _common as bc

TARGET_RATIO = 1.2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="warm requests per state (default 2000)")
    parser.add_argument("--cold", type=int, default=200, help="cache-cold requests per state (default 200)")
    parser.add_argument("--warmup", type=int, default=200, help="untimed requests before each state")
    parser.add_argument("--extra", type=int, default=999, help="extra workspaces for the second state (999)")
    parser.add_argument("--keep-db", action="store_true", help="leave database bench_saas in place")
    args = parser.parse_args()

    bc.setup(conn_max_age=600)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from modules.audit.models import AuditEntry
    from tenants.models import Domain, Membership, Tenant
    from tenants.provisioning import workspace_host
    from tenants.roles import Role
    from tenants.tenant_cache import tenant_host_cache_clear

    bc.print_environment()
    owner = bc.make_user("owner@bench.test")
    tenant = bc.make_workspace("benchws", owner)
    host = workspace_host(tenant.schema_name)
    with schema_context(tenant.schema_name):
        AuditEntry.objects.bulk_create(AuditEntry(actor_id=owner.pk, action=f"bench.{i}") for i in range(50))
    connection.set_schema_to_public()

    bc.install_bench_urlconf()
    cookie = bc.session_cookie_for(owner, host)
    caller = bc.PageCaller(bc.handler_with(list(settings.MIDDLEWARE)), host=host, cookie=cookie)
    if b"audit entries: 50" not in caller.body() or caller.status != "200 OK":
        raise SystemExit(f"page not served: {caller.status}")

    def analyze():
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            for model in (Tenant, Domain, Membership, get_user_model()):
                # VACUUM too: a steady-state table, and no autovacuum kicking in mid-measurement.
                cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')

    def domain_plan() -> str:
        connection.set_schema_to_public()
        query = Domain.objects.select_related("tenant").filter(domain=host)[:1]
        return query.explain().splitlines()

    def measure(label: str) -> dict:
        tenant_host_cache_clear()
        for _ in range(args.warmup):
            caller.call(caller.environ())
        gc.collect()
        environs = [caller.environ() for _ in range(args.requests)]
        warm, bad = [], 0
        for environ in environs:
            wall, _cpu, ok = caller.call(environ)
            warm.append(wall)
            bad += not ok
        gc.collect()
        cold = []
        for _ in range(args.cold):
            environ = caller.environ()
            tenant_host_cache_clear()
            wall, _cpu, ok = caller.call(environ)
            cold.append(wall)
            bad += not ok
        return dict(
            label=label, warm=warm, cold=cold, bad=bad,
            tenants=Tenant.objects.count(), domains=Domain.objects.count(), memberships=Membership.objects.count(),
            plan=domain_plan(),
        )

    analyze()
    one = measure("1 workspace")

    # 999 extra workspaces: rows only, no schemas.
    User = get_user_model()
    now = timezone.now()
    users = User.objects.bulk_create(
        User(username=f"u{i:04d}@bench.test", email=f"u{i:04d}@bench.test", password="!") for i in range(1, args.extra + 1)
    )
    tenants = Tenant.objects.bulk_create(
        Tenant(schema_name=f"t{i:04d}", name=f"Workspace {i:04d}", status=Tenant.Status.ACTIVE, activated_at=now)
        for i in range(1, args.extra + 1)
    )
    Domain.objects.bulk_create(
        Domain(domain=workspace_host(t.schema_name), tenant=t, is_primary=True) for t in tenants
    )
    memberships = [Membership(tenant=t, user=u, role=Role.OWNER) for t, u in zip(tenants, users)]
    memberships += [Membership(tenant=t, user=owner, role=Role.MEMBER) for t in tenants[::50]]  # bench user elsewhere
    Membership.objects.bulk_create(memberships)
    del users, tenants, memberships  # no extra live objects in this process while measuring
    analyze()
    many = measure(f"{args.extra + 1:,} workspaces")

    # Back to 1 workspace, to tell the effect of the rows from drift over the run.
    Membership.objects.exclude(tenant=tenant).delete()
    Domain.objects.exclude(tenant=tenant).delete()
    Tenant.objects.exclude(pk=tenant.pk).delete()
    User.objects.exclude(pk=owner.pk).delete()
    analyze()
    again = measure("1 workspace again")

    rows = []
    for state in (one, many, again):
        rows.append([
            state["label"], state["tenants"], state["domains"], state["memberships"],
            bc.ms(bc.median(state["warm"])), bc.ms(bc.percentile(state["warm"], 95)),
            bc.ms(bc.median(state["cold"])), bc.ms(bc.percentile(state["cold"], 95)), state["bad"],
        ])
    bc.print_table(
        ["state", "tenants", "domains", "memberships", "warm p50 ms", "warm p95 ms", "cold p50 ms", "cold p95 ms",
         "non-200"],
        rows,
        title=f"GET /bench/ on {host} with the real middleware ({args.requests} warm, {args.cold} cache-cold "
              f"requests per state)",
    )
    print()
    for base in (one, again):
        p50_ratio = bc.median(many["warm"]) / bc.median(base["warm"])
        p95_ratio = bc.percentile(many["warm"], 95) / bc.percentile(base["warm"], 95)
        cold_ratio = bc.median(many["cold"]) / bc.median(base["cold"])
        print(f"ratio 1,000 / {base['label']}: warm p50 {p50_ratio:.3f}, warm p95 {p95_ratio:.3f}, "
              f"cold p50 {cold_ratio:.3f}   (target <= {TARGET_RATIO})")
    for state in (one, many):
        cold_extra = bc.ms(bc.median(state["cold"]) - bc.median(state["warm"]))
        print(f"uncached host lookup, cold p50 - warm p50, {state['label']}: {cold_extra:.2f} ms")
    print("domain lookup plan with 1,000 workspaces: " + " | ".join(line.strip() for line in many["plan"][:3]))

    if args.keep_db:
        print(f"database {bc.BENCH_DB} kept")
    else:
        bc.drop_bench_database()
        print(f"database {bc.BENCH_DB} dropped")


if __name__ == "__main__":
    main()
