"""Workspace background work: provisioning, pool refills, nightly usage snapshots.

Every task is idempotent: running it twice (a retry, a redelivery after a lost worker)
leaves the same state as running it once.
"""

from __future__ import annotations

import logging

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from saas_platform.celery import app
from tenants.errors import TenantError
from tenants.models import Membership, ProvisioningJob, Tenant, UsageSnapshot

logger = logging.getLogger(__name__)


@app.task(bind=True, acks_late=True, reject_on_worker_lost=True)
def provision_workspace(self, *, job_id: int) -> None:
    from tenants.provisioning import tenant_provision

    # Only a pending job moves to running, so a redelivered message does nothing.
    claimed = ProvisioningJob.objects.filter(pk=job_id, state=ProvisioningJob.State.PENDING).update(
        state=ProvisioningJob.State.RUNNING, progress=1
    )
    if not claimed:
        return
    job = ProvisioningJob.objects.select_related("owner").get(pk=job_id)

    def report(percent: int, message: str) -> None:
        ProvisioningJob.objects.filter(pk=job_id).update(progress=percent, message=message[:300],
                                                         updated_at=timezone.now())

    try:
        tenant, from_pool = tenant_provision(name=job.name, slug=job.slug, owner=job.owner, on_progress=report)
    except TenantError as error:
        ProvisioningJob.objects.filter(pk=job_id).update(state=ProvisioningJob.State.FAILED, message=error.message)
        return
    except Exception:
        logger.exception("provisioning failed for job %s", job_id)
        ProvisioningJob.objects.filter(pk=job_id).update(
            state=ProvisioningJob.State.FAILED, message=_("Something went wrong while preparing the workspace.")
        )
        raise
    ProvisioningJob.objects.filter(pk=job_id).update(
        state=ProvisioningJob.State.DONE, progress=100, tenant=tenant, from_pool=from_pool, message="ready"
    )


@app.task(acks_late=True, reject_on_worker_lost=True)
def pool_refill() -> int:
    from tenants.provisioning import pool_fill

    # A lock so that two refills at once do not overshoot the pool's size.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext('tenants.pool_refill'))")
        if not cursor.fetchone()[0]:
            return 0
    try:
        return pool_fill()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext('tenants.pool_refill'))")


@app.task(acks_late=True, reject_on_worker_lost=True)
def usage_snapshot_all() -> None:
    for tenant_id in Tenant.objects.filter(status__in=["active", "suspended"]).values_list("pk", flat=True):
        usage_snapshot.delay(tenant_id=tenant_id)


@app.task(acks_late=True, reject_on_worker_lost=True)
def usage_snapshot(*, tenant_id: int) -> None:
    """Today's usage of one workspace; a second run the same day updates the same row."""
    from tenants.selectors import schema_size_bytes

    tenant = Tenant.objects.get(pk=tenant_id)
    with schema_context(tenant.schema_name):
        row_counts = _row_counts()
    UsageSnapshot.objects.update_or_create(
        tenant=tenant,
        day=timezone.localdate(),
        defaults={
            "active_members": Membership.objects.filter(tenant=tenant, is_active=True).count(),
            "schema_bytes": schema_size_bytes(schema_name=tenant.schema_name),
            "row_counts": row_counts,
        },
    )


def _row_counts() -> dict[str, int]:
    """Estimated rows per table of the current schema (planner statistics: no table scans)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, GREATEST(c.reltuples, 0)::bigint
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname <> 'django_migrations'
            """
        )
        return {name: count for name, count in cursor.fetchall()}
