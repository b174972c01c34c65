"""Invoicing background work. Tasks run in the schema they were sent from (tenant-schemas-celery) and are
idempotent: posting an invoice that is already posted does nothing."""

from __future__ import annotations

from billing.entitlements import task_feature_required
from saas_platform.celery import app


@app.task(acks_late=True, reject_on_worker_lost=True)
@task_feature_required("erp.invoicing")
def invoice_post_task(invoice_id: int, actor_id: int | None = None) -> int | None:
    """Post one draft invoice. A retried or duplicated message finds it posted (under the invoice's row lock) and
    returns; the journal entry's unique ``source`` would refuse a second entry anyway. Returns the entry id."""
    from django.contrib.auth import get_user_model

    from modules.erp.invoicing.models import Invoice
    from modules.erp.invoicing.services import invoice_post

    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is None or invoice.state == Invoice.State.CANCELLED:
        return None
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return invoice_post(actor=actor, invoice=invoice).entry_id
