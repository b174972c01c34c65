"""Writes on purchasing (Scale): supplier prices, and requests for quotation (RFQ) that are sent, confirmed into
purchase orders with a receipt, or cancelled. Receiving is the inventory's ``picking_validate``: it moves the
stock and sets each line's ``qty_received`` and the order's state.

Each write checks the plan, validates, saves and leaves an audit row in one transaction. Locks
(modules/erp/inventory/locks.py): the order row first, then its receipts."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.entitlements import entitlements_for, feature_blocked_error
from modules.crm.audit import audit_change, snapshot
from modules.erp.catalog.models import CURRENCIES, Product
from modules.erp.catalog.money import money_round
from modules.erp.common.lines import document_totals_set, trade_lines_build
from modules.erp.common.numbering import sequence_next
from modules.erp.errors import ErpError
from modules.erp.inventory.models import Picking, Warehouse
from modules.erp.purchasing import selectors
from modules.erp.purchasing.models import PurchaseOrder, PurchaseOrderLine, SupplierPrice
from modules.parties.models import Party

FEATURE = "erp.purchasing"
ORDER_FIELDS = ["number", "state", "party", "warehouse", "currency", "exchange_rate", "order_date", "expected_date",
                "note", "amount_untaxed", "amount_tax", "amount_total", "confirmed_at"]
EDITABLE_STATES = (PurchaseOrder.State.RFQ, PurchaseOrder.State.SENT)
HUNDRED = Decimal(100)
COST_PLACES = Decimal("0.0001")


def _plan_check() -> None:
    """Purchasing is a Scale feature: a workspace without it cannot write here, whatever calls the service."""
    tenant = getattr(connection, "tenant", None)
    if getattr(tenant, "pk", None) is None or not entitlements_for(tenant).allows(FEATURE):
        raise feature_blocked_error(FEATURE)


def _full_clean(instance, **kwargs) -> None:
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise ErpError("invalid", messages[0], field=None if name == "__all__" else name) from error


def _supplier_check(supplier: Party) -> None:
    if supplier is None or not supplier.is_supplier or not supplier.is_active or supplier.merged_into_id:
        raise ErpError("not_a_supplier", _("Choose a supplier: mark the company as a supplier first."),
                       field="supplier")


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


# --- supplier prices ---------------------------------------------------------------------------------------------

@transaction.atomic
def supplier_price_set(*, actor, product: Product, supplier: Party, price, currency: str = "VND",
                       min_quantity=Decimal(1), lead_days: int = 0, supplier_sku: str = "",
                       position: int | None = None) -> SupplierPrice:
    """What ``supplier`` asks for ``product`` from ``min_quantity`` base units on (one row per break; setting it
    again changes it). ``position`` orders the suppliers of a product: the first is the preferred one."""
    _plan_check()
    _supplier_check(supplier)
    if currency not in dict(CURRENCIES):
        raise ErpError("currency_unknown", _("Choose VND or USD."), field="currency")
    price = Decimal(str(price if price not in (None, "") else 0))
    min_quantity = Decimal(str(min_quantity if min_quantity not in (None, "") else 1))
    if price < 0:
        raise ErpError("price_negative", _("A price cannot be negative."), field="price")
    if min_quantity <= 0:
        raise ErpError("quantity_not_positive", _("The minimum quantity must be greater than zero."),
                       field="min_quantity")
    row = SupplierPrice.objects.filter(product=product, supplier=supplier, min_quantity=min_quantity).first()
    before = snapshot(row) if row else None
    if row is None:
        row = SupplierPrice(product=product, supplier=supplier, min_quantity=min_quantity)
        if position is None:
            # A new supplier goes after the product's existing ones; another break of a known supplier joins it.
            known = SupplierPrice.objects.filter(product=product, supplier=supplier).values_list(
                "position", flat=True).first()
            last = SupplierPrice.objects.filter(product=product).order_by("-position").values_list(
                "position", flat=True).first()
            position = known if known is not None else (0 if last is None else last + 1)
    if position is not None:
        row.position = position
    row.price, row.currency = money_round(price, currency), currency
    row.lead_days, row.supplier_sku = lead_days or 0, (supplier_sku or "").strip()
    _full_clean(row, validate_unique=False)
    row.save()
    audit_change(actor=actor, action="purchasing.supplier_price_set", target=row, before=before, after=snapshot(row))
    return row


@transaction.atomic
def supplier_price_delete(*, actor, supplier_price: SupplierPrice) -> None:
    _plan_check()
    before = snapshot(supplier_price)
    audit_change(actor=actor, action="purchasing.supplier_price_deleted", target=supplier_price, before=before,
                 after=None)
    supplier_price.delete()


# --- requests for quotation and purchase orders -----------------------------------------------------------------

def _default_warehouse() -> Warehouse:
    warehouse = Warehouse.objects.filter(is_default=True).first()
    if warehouse is None:
        raise ErpError("warehouse_missing", _("Create a warehouse first."), field="warehouse")
    return warehouse


def _header_check(order: PurchaseOrder) -> None:
    if order.currency not in dict(CURRENCIES):
        raise ErpError("currency_unknown", _("Choose VND or USD."), field="currency")
    if order.currency == "VND":
        order.exchange_rate = Decimal(1)
    order.exchange_rate = Decimal(str(order.exchange_rate or 0))
    if order.exchange_rate <= 0:
        raise ErpError("exchange_rate_invalid", _("The exchange rate must be above zero."), field="exchange_rate")
    if not order.warehouse.is_active:
        raise ErpError("warehouse_inactive", _("This warehouse is closed."), field="warehouse")
    if order.expected_date and order.expected_date < order.order_date:
        raise ErpError("expected_before_order", _("The expected arrival cannot be before the order date."),
                       field="expected_date")


def _lines_build(order: PurchaseOrder, specs: list[dict]) -> list[PurchaseOrderLine]:
    """Lines with amounts and VAT; a missing price is the supplier's (its break for the quantity), else 0: an RFQ
    may go out without a price, to ask for one."""
    product_ids = [spec["product"].pk for spec in specs if spec.get("product")]
    breaks = selectors.supplier_prices_by_product(supplier=order.party, product_ids=product_ids,
                                                  currency=order.currency)

    def default_price(product: Product, quantity: Decimal) -> Decimal:
        picked = selectors.supplier_price_pick(breaks.get(product.pk, []), quantity)
        return picked.price if picked else Decimal(0)

    return trade_lines_build(line_model=PurchaseOrderLine, specs=specs, currency=order.currency,
                             day=order.order_date, default_price=default_price)


def _lines_save(order: PurchaseOrder, lines: list[PurchaseOrderLine]) -> None:
    for line in lines:
        line.order = order
    PurchaseOrderLine.objects.bulk_create(lines)


@transaction.atomic
def purchase_order_create(*, actor, supplier: Party, lines: list[dict], currency: str = "VND", exchange_rate=1,
                          warehouse: Warehouse | None = None, order_date: datetime.date | None = None,
                          expected_date: datetime.date | None = None, note: str = "") -> PurchaseOrder:
    """A request for quotation to ``supplier``. Line dicts: product=None, description="", quantity, unit=None,
    unit_price=None (the supplier's price), discount_percent=0, vat_code=None (the product's)."""
    _plan_check()
    _supplier_check(supplier)
    order = PurchaseOrder(party=supplier, warehouse=warehouse or _default_warehouse(), currency=currency,
                          exchange_rate=exchange_rate, order_date=order_date or timezone.localdate(),
                          expected_date=expected_date, note=(note or "").strip(), created_by=_user(actor))
    _header_check(order)
    built = _lines_build(order, lines)
    document_totals_set(order, built)
    order.number = sequence_next("purchasing.order")
    _full_clean(order)
    order.save()
    _lines_save(order, built)
    audit_change(actor=actor, action="purchasing.order_created", target=order, before=None,
                 after=snapshot(order, ORDER_FIELDS))
    return order


def _order_lock(order: PurchaseOrder) -> PurchaseOrder:
    """The order's row, locked: the first lock of every write on it and of its receipts' validation."""
    return PurchaseOrder.objects.select_for_update(of=("self",)).select_related("party", "warehouse").get(pk=order.pk)


def _editable_check(order: PurchaseOrder) -> None:
    if order.state not in EDITABLE_STATES:
        raise ErpError("order_not_editable", _("Only a request for quotation can be changed."))


@transaction.atomic
def purchase_order_update(*, actor, order: PurchaseOrder, lines: list[dict] | None = None,
                          **fields) -> PurchaseOrder:
    """Change a request for quotation (draft or sent): any of supplier, currency, exchange_rate, warehouse,
    order_date, expected_date, note; ``lines`` replaces all its lines."""
    _plan_check()
    allowed = {"supplier", "currency", "exchange_rate", "warehouse", "order_date", "expected_date", "note"}
    unknown = set(fields) - allowed
    if unknown:
        raise ErpError("field_unknown", ", ".join(sorted(unknown)))
    order = _order_lock(order)
    _editable_check(order)
    before = snapshot(order, ORDER_FIELDS)
    if "supplier" in fields:
        _supplier_check(fields["supplier"])
        order.party = fields.pop("supplier")
    for name, value in fields.items():
        setattr(order, name, value)
    if "warehouse" in fields and order.warehouse is None:
        order.warehouse = _default_warehouse()
    order.order_date = order.order_date or timezone.localdate()
    order.note = (order.note or "").strip()
    _header_check(order)
    if lines is None and {"currency", "order_date"} & set(fields):
        # Amounts and VAT rates depend on the currency and the date: rebuild the lines as they are.
        lines = [{"product": line.product, "description": line.description, "quantity": line.quantity,
                  "unit": line.unit, "unit_price": line.unit_price, "discount_percent": line.discount_percent,
                  "vat_code": line.vat_code} for line in order.lines.select_related("product", "unit")]
    if lines is not None:
        built = _lines_build(order, lines)
        document_totals_set(order, built)
        order.lines.all().delete()
        _lines_save(order, built)
    _full_clean(order)
    order.save()
    audit_change(actor=actor, action="purchasing.order_updated", target=order, before=before,
                 after=snapshot(order, ORDER_FIELDS))
    return order


@transaction.atomic
def purchase_order_send(*, actor, order: PurchaseOrder) -> PurchaseOrder:
    """Mark the request as sent to the supplier (it stays editable until confirmed)."""
    _plan_check()
    order = _order_lock(order)
    if order.state == PurchaseOrder.State.SENT:
        return order
    if order.state != PurchaseOrder.State.RFQ:
        raise ErpError("order_not_rfq", _("Only a request for quotation can be sent."))
    before = snapshot(order, ORDER_FIELDS)
    order.state = PurchaseOrder.State.SENT
    order.save(update_fields=["state", "updated_at"])
    audit_change(actor=actor, action="purchasing.order_sent", target=order, before=before,
                 after=snapshot(order, ORDER_FIELDS))
    return order


def receipt_unit_cost(line: PurchaseOrderLine, exchange_rate: Decimal) -> Decimal:
    """What one base unit costs in VND: the net unit price (after discount) over the unit's factor, at the
    order's exchange rate. VAT is not part of the cost (it is reclaimed)."""
    net = line.unit_price * (HUNDRED - line.discount_percent) / HUNDRED
    return (net / line.factor * exchange_rate).quantize(COST_PLACES, rounding=ROUND_HALF_UP)


