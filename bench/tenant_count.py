"""Does the page get slower with more workspaces? The same authenticated workspace page as
bench/tenancy_overhead.py, with the project's real middleware, on one real workspace:

  1 workspace       just the real one;
  1,000 workspaces  999 extra active Tenant + Domain rows (t0001 ... t0999, no schemas: they
                    are never requested), an owner (a new user) Membership each, the bench
                    user a member of some of them too.

The two states alternate over several rounds (the extra rows inserted, then deleted, then
inserted again..., each time followed by VACUUM ANALYZE, untimed), so that noise from
anything else running on the machine falls on both states alike.

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
    parser.add_argument("--cold", type=int, default=400, help="cache-cold requests per state (default 400)")
    parser.add_argument("--rounds", type=int, default=8, help="rounds per state, alternating (default 8)")
    parser.add_argument("--warmup", type=int, default=100, help="untimed requests at the start of each round")
    parser.add_argument("--extra", type=int, default=999, help="extra workspaces in the second state (999)")
    parser.add_argument("--keep-db", action="store_true", help="leave database bench_saas in place")
    args = parser.parse_args()
    rounds = max(1, args.rounds)

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

    User = get_user_model()
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

    def vacuum_analyze():
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            for model in (Tenant, Domain, Membership, User):
                # VACUUM too: steady-state tables, and no autovacuum kicking in mid-measurement.
                cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')

    def add_extra():
        now = timezone.now()
        users = User.objects.bulk_create(
            User(username=f"u{i:04d}@bench.test", email=f"u{i:04d}@bench.test", password="!")
            for i in range(1, args.extra + 1)
        )
        tenants = Tenant.objects.bulk_create(
            Tenant(schema_name=f"t{i:04d}", name=f"Workspace {i:04d}", status=Tenant.Status.ACTIVE, activated_at=now)
            for i in range(1, args.extra + 1)
        )
        Domain.objects.bulk_create(Domain(domain=workspace_host(t.schema_name), tenant=t, is_primary=True)
                                   for t in tenants)
        memberships = [Membership(tenant=t, user=u, role=Role.OWNER) for t, u in zip(tenants, users, strict=True)]
        memberships += [Membership(tenant=t, user=owner, role=Role.MEMBER) for t in tenants[::50]]
        Membership.objects.bulk_create(memberships)

    def remove_extra():
        Membership.objects.exclude(tenant=tenant).delete()
        Domain.objects.exclude(tenant=tenant).delete()
        Tenant.objects.exclude(pk=tenant.pk).delete()
        User.objects.exclude(pk=owner.pk).delete()

    def counts() -> tuple[int, int, int]:
        return Tenant.objects.count(), Domain.objects.count(), Membership.objects.count()

    def domain_plan() -> list[str]:
        connection.set_schema_to_public()
        # The query tenants.tenant_cache makes: .first() orders by pk.
        return Domain.objects.select_related("tenant").filter(domain=host).order_by("pk")[:1].explain().splitlines()

    states = {
        "1 workspace": dict(enter=remove_extra, warm=[], cold=[], bad=0, round_p50=[]),
        f"{args.extra + 1:,} workspaces": dict(enter=add_extra, warm=[], cold=[], bad=0, round_p50=[]),
    }
    names = list(states)
    warm_per_round = max(1, args.requests // rounds)
    cold_per_round = max(1, args.cold // rounds)
    for _round in range(rounds):
        for name in names:
            state = states[name]
            state["enter"]()
            gc.collect()
            vacuum_analyze()
            state["counts"] = counts()
            if name == names[1]:
                state["plan"] = domain_plan()
            tenant_host_cache_clear()
            for _ in range(args.warmup):
                caller.call(caller.environ())
            environs = [caller.environ() for _ in range(warm_per_round)]
            warm = []
            for environ in environs:
                wall, _cpu, ok = caller.call(environ)
                warm.append(wall)
                state["bad"] += not ok
            for _ in range(cold_per_round):
                environ = caller.environ()
                tenant_host_cache_clear()
                wall, _cpu, ok = caller.call(environ)
                state["cold"].append(wall)
                state["bad"] += not ok
            state["warm"] += warm
            state["round_p50"].append(bc.median(warm))
    remove_extra()

    rows = []
    for name in names:
        state = states[name]
        rows.append([
            name, *state["counts"],
            bc.ms(bc.median(state["warm"])), bc.ms(bc.percentile(state["warm"], 95)),
            bc.ms(bc.median(state["cold"])), bc.ms(bc.percentile(state["cold"], 95)), state["bad"],
        ])
    bc.print_table(
        ["state", "tenants", "domains", "memberships", "warm p50 ms", "warm p95 ms", "cold p50 ms", "cold p95 ms",
         "non-200"],
        rows,
        title=f"GET /bench/ on {host} with the real middleware: {len(states[names[0]]['warm'])} warm + "
              f"{len(states[names[0]]['cold'])} cache-cold requests per state, {rounds} alternating rounds",
    )
    one, many = states[names[0]], states[names[1]]
    p50_ratio = bc.median(many["warm"]) / bc.median(one["warm"])
    p95_ratio = bc.percentile(many["warm"], 95) / bc.percentile(one["warm"], 95)
    cold_p50_ratio = bc.median(many["cold"]) / bc.median(one["cold"])
    cold_p95_ratio = bc.percentile(many["cold"], 95) / bc.percentile(one["cold"], 95)
    round_ratios = [m / o for m, o in zip(many["round_p50"], one["round_p50"], strict=True)]
    print()
    print(f"ratio {names[1]} / 1 (warm): p50 {p50_ratio:.3f}, p95 {p95_ratio:.3f}   (target <= {TARGET_RATIO}); "
          f"per-round p50 ratio {min(round_ratios):.3f}-{max(round_ratios):.3f}")
    print(f"ratio {names[1]} / 1 (cache-cold): p50 {cold_p50_ratio:.3f}, p95 {cold_p95_ratio:.3f}")
    for name in names:
        extra = bc.ms(bc.median(states[name]["cold"]) - bc.median(states[name]["warm"]))
        print(f"uncached host lookup (cold p50 - warm p50), {name}: {extra:.2f} ms")
    print(f"domain lookup plan with {names[1]}: " + " | ".join(line.strip() for line in many["plan"][:5]))

    bc.finish(keep_db=args.keep_db)


if __name__ == "__main__":
    main()
