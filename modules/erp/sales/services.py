"""Quotations and sales orders: write, send, confirm (which reserves stock and makes the delivery), cancel.

Lock order (modules/erp/inventory/locks.py): the order row first, then its pickings, then stock levels.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from modules.crm.audit import audit_change, snapshot
from modules.erp.catalog.models import Product
from modules.erp.catalog.selectors import price_book
from modules.erp.common.lines import document_totals_set, trade_lines_build
from modules.erp.common.numbering import sequence_next
from modules.erp.errors import ErpError
from modules.erp.inventory.models import Picking, Warehouse
from modules.erp.inventory.services import picking_cancel, picking_create, stock_reserve, stock_unreserve
from modules.erp.sales.models import SalesOrder, SalesOrderLine

ORDER_FIELDS = ("number", "state", "party", "warehouse", "currency", "order_date", "validity_date",
                "commitment_date", "note", "amount_untaxed", "amount_tax", "amount_total")
EDITABLE = ("party", "warehouse", "currency", "exchange_rate", "order_date", "validity_date", "commitment_date", "note")
State = SalesOrder.State


def _default_warehouse() -> Warehouse:
    warehouse = Warehouse.objects.filter(is_default=True).first() or Warehouse.objects.filter(is_active=True).first()
    if warehouse is None:
        raise ErpError("no_warehouse", _("Create a warehouse first."), field="warehouse")
    return warehouse


def _check_header(order: SalesOrder) -> None:
    if not order.party.is_active:
        raise ErpError("party_archived", _("This customer is archived."), field="party")
    if order.currency not in ("VND", "USD"):
        raise ErpError("currency_invalid", _("Choose VND or USD."), field="currency")
    if order.validity_date and order.validity_date < order.order_date:
        raise ErpError("validity_before_order", _("A quotation cannot expire before its date."),
                       field="validity_date")


def _lines_write(order: SalesOrder, specs: list[dict]) -> list[SalesOrderLine]:
    list_price = price_book(products=[spec["product"] for spec in specs if spec.get("product")], party=order.party,
                            currency=order.currency)
    lines = trade_lines_build(line_model=SalesOrderLine, specs=specs, currency=order.currency,
                              day=order.order_date, default_price=list_price)
    for line in lines:
        line.order = order
    document_totals_set(order, lines)
    return lines


def sales_order_create(*, actor, party, lines: list[dict], currency: str = "VND", warehouse: Warehouse | None = None,
                       order_date: datetime.date | None = None, validity_date: datetime.date | None = None,
                       commitment_date: datetime.date | None = None, note: str = "", deal=None,
                       exchange_rate=Decimal(1)) -> SalesOrder:
    """A quotation. A line without a unit price takes the customer's price-list price for that quantity.

    Everything is checked before the transaction that writes, which needs no savepoint of its own: a refusal
    leaves the caller's transaction usable, and a caller already in one saves two round trips."""
    order = SalesOrder(party=party, currency=currency, warehouse=warehouse or _default_warehouse(),
                       order_date=order_date or timezone.localdate(), validity_date=validity_date,
                       commitment_date=commitment_date, note=note, deal=deal, exchange_rate=exchange_rate,
                       created_by=actor if getattr(actor, "pk", None) else None)
    _check_header(order)
    built = _lines_write(order, lines)
    with transaction.atomic(savepoint=False):
        order.number = sequence_next("sales.order")
        order.save()
        SalesOrderLine.objects.bulk_create(built)
        audit_change(actor=actor, action="sales.quotation_created", target=order, before=None,
                     after=snapshot(order, ORDER_FIELDS))
    return order


def sales_order_lock(order: SalesOrder, *states: str) -> SalesOrder:
    locked = SalesOrder.objects.select_for_update(of=("self",)).select_related("party", "warehouse").get(pk=order.pk)
    if states and locked.state not in states:
        raise ErpError("order_state", _("This order is %(state)s: that cannot be done now.") % {
            "state": locked.get_state_display().lower()}, field="state")
    return locked