@transaction.atomic
def purchase_order_confirm(*, actor, order: PurchaseOrder) -> PurchaseOrder:
    """Turn the request into a purchase order and create its receipt for the stocked lines (goods). Lines that are
    not stocked (services, consumables, free text) have nothing to receive: the order is done when its goods have
    arrived, at once if it has none."""
    from modules.erp.inventory.services import picking_create

    _plan_check()
    order = _order_lock(order)
    if order.state not in EDITABLE_STATES:
        raise ErpError("order_not_rfq", _("Only a request for quotation can be confirmed."))
    lines = list(order.lines.select_related("product"))
    if not lines:
        raise ErpError("lines_required", _("Add at least one line."), field="lines")
    before = snapshot(order, ORDER_FIELDS)
    stocked = [line for line in lines if line.product and line.product.kind == Product.Kind.GOODS]
    order.state = PurchaseOrder.State.CONFIRMED if stocked else PurchaseOrder.State.DONE
    order.confirmed_at = timezone.now()
    order.save(update_fields=["state", "confirmed_at", "updated_at"])
    if stocked:
        picking_create(
            actor=actor, kind=Picking.Kind.RECEIPT, warehouse=order.warehouse, party=order.party,
            purchase_order=order, scheduled_date=order.expected_date or timezone.localdate(), note=order.number,
            lines=[{"product": line.product, "quantity": line.quantity_base, "purchase_line": line,
                    "unit_cost": receipt_unit_cost(line, order.exchange_rate)} for line in stocked])
    audit_change(actor=actor, action="purchasing.order_confirmed", target=order, before=before,
                 after=snapshot(order, ORDER_FIELDS))
    return order


