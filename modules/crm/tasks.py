"""CRM background work. Tasks run in the schema they were sent from (tenant-schemas-celery); a fan-out
task on the public schema sends one per workspace. Every task is idempotent."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from billing.entitlements import entitlements_for, task_feature_required
from saas_platform.celery import app


@app.task(acks_late=True, reject_on_worker_lost=True)
@task_feature_required("crm.tickets")
def sla_breach_scan() -> int:
    """Flag this workspace's new SLA breaches once each (event, notifications, email)."""
    from modules.crm.services.sla_breaches import sla_breaches_flag

    return sla_breaches_flag()


def _fan_out(task, feature: str) -> int:
    """Send ``task`` once per active workspace whose plan has ``feature``; returns how many were sent."""
    from tenants.models import Tenant

    sent = 0
    for tenant in Tenant.objects.filter(status=Tenant.Status.ACTIVE).order_by("pk"):
        if not entitlements_for(tenant).allows(feature):
            continue
        # tenant_context rather than schema_context: the message carries the same schema header, and an
        # eager run (CELERY_TASK_ALWAYS_EAGER) sees the real tenant, not a schema-only stand-in.
        with tenant_context(tenant):
            task.apply_async()
        sent += 1
    return sent


@app.task(acks_late=True, reject_on_worker_lost=True)
def sla_breach_scan_all() -> int:
    """Public schema, periodic: one ``sla_breach_scan`` per active workspace whose plan has tickets."""
    return _fan_out(sla_breach_scan, "crm.tickets")


@app.task(acks_late=True, reject_on_worker_lost=True)
@task_feature_required("crm.activities")
def activity_reminders() -> int:
    """Send this workspace's due activity reminders (in-app and email), once each."""
    from django.db import connection

    from modules.crm.services.activities import activity_reminders_send
    from tenants.urls_helpers import workspace_url

    return activity_reminders_send(base_url=workspace_url(connection.tenant, "").rstrip("/"))


@app.task(acks_late=True, reject_on_worker_lost=True)
def activity_reminders_all() -> int:
    """Public schema, every few minutes: one ``activity_reminders`` per active workspace."""
    return _fan_out(activity_reminders, "crm.activities")


@app.task(acks_late=True, reject_on_worker_lost=True)
@task_feature_required("crm.import_export")
def import_run(job_id: int, dry_run: bool = False) -> None:
    """Check and write one queued import (a redelivered message finds it claimed and does nothing);
    ``dry_run``: check only."""
    from django.db import connection

    from modules.crm.services.imports import import_job_run

    import_job_run(job_id=job_id, tenant=connection.tenant, dry_run=dry_run)