@transaction.atomic
def sales_order_update(*, actor, order: SalesOrder, lines: list[dict] | None = None, **fields) -> SalesOrder:
    """Change a quotation (header fields of EDITABLE and, when given, all its lines)."""
    order = sales_order_lock(order, State.QUOTATION, State.SENT)
    before = snapshot(order, ORDER_FIELDS)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ErpError("field_unknown", _("These fields cannot be changed: %(fields)s") % {
            "fields": ", ".join(sorted(unknown))})
    for name, value in fields.items():
        setattr(order, name, value)
    _check_header(order)
    if lines is not None:
        built = _lines_write(order, lines)
        order.lines.all().delete()
        SalesOrderLine.objects.bulk_create(built)
    order.save()
    audit_change(actor=actor, action="sales.quotation_updated", target=order, before=before,
                 after=snapshot(order, ORDER_FIELDS))
    return order


@transaction.atomic
def sales_order_send(*, actor, order: SalesOrder) -> SalesOrder:
    order = sales_order_lock(order, State.QUOTATION, State.SENT)
    order.state = State.SENT
    order.save(update_fields=["state", "updated_at"])
    audit_change(actor=actor, action="sales.quotation_sent", target=order, before=None, after={"state": order.state})
    return order


@transaction.atomic
def sales_order_confirm(*, actor, order: SalesOrder) -> SalesOrder:
    """The quotation becomes a sales order: stock is reserved for its goods (what is available now) and one
    delivery is made ready for them, on the promised date."""
    order = sales_order_lock(order, State.QUOTATION, State.SENT)
    lines = list(order.lines.select_related("product"))
    order.state, order.confirmed_at = State.CONFIRMED, timezone.now()
    stocked = [line for line in lines if line.product_id and line.product.kind == Product.Kind.GOODS]
    if stocked:
        stock_reserve(lines=stocked, warehouse=order.warehouse)
        picking_create(actor=actor, kind=Picking.Kind.DELIVERY, warehouse=order.warehouse, party=order.party,
                       sales_order=order, scheduled_date=order.commitment_date,
                       lines=[{"product": line.product, "quantity": line.quantity_base, "sales_line": line}
                              for line in stocked])
    else:  # nothing to deliver: services only
        order.state = State.DONE
    order.save(update_fields=["state", "confirmed_at", "updated_at"])
    audit_change(actor=actor, action="sales.order_confirmed", target=order, before=None,
                 after={"state": order.state, "number": order.number})
    return order


@transaction.atomic
def sales_order_reserve(*, actor, order: SalesOrder) -> dict[int, Decimal]:
    """Try again to reserve what is still missing (stock arrived since the confirmation)."""
    order = sales_order_lock(order, State.CONFIRMED)
    return stock_reserve(lines=list(order.lines.select_related("product")), warehouse=order.warehouse)


@transaction.atomic
def sales_order_cancel(*, actor, order: SalesOrder) -> SalesOrder:
    """Cancel a quotation, or an order nothing of which has left: reservations are released and the open
    delivery is cancelled."""
    order = sales_order_lock(order, State.QUOTATION, State.SENT, State.CONFIRMED)
    lines = list(order.lines.all())
    if any(line.qty_delivered for line in lines):
        raise ErpError("order_partly_delivered", _("Part of this order was delivered; it cannot be cancelled."),
                       field="state")
    stock_unreserve(lines=lines)
    for picking in order.pickings.filter(state=Picking.State.READY):
        picking_cancel(actor=actor, picking=picking, from_order=True)
    order.state = State.CANCELLED
    order.save(update_fields=["state", "updated_at"])
    audit_change(actor=actor, action="sales.order_cancelled", target=order, before=None, after={"state": order.state})
    return order


@transaction.atomic
def sales_order_close(*, actor, order: SalesOrder) -> SalesOrder:
    """Close an order part of which was delivered when the rest will not be: reservations are released, the
    open backorder is cancelled, and the order is done with what was delivered."""
    order = sales_order_lock(order, State.CONFIRMED)
    lines = list(order.lines.all())
    if not any(line.qty_delivered for line in lines):
        raise ErpError("order_not_partly_delivered", _("Nothing of this order was delivered: cancel it instead."),
                       field="state")
    stock_unreserve(lines=lines)
    for picking in order.pickings.filter(state=Picking.State.READY):
        picking_cancel(actor=actor, picking=picking, from_order=True)
    order.state = State.DONE
    order.save(update_fields=["state", "updated_at"])
    audit_change(actor=actor, action="sales.order_closed", target=order, before=None, after={"state": order.state})
    return order
