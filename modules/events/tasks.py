"""Outbox delivery. Tasks run in the workspace's schema (tenant-schemas-celery) and are idempotent."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from saas_platform.celery import app


@app.task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=8)
def outbox_dispatch(self, event_id: int) -> bool:
    from modules.events.services import outbox_failed, outbox_handle

    try:
        return outbox_handle(event_id=event_id)
    except Exception as error:
        outbox_failed(event_id=event_id, error=error)
        raise self.retry(exc=error, countdown=min(300, 5 * 2 ** self.request.retries)) from error


@app.task(acks_late=True, reject_on_worker_lost=True)
def outbox_sweep() -> int:
    """This workspace: send again the events whose message was lost or whose handler failed."""
    from modules.events.services import outbox_pending

    pending = outbox_pending()
    for event_id in pending:
        outbox_dispatch.delay(event_id)
    return len(pending)


@app.task(acks_late=True, reject_on_worker_lost=True)
def outbox_sweep_all() -> int:
    """Public schema, every minute: one ``outbox_sweep`` per active workspace."""
    from tenants.models import Tenant

    tenants = Tenant.objects.filter(status=Tenant.Status.ACTIVE).order_by("pk")
    for tenant in tenants:
        with tenant_context(tenant):
            outbox_sweep.apply_async()
    return len(tenants)
