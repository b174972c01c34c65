"""Shared helpers for the benchmark scripts in bench/.

Every script runs against its own database ``bench_saas`` on the server that
``DATABASE_URL`` points at (never ``saas`` nor ``test_saas``): it is dropped and
recreated at start, and dropped again at the end unless ``--keep-db`` is given.

Run a script with the embedded services::

    .venv/bin/python -m saas_platform.devservices -- .venv/bin/python bench/<name>.py
"""

from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_DB = "bench_saas"
FORBIDDEN_DBS = {"saas", "test_saas"}
BENCH_URLCONF = "bench_urls"


# --------------------------------------------------------------------------- database


def _with_db_name(url: str, name: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path="/" + name))


def bench_database_url() -> str:
    base = os.environ.get("DATABASE_URL")
    if not base:
        sys.exit("DATABASE_URL is not set: run through `python -m saas_platform.devservices -- ...`")
    url = _with_db_name(base, BENCH_DB)
    name = urlparse(url).path.lstrip("/")
    if name != BENCH_DB or name in FORBIDDEN_DBS:  # belt and braces
        sys.exit(f"refusing to use database {name!r}")
    return url


def _admin_connect():
    import psycopg

    # The maintenance database: CREATE/DROP DATABASE cannot run inside the target database.
    return psycopg.connect(_with_db_name(os.environ["DATABASE_URL"], "postgres"), autocommit=True)


def recreate_bench_database() -> None:
    with _admin_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def drop_bench_database() -> None:
    from django.db import connections

    connections.close_all()
    with _admin_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


def setup(*, conn_max_age: int | None = None) -> str:
    """Fresh ``bench_saas``, Django configured against it, public schema migrated. Returns the URL."""
    url = bench_database_url()
    recreate_bench_database()
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "saas_platform.settings_test"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if conn_max_age is not None:
        os.environ["DB_CONN_MAX_AGE"] = str(conn_max_age)

    import django

    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    assert settings.DATABASES["default"]["NAME"] == BENCH_DB, settings.DATABASES["default"]["NAME"]
    call_command("migrate_schemas", "--shared", interactive=False, verbosity=0)
    connection.set_schema_to_public()
    return url


def make_user(email: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username=email, email=email, password=None)


def make_workspace(slug: str, owner):
    """A real workspace, the way a signup makes one: a pool schema built, then claimed."""
    import contextlib
    import io

    from tenants.provisioning import schema_build, tenant_provision

    # django-tenants prints "=== Starting migration" to sys.stdout itself, whatever stdout it is given.
    with contextlib.redirect_stdout(io.StringIO()):
        schema_build()
    tenant, from_pool = tenant_provision(name=f"Bench {slug}", slug=slug, owner=owner)
    assert from_pool, "workspace did not come from the pool"
    return tenant


# --------------------------------------------------------------------------- the bench page


def bench_view(request):
    """An authenticated workspace page doing exactly one ORM query in the tenant schema."""
    from django.http import HttpResponse, HttpResponseForbidden

    from modules.audit.models import AuditEntry

    if not request.user.is_authenticated:  # what any authenticated page does, tenancy or not
        return HttpResponseForbidden("login required")
    return HttpResponse(f"audit entries: {AuditEntry.objects.count()}", content_type="text/plain")


def install_bench_urlconf() -> str:
    """A urlconf module: the project's tenant URLs plus ``bench/``; becomes settings.ROOT_URLCONF."""
    import types

    from django.conf import settings
    from django.urls import clear_url_caches, path

    from saas_platform import urls_tenant

    module = types.ModuleType(BENCH_URLCONF)
    module.urlpatterns = [*urls_tenant.urlpatterns, path("bench/", bench_view, name="bench_page")]
    sys.modules[BENCH_URLCONF] = module
    settings.ROOT_URLCONF = BENCH_URLCONF
    clear_url_caches()
    return BENCH_URLCONF


class FixedTenant:
    """Stand-ins for the tenancy layer in the "without" variant (set by the script before use)."""

    tenant = None
    membership = None


class FixedTenantMiddleware:
    """Sets request.tenant / request.membership to fixed objects: no lookup, no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = FixedTenant.tenant
        request.membership = FixedTenant.membership
        return self.get_response(request)


class FixedMembershipMiddleware:
    """For the stock django-tenants variant: request.tenant comes from TenantMainMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = FixedTenant.membership
        return self.get_response(request)


def session_cookie_for(user, host: str) -> str:
    """A real session (force_login) and the Cookie header that carries it."""
    from django.conf import settings
    from django.test import Client

    client = Client(HTTP_HOST=host)
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


class PageCaller:
    """Calls a WSGIHandler in-process, the way a WSGI server would (including response.close())."""

    def __init__(self, handler, *, host: str, cookie: str, path: str = "/bench/"):
        from django.test import RequestFactory

        self.handler = handler
        self.factory = RequestFactory()
        self.host = host
        self.cookie = cookie
        self.path = path
        self.status = None

    def environ(self) -> dict:
        return self.factory.get(self.path, HTTP_HOST=self.host, HTTP_COOKIE=self.cookie).environ

    def _start_response(self, status, headers, exc_info=None):
        self.status = status

    def call(self, environ: dict) -> tuple[float, float, bool]:
        """One request; returns (wall seconds, CPU seconds, ok)."""
        w0 = time.perf_counter()
        c0 = time.process_time()
        response = self.handler(environ, self._start_response)
        for _chunk in response:
            pass
        response.close()
        c1 = time.process_time()
        w1 = time.perf_counter()
        return w1 - w0, c1 - c0, self.status.startswith("200")

    def body(self) -> bytes:
        response = self.handler(self.environ(), self._start_response)
        data = b"".join(response)
        response.close()
        return data


def handler_with(middleware: list[str]):
    """A WSGIHandler whose middleware chain is ``middleware`` (loaded once, at creation)."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    with override_settings(MIDDLEWARE=middleware):
        return WSGIHandler()


# --------------------------------------------------------------------------- statistics and printing


def percentile(values, q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); q in [0, 100]."""
    data = sorted(values)
    if not data:
        return math.nan
    if len(data) == 1:
        return data[0]
    k = (len(data) - 1) * q / 100.0
    lo = math.floor(k)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (k - lo)


def median(values) -> float:
    return percentile(values, 50)


def ms(seconds: float) -> float:
    return seconds * 1000.0


def fmt(value, digits: int = 2) -> str:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, int):
        return str(value)
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def print_table(headers: list[str], rows: list[list], *, title: str | None = None) -> None:
    cells = [[fmt(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    if title:
        print()
        print(title)
    line = "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths, strict=True)))
    print(line)
    print("-" * len(line))
    for row in cells:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))))


def print_environment() -> None:
    import platform

    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    print(
        f"python {platform.python_version()}, django {django.get_version()}, postgresql {pg}, "
        f"{os.cpu_count()} CPUs, database {BENCH_DB}"
    )


def cache_keys_drop() -> None:
    """Remove what the bench's workspaces left in Redis (keys carry the scratch database's name)."""
    from django.core.cache import caches

    for alias in ("default", "platform"):
        client = caches[alias]._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"*{BENCH_DB}*", count=1000))
        if keys:
            client.delete(*keys)


def finish(*, keep_db: bool) -> None:
    """End of a bench: drop the scratch database unless ``--keep-db`` asked to keep it."""
    if keep_db:
        print(f"database {BENCH_DB} kept")
    else:
        drop_bench_database()
        print(f"database {BENCH_DB} dropped")
