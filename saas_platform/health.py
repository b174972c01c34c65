"""Liveness (/healthz) and readiness (/readyz: database, Redis, pending migrations)."""

from __future__ import annotations

import time

from django.core.cache import caches
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django_tenants.utils import get_public_schema_name, schema_context


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def _check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True}


def _check_redis() -> dict:
    client = caches["platform"]._cache.get_client(write=True)
    client.ping()
    return {"ok": True}


def _check_migrations() -> dict:
    """Unapplied migrations of the public schema (tenant schemas are migrated in the same deploy step)."""
    with schema_context(get_public_schema_name()):
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    pending = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
    return {"ok": not pending, "pending": pending}


@never_cache
def readyz(request):
    checks = {}
    for name, check in (("database", _check_database), ("redis", _check_redis), ("migrations", _check_migrations)):
        started = time.perf_counter()
        try:
            checks[name] = check()
        except Exception as error:  # noqa: BLE001 - a readiness probe reports any failure as "not ready"
            checks[name] = {"ok": False, "error": error.__class__.__name__}
        checks[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503)
