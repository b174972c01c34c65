"""What the plan check costs: ``billing.entitlements`` on one real workspace (Starter plan).

  1. entitlements_for(tenant)  cached (in the process; Redis behind it) vs uncached
     (entitlements_forget(tenant.pk) before each call, untimed: a Redis miss, one query for
     the subscription and its plan, a Redis SET); and, for scale, the bare platform
     cache.get of the same key (the Redis round trip and unpickling, without the rest);
  2. a gated page vs the same page ungated: two views on a bench urlconf (the project's tenant
     URLs plus two paths), each checking request.user and doing one ORM count in the tenant
     schema; one is wrapped in feature_required("crm.contacts") (a Starter feature, so it
     passes). The project's real MIDDLEWARE, in-process WSGIHandler, alternating rounds;
  3. the dashboard "/" on the real tenant urlconf: it renders the navigation, which asks
     entitlements whether to lock entries (Starter lacks platform.audit_export).

First a sanity check: subscription_change_plan(growth) then back to starter must drop the
cached entitlements at once (the next call sees the new plan).

The bench's platform-cache keys get their own prefix, so that nothing here reads or writes
the entitlements the dev server (database ``saas``) keeps in the same Redis under the same
tenant ids; they (entitlements and the bench's sessions) are deleted at the end.

    .venv/bin/python -m saas_platform.devservices -- .venv/bin/python bench/entitlements.py
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import types

import _common as bc

TARGET_GATED_RATIO = 0.9
GATED_FEATURE = "crm.contacts"
URLCONF = "bench_urls_entitlements"


def drop_bench_cache_keys(cache) -> int:
    """Delete every key under the bench's own prefix (entitlements, sessions) from Redis."""
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
    return len(keys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=5000, help="cached entitlements_for calls (default 5000)")
    parser.add_argument("--uncached", type=int, default=1500, help="uncached calls (default 1500)")
    parser.add_argument("--requests", type=int, default=4000, help="timed requests per page variant (default 4000)")
    parser.add_argument("--dashboard", type=int, default=400, help="timed dashboard requests (default 400)")
    parser.add_argument("--rounds", type=int, default=20, help="alternating rounds (default 20)")
    parser.add_argument("--warmup", type=int, default=200, help="untimed requests per variant first")
    parser.add_argument("--keep-db", action="store_true", help="leave database bench_saas in place")
    args = parser.parse_args()
    rounds = max(1, args.rounds)

    bc.setup(conn_max_age=600)
    from django.conf import settings
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import clear_url_caches, path
    from django_tenants.utils import schema_context

    from billing.entitlements import (
        CACHE_SECONDS,
        _cache_key,
        entitlements_for,
        entitlements_forget,
        feature_required,
    )
    from billing.services import subscription_change_plan
    from modules.audit.models import AuditEntry
    from saas_platform import urls_tenant
    from tenants.provisioning import workspace_host

    # Keys of their own: the dev server's workspaces have the same ids in the same Redis (and the
    # platform cache also holds the sessions, SESSION_CACHE_ALIAS); all of them are deleted at the end.
    platform_cache = caches["platform"]
    platform_cache.key_prefix = f"{platform_cache.key_prefix}:{bc.BENCH_DB}"
    assert bc.BENCH_DB in platform_cache.make_key("x")

    try:
        bc.print_environment()
        owner = bc.make_user("owner@bench.test")
        tenant = bc.make_workspace("benchws", owner)
        host = workspace_host(tenant.schema_name)
        with schema_context(tenant.schema_name):
            AuditEntry.objects.bulk_create(AuditEntry(actor_id=owner.pk, action=f"bench.{i}") for i in range(50))
        connection.set_schema_to_public()

        # ------------------------------------------------------------ sanity: plan change drops the cache
        entitlements_forget(tenant.pk)
        start = entitlements_for(tenant)
        assert start.plan_code == "starter" and start.allows(GATED_FEATURE), start
        assert platform_cache.get(_cache_key(tenant.pk)) is not None, "entitlements were not cached"
        subscription_change_plan(tenant=tenant, plan_code="growth", actor=owner, note="bench")
        after_up = entitlements_for(tenant).plan_code
        subscription_change_plan(tenant=tenant, plan_code="starter", actor=owner, note="bench")
        after_down = entitlements_for(tenant).plan_code
        if (after_up, after_down) != ("growth", "starter"):
            raise SystemExit(f"plan change did not drop cached entitlements: {after_up}, {after_down}")
        connection.set_schema_to_public()

        # ------------------------------------------------------------ 1. entitlements_for
        def time_cached(count: int) -> list[float]:
            entitlements_for(tenant)  # make sure it is there
            out = []
            for _ in range(count):
                t0 = time.perf_counter()
                entitlements_for(tenant)
                out.append(time.perf_counter() - t0)
            return out

        def time_cache_get(count: int) -> list[float]:
            key = _cache_key(tenant.pk)
            entitlements_for(tenant)  # make sure it is there
            out = []
            for _ in range(count):
                t0 = time.perf_counter()
                platform_cache.get(key)
                out.append(time.perf_counter() - t0)
            return out

        def time_uncached(count: int) -> list[float]:
            out = []
            for _ in range(count):
                entitlements_forget(tenant.pk)
                t0 = time.perf_counter()
                entitlements_for(tenant)
                out.append(time.perf_counter() - t0)
            return out

        entitlements_for(tenant)
        with CaptureQueriesContext(connection) as cached_q:
            entitlements_for(tenant)
        cached_queries = len(cached_q.captured_queries)
        entitlements_forget(tenant.pk)
        with CaptureQueriesContext(connection) as uncached_q:
            entitlements_for(tenant)
        uncached_queries = len(uncached_q.captured_queries)
        time_cached(200)
        time_uncached(100)
        cached, raw_get, uncached = [], [], []
        for r in range(rounds):
            gc.collect()
            trio = [(cached, time_cached, args.calls // rounds), (raw_get, time_cache_get, args.calls // rounds),
                    (uncached, time_uncached, args.uncached // rounds)]
            for store, fn, count in trio[r % 3:] + trio[: r % 3]:
                store += fn(max(1, count))
        c50, u50 = bc.median(cached) * 1e6, bc.median(uncached) * 1e6
        bc.print_table(
            ["entitlements_for(tenant)", "calls", "median µs", "p95 µs", "mean µs", "DB queries"],
            [
                ["cached (process hit)", len(cached), c50, bc.percentile(cached, 95) * 1e6,
                 sum(cached) / len(cached) * 1e6, cached_queries],
                ["Redis GET (the process cache's fallback)", len(raw_get), bc.median(raw_get) * 1e6,
                 bc.percentile(raw_get, 95) * 1e6, sum(raw_get) / len(raw_get) * 1e6, 0],
                ["uncached (forget before each)", len(uncached), u50, bc.percentile(uncached, 95) * 1e6,
                 sum(uncached) / len(uncached) * 1e6, uncached_queries],
            ],
            title=f"1. entitlements_for on workspace {tenant.schema_name} (plan starter), {rounds} alternating rounds",
        )
        print(f"ratio uncached/cached (median): {u50 / c50:.1f}x")

        # ------------------------------------------------------------ 2. gated vs plain page
        gated_view = feature_required(GATED_FEATURE)(bc.bench_view)
        module = types.ModuleType(URLCONF)
        module.urlpatterns = [
            *urls_tenant.urlpatterns,
            path("bench/plain/", bc.bench_view, name="bench_plain"),
            path("bench/gated/", gated_view, name="bench_gated"),
        ]
        sys.modules[URLCONF] = module
        real_urlconf = settings.ROOT_URLCONF
        settings.ROOT_URLCONF = URLCONF  # TenantMiddleware reads it per request
        clear_url_caches()

        handler = bc.handler_with(list(settings.MIDDLEWARE))
        cookie = bc.session_cookie_for(owner, host)
        callers = {
            "plain": bc.PageCaller(handler, host=host, cookie=cookie, path="/bench/plain/"),
            f"gated ({GATED_FEATURE})": bc.PageCaller(handler, host=host, cookie=cookie, path="/bench/gated/"),
        }

        def run(caller, count: int):
            environs = [caller.environ() for _ in range(count)]
            walls, cpus, bad = [], [], 0
            for environ in environs:
                wall, cpu, ok = caller.call(environ)
                walls.append(wall)
                cpus.append(cpu)
                bad += not ok
            return walls, cpus, bad

        queries = {}
        for name, caller in callers.items():
            run(caller, 3)
            with CaptureQueriesContext(connection) as captured:
                body = caller.body()
            queries[name] = len(captured.captured_queries)
            if caller.status != "200 OK" or b"audit entries: " not in body:
                raise SystemExit(f"{name}: unexpected response {caller.status} {body[:200]!r}")
        for caller in callers.values():
            run(caller, args.warmup)

        names = list(callers)
        per_round = max(1, args.requests // rounds)
        results = {name: dict(walls=[], cpus=[], bad=0, round_rps=[]) for name in names}
        for r in range(rounds):
            for name in names[r % 2:] + names[: r % 2]:
                gc.collect()
                walls, cpus, bad = run(callers[name], per_round)
                res = results[name]
                res["walls"] += walls
                res["cpus"] += cpus
                res["bad"] += bad
                res["round_rps"].append(len(walls) / sum(walls))

        def rps(res) -> float:
            return len(res["walls"]) / sum(res["walls"])

        plain_res, gated_res = results[names[0]], results[names[1]]
        rows = []
        for name in names:
            res = results[name]
            n = len(res["walls"])
            rows.append([name, n, rps(res), bc.ms(sum(res["cpus"]) / n), bc.ms(bc.median(res["walls"])),
                         bc.ms(bc.percentile(res["walls"], 95)), queries[name], rps(res) / rps(plain_res),
                         res["bad"]])
        bc.print_table(
            ["page", "requests", "req/s", "CPU ms/req", "p50 ms", "p95 ms", "queries/req", "x plain", "non-200"],
            rows,
            title=f"2. GET /bench/plain/ vs /bench/gated/ on {host}, {rounds} alternating rounds of {per_round}, "
                  f"project MIDDLEWARE, in-process WSGIHandler",
        )
        round_ratios = [g / p for g, p in zip(gated_res["round_rps"], plain_res["round_rps"], strict=True)]
        added_ms = bc.ms(bc.median(gated_res["walls"]) - bc.median(plain_res["walls"]))
        print(f"ratio gated/plain (req/s): {rps(gated_res) / rps(plain_res):.3f}  (per round: median "
              f"{bc.median(round_ratios):.3f}, range {min(round_ratios):.3f}-{max(round_ratios):.3f}); "
              f"p50 added by the check: {added_ms:+.3f} ms")
        print(f"context: gated/plain >= {TARGET_GATED_RATIO} is a reasonable line (not a test)")

        # ------------------------------------------------------------ 3. dashboard
        settings.ROOT_URLCONF = real_urlconf
        clear_url_caches()
        dash = bc.PageCaller(handler, host=host, cookie=cookie, path="/")
        run(dash, 3)
        with CaptureQueriesContext(connection) as dash_q:
            body = dash.body()
        dash_sql = [q["sql"] for q in dash_q.captured_queries]  # a view on connection.queries: copy it now
        if dash.status != "200 OK":
            raise SystemExit(f"dashboard: unexpected response {dash.status} {body[:200]!r}")
        locked = body.count(b"/upgrade/")
        entitlements_forget(tenant.pk)
        with CaptureQueriesContext(connection) as dash_cold_q:
            dash.body()
        dash_cold_sql = [q["sql"] for q in dash_cold_q.captured_queries]
        run(dash, max(1, args.warmup // 4))
        d_walls, d_cpus, d_bad = [], [], 0
        per_round_dash = max(1, args.dashboard // rounds)
        for _ in range(rounds):
            gc.collect()
            walls, cpus, bad = run(dash, per_round_dash)
            d_walls += walls
            d_cpus += cpus
            d_bad += bad
        n = len(d_walls)
        bc.print_table(
            ["page", "requests", "req/s", "CPU ms/req", "p50 ms", "p95 ms", "queries/req", "non-200"],
            [["dashboard / (entitlements cached)", n, n / sum(d_walls), bc.ms(sum(d_cpus) / n),
              bc.ms(bc.median(d_walls)), bc.ms(bc.percentile(d_walls, 95)), len(dash_sql), d_bad]],
            title=f"3. GET / on {host} (real tenant urlconf, navigation with entitlements), {rounds} rounds of "
                  f"{per_round_dash}",
        )
        print(f"dashboard queries: {len(dash_sql)} with entitlements cached, "
              f"{len(dash_cold_sql)} right after entitlements_forget; "
              f"links to the upgrade page in the nav (locked entries): {locked}")
        print("dashboard queries (cached entitlements, one request):")
        for sql in dash_sql:
            print(f"    {sql[:150]}")

        print()
        print(f"entitlements are cached per workspace in the process (TENANT_HOST_CACHE_SECONDS) and in Redis "
              f"(the platform cache, key {_cache_key(tenant.pk)!r}, {CACHE_SECONDS} s), "
              f"and dropped when its subscription or plan changes")
        print("every request also pays one hidden health-check SELECT 1 (CONN_HEALTH_CHECKS=True), "
              "not counted above; wall time by perf_counter, CPU of this process only")
    finally:
        dropped_keys = drop_bench_cache_keys(platform_cache)
        print(f"{dropped_keys} bench keys deleted from the platform cache")
        bc.finish(keep_db=args.keep_db)


if __name__ == "__main__":
    main()
