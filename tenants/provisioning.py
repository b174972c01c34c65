"""Fast workspace provisioning from a warm pool of ready schemas.

Running every tenant migration takes seconds; renaming a ready schema takes
milliseconds. So the pool holds schemas built by the real migrations (rows in status
``pooled``), and a new workspace claims one with ``SELECT ... FOR UPDATE SKIP LOCKED``
and renames it, all in one transaction: two signups never share a schema, and a failure
rolls back the rename, the row changes, the domain and the membership together.
``migrate_schemas`` migrates pooled schemas with every other tenant, since they are
tenant rows. When the pool is empty, a schema is built right away, with progress.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from contextlib import redirect_stdout

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import quote_schema_name

from billing.services import subscription_start
from tenants.errors import TenantError
from tenants.models import Domain, Membership, Tenant
from tenants.roles import Role

logger = logging.getLogger(__name__)

Progress = Callable[[int, str], None]
POOL_PREFIX = "pool_"


def _no_progress(percent: int, message: str) -> None:
    return None


def _migration_count() -> int:
    """How many "Applying" lines ``migrate_schemas`` writes for a new schema (every app's migrations
    are recorded there, the shared apps' without tables), to turn them into a percentage."""
    return max(1, len(MigrationLoader(None, ignore_no_migrations=True).graph.nodes))


def schema_build(*, status: str = Tenant.Status.POOLED, on_progress: Progress = _no_progress) -> Tenant:
    """Create a schema and run every tenant migration in it. Leaves nothing behind on failure."""
    schema_name = f"{POOL_PREFIX}{secrets.token_hex(6)}"
    tenant = Tenant.objects.create(schema_name=schema_name, name=schema_name, status=Tenant.Status.PROVISIONING)
    progress = _MigrationProgress(total=_migration_count(), on_progress=on_progress)
    on_progress(2, "creating schema")
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA {quote_schema_name(schema_name)}")
        # django-tenants also prints a banner straight to sys.stdout; keep it off the worker's log.
        with redirect_stdout(progress):
            call_command("migrate_schemas", schema_name=schema_name, interactive=False, verbosity=1,
                         stdout=progress, stderr=progress)
    except BaseException:
        schema_drop(tenant=tenant)
        raise
    finally:
        connection.set_schema_to_public()
    tenant.status = status
    tenant.save(update_fields=["status", "updated_at"])
    return tenant


class _MigrationProgress:
    """A stdout for ``migrate`` that turns its "Applying app.0001_x..." lines into percentages."""

    def __init__(self, *, total: int, on_progress: Progress):
        self.total, self.applied, self.on_progress = total, 0, on_progress

    def write(self, text: str) -> None:
        if "Applying " in text:
            self.applied += 1
            name = text.split("Applying ", 1)[1].split("...", 1)[0].strip()
            self.on_progress(min(95, 5 + 90 * self.applied // self.total), f"applying {name}")

    def flush(self) -> None:
        return None


def schema_drop(*, tenant: Tenant) -> None:
    """Remove a schema and its row (failed builds, pool shrinking, tests)."""
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {quote_schema_name(tenant.schema_name)} CASCADE")
    Tenant.objects.filter(pk=tenant.pk).delete()


def pool_size() -> int:
    return Tenant.objects.filter(status=Tenant.Status.POOLED).count()


def pool_fill(*, target: int | None = None) -> int:
    """Build pooled schemas until the pool holds ``target``; returns how many were built."""
    target = settings.TENANT_POOL_SIZE if target is None else target
    built = 0
    while pool_size() < target:
        schema_build()
        built += 1
    return built


def _claim(*, name: str, slug: str, owner, plan_code: str, trial: bool, only_pk: int | None = None) -> Tenant | None:
    """Turn a ready schema into the workspace ``slug``, in one transaction. None if the pool is empty."""
    with transaction.atomic():
        ready = Tenant.objects.select_for_update(skip_locked=True).order_by("pk")
        ready = ready.filter(pk=only_pk) if only_pk else ready.filter(status=Tenant.Status.POOLED)
        tenant = ready.first()
        if tenant is None:
            return None
        if Tenant.objects.filter(schema_name=slug).exists():
            raise TenantError("slug_taken", _("This address is already taken."), field="slug")
        try:
            # A concurrent claim of the same slug waits on the catalog row, then fails here.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"ALTER SCHEMA {quote_schema_name(tenant.schema_name)} RENAME TO {quote_schema_name(slug)}"
                )
        except IntegrityError as error:
            raise TenantError("slug_taken", _("This address is already taken."), field="slug") from error
        tenant.schema_name = slug
        tenant.name = name
        tenant.status = Tenant.Status.ACTIVE
        tenant.activated_at = timezone.now()
        tenant.save(update_fields=["schema_name", "name", "status", "activated_at", "updated_at"])
        Domain.objects.create(domain=workspace_host(slug), tenant=tenant, is_primary=True)
        Membership.objects.create(tenant=tenant, user=owner, role=Role.OWNER)
        subscription_start(tenant=tenant, plan_code=plan_code, trial=trial, actor=owner)
        if settings.TENANT_POOL_SIZE:
            from tenants.tasks import pool_refill

            transaction.on_commit(pool_refill.delay)
    return tenant


def workspace_host(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def tenant_provision(*, name: str, slug: str, owner, plan_code: str = "starter", trial: bool = False,
                     on_progress: Progress = _no_progress) -> tuple[Tenant, bool]:
    """Give ``owner`` a new active workspace on ``plan_code`` (a trial of it if ``trial``).
    Returns (tenant, came_from_pool)."""
    on_progress(1, "claiming a ready workspace")
    tenant = _claim(name=name, slug=slug, owner=owner, plan_code=plan_code, trial=trial)
    if tenant is not None:
        on_progress(100, "ready")
        return tenant, True
    logger.warning("tenant pool empty; building schema for %s synchronously", slug)
    built = schema_build(status=Tenant.Status.PROVISIONING, on_progress=on_progress)
    try:
        tenant = _claim(name=name, slug=slug, owner=owner, plan_code=plan_code, trial=trial, only_pk=built.pk)
    except BaseException:
        schema_drop(tenant=built)
        raise
    on_progress(100, "ready")
    return tenant, False