@transaction.atomic
def purchase_order_cancel(*, actor, order: PurchaseOrder) -> PurchaseOrder:
    """Cancel a request or an order that has received nothing yet; its open receipt is cancelled with it."""
    from modules.erp.inventory.services import picking_cancel

    _plan_check()
    order = _order_lock(order)
    if order.state == PurchaseOrder.State.CANCELLED:
        return order
    if order.state == PurchaseOrder.State.DONE or order.lines.filter(qty_received__gt=0).exists():
        raise ErpError("order_received", _("Goods have already arrived on this order: it can no longer be "
                                           "cancelled."))
    before = snapshot(order, ORDER_FIELDS)
    for picking in order.pickings.filter(state=Picking.State.READY).order_by("pk"):
        picking_cancel(actor=actor, picking=picking, from_order=True)
    order.state = PurchaseOrder.State.CANCELLED
    order.save(update_fields=["state", "updated_at"])
    audit_change(actor=actor, action="purchasing.order_cancelled", target=order, before=before,
                 after=snapshot(order, ORDER_FIELDS))
    return order


@transaction.atomic
def purchase_order_close(*, actor, order: PurchaseOrder) -> PurchaseOrder:
    """Close an order part of which arrived when the supplier will not send the rest: its open receipts are
    cancelled and the order is done with what was received (the lines keep their ordered quantities)."""
    from modules.erp.inventory.services import picking_cancel

    _plan_check()
    order = _order_lock(order)
    if order.state != PurchaseOrder.State.CONFIRMED or not order.lines.filter(qty_received__gt=0).exists():
        raise ErpError("order_not_partly_received", _("Only an order part of which arrived can be closed; "
                                                      "cancel it instead."))
    before = snapshot(order, ORDER_FIELDS)
    for picking in order.pickings.filter(state=Picking.State.READY).order_by("pk"):
        picking_cancel(actor=actor, picking=picking, from_order=True)
    order.state = PurchaseOrder.State.DONE
    order.save(update_fields=["state", "updated_at"])
    audit_change(actor=actor, action="purchasing.order_closed", target=order, before=before,
                 after=snapshot(order, ORDER_FIELDS))
    return order


