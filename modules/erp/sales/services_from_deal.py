"""From CRM to ERP with no re-typing: a won deal becomes a quotation for the same customer and lines."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from modules.crm.models import Deal, Stage
from modules.erp.errors import ErpError
from modules.erp.sales.models import SalesOrder


def deal_lock(deal_id: int) -> Deal | None:
    """The deal's row, locked (only the deal: not its party or stage), with what the order copies."""
    return Deal.objects.select_for_update(of=("self",)).select_related("party", "stage").filter(pk=deal_id).first()


def order_of_deal(deal_id: int) -> SalesOrder | None:
    return SalesOrder.objects.filter(deal_id=deal_id).first()


def sales_order_from_deal(*, actor=None, deal: Deal) -> SalesOrder:
    """The deal's quotation: the same customer, the same lines (product, description, quantity, unit price; a line
    without a product stays a description-only line) and the deal's currency.

    Idempotent, so the outbox handler, its retries, a duplicated event and the "Create quotation" button can all
    call it: the deal's row is locked first and an existing order is returned; the unique ``SalesOrder.deal`` is
    the last guard, for an order written without that lock (its IntegrityError fails the transaction; a retry
    finds the order).

    The order stays a **quotation**: a person checks it (delivery date, warehouse, VAT, stock) and confirms it.
    Confirming reserves stock and makes a delivery; that should not follow from a card dragged to "Won" by
    mistake, and a deal reopened and won again keeps this one quotation.
    """
    # No savepoint: every refusal comes before a write and is raised after the block, so a caller already in a
    # transaction (the outbox handler) keeps it usable and pays no savepoint round trips.
    with transaction.atomic(savepoint=False):
        try:
            return _order_from_locked_deal(actor, deal.pk)
        except ErpError as error:
            refusal = error
    raise refusal


def _order_from_locked_deal(actor, deal_id: int) -> SalesOrder:
    from modules.erp.sales.services import sales_order_create

    deal = deal_lock(deal_id)
    if deal is None:
        raise ErpError("deal_missing", _("This deal no longer exists."))
    existing = order_of_deal(deal.pk)
    if existing is not None:
        return existing
    if deal.stage.kind != Stage.Kind.WON:
        raise ErpError("deal_not_won", _("Only a won deal becomes a quotation."))
    lines = [{"product": line.product, "description": line.description, "quantity": line.quantity,
              "unit_price": line.unit_price}
             for line in deal.lines.select_related("product").order_by("position", "pk") if line.quantity > 0]
    if not lines:
        raise ErpError("deal_without_lines", _("Add line items to the deal first: they become the quotation's lines."))
    # The deal's lock serialises every path to its order; the unique ``SalesOrder.deal`` stays the last guard (an
    # order written without that lock fails this transaction, and a retry finds the order).
    return sales_order_create(actor=actor, party=deal.party, lines=lines, currency=deal.currency, deal=deal)
