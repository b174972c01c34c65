"""What the sales module does when the CRM wins a deal (outbox topic ``deal.won``)."""

from __future__ import annotations

import logging

from django.db import connection

from billing.entitlements import entitlements_for
from modules.crm.models import Deal
from modules.erp.errors import ErpError
from modules.erp.sales.services_from_deal import sales_order_from_deal
from modules.events.services import event_handler

logger = logging.getLogger(__name__)


def _workspace():
    """The workspace whose schema the handler runs in (a Celery task or a request has set it)."""
    from tenants.models import Tenant

    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant):
        return tenant
    return Tenant.objects.get(schema_name=connection.schema_name)


@event_handler("deal.won")
def deal_won_make_quotation(event) -> None:
    """On plans with ``erp.crm_flow`` (Scale and up), the won deal becomes its quotation at once; on Growth the
    deal page offers a "Create quotation" button instead.

    Runs in the transaction that marks the event handled, so a failure (rolled back, kept on the event) is
    retried and a second delivery does nothing. A business refusal (the deal was reopened or deleted since, it
    has no lines, a product lost its price) is not worth a retry: it is logged, and the deal page keeps the
    button, whose click shows the reason.
    """
    if not entitlements_for(_workspace()).allows("erp.crm_flow"):
        return
    deal_id = event.payload.get("deal_id")
    try:
        sales_order_from_deal(actor=None, deal=Deal(pk=deal_id))  # the service reads the deal under its lock
    except ErpError as error:
        logger.info("won deal %s left without a quotation: %s", deal_id, error.code)