# --- purchase suggestions into requests --------------------------------------------------------------------------

@dataclass
class SuggestionOrders:
    """The requests made from suggestions, and the products left out because no supplier sells them."""

    orders: list[PurchaseOrder] = field(default_factory=list)
    without_supplier: list[Product] = field(default_factory=list)


@transaction.atomic
def purchase_orders_from_suggestions(*, actor, items: list[dict]) -> SuggestionOrders:
    """One request for quotation per supplier (and warehouse, and currency) from the chosen suggestions.

    Item dicts: product, quantity (base units), warehouse=None (the default one), supplier=None (the preferred:
    first supplier price by position). Products with no supplier are reported back, not dropped silently; the
    lines are priced at the supplier's break for their quantity, in the currency of its first price."""
    _plan_check()
    result = SuggestionOrders()
    prices = selectors.supplier_prices_for({item["product"].pk for item in items})
    groups: dict[tuple, list[dict]] = defaultdict(list)
    default_warehouse = None
    for item in items:
        product, rows = item["product"], prices.get(item["product"].pk, [])
        supplier = item.get("supplier") or (rows[0].supplier if rows else None)
        if supplier is None:
            result.without_supplier.append(product)
            continue
        if item.get("warehouse") is None:
            default_warehouse = default_warehouse or _default_warehouse()
        warehouse = item.get("warehouse") or default_warehouse
        currency = next((row.currency for row in rows if row.supplier_id == supplier.pk), "VND")
        groups[(supplier.pk, warehouse.pk, currency)].append({**item, "supplier": supplier, "warehouse": warehouse})
    for (_supplier_id, _warehouse_id, currency), group in sorted(groups.items(), key=lambda entry: entry[0]):
        first = group[0]
        result.orders.append(purchase_order_create(
            actor=actor, supplier=first["supplier"], warehouse=first["warehouse"], currency=currency,
            lines=[{"product": item["product"], "quantity": item["quantity"]} for item in group]))
    return result
