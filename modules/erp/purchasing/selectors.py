"""Reads on purchasing: supplier prices, the order list and detail, and purchase suggestions.

Every read costs a fixed number of queries, whatever the number of orders, lines or products."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, F, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from modules.erp.catalog.models import Product
from modules.erp.inventory.models import Picking, ReorderRule, StockLevel, Warehouse
from modules.erp.purchasing.models import PurchaseOrder, PurchaseOrderLine, SupplierPrice
from modules.erp.sales.models import SalesOrder, SalesOrderLine
from modules.parties.models import Party

ZERO = Decimal(0)
QTY = DecimalField(max_digits=16, decimal_places=3)
# What is still coming in: lines of requests and of confirmed orders, less what has arrived.
OPEN_STATES = (PurchaseOrder.State.RFQ, PurchaseOrder.State.SENT, PurchaseOrder.State.CONFIRMED)


def suppliers() -> QuerySet:
    """Parties a purchase order may name: active suppliers that were not merged away."""
    return Party.objects.filter(is_supplier=True, is_active=True, merged_into__isnull=True)


# --- supplier prices ---------------------------------------------------------------------------------------------

def supplier_price_list(*, product: Product | None = None, supplier: Party | None = None) -> QuerySet:
    prices = SupplierPrice.objects.select_related("product", "product__base_unit", "supplier")
    if product is not None:
        prices = prices.filter(product=product)
    if supplier is not None:
        prices = prices.filter(supplier=supplier)
    return prices.order_by("product__name", "product_id", "position", "min_quantity", "id")


def supplier_prices_by_product(*, supplier: Party, product_ids, currency: str) -> dict[int, list[SupplierPrice]]:
    """product id -> that supplier's price breaks in ``currency`` (lowest quantity first), in one query."""
    rows = SupplierPrice.objects.filter(supplier=supplier, product_id__in=set(product_ids), currency=currency)
    result: dict[int, list[SupplierPrice]] = defaultdict(list)
    for row in rows.order_by("product_id", "min_quantity", "id"):
        result[row.product_id].append(row)
    return result


def supplier_price_pick(breaks: list[SupplierPrice], quantity: Decimal) -> SupplierPrice | None:
    """The highest quantity break not above ``quantity``; below every break, the first one (a supplier who
    quotes from 10 still has a price for 5: it is the best guess the form can offer)."""
    if not breaks:
        return None
    fitting = [row for row in breaks if row.min_quantity <= quantity]
    return max(fitting, key=lambda row: row.min_quantity) if fitting else breaks[0]


# --- orders ------------------------------------------------------------------------------------------------------

def purchase_order_list(*, q: str = "", state: str = "", supplier_id: int | str | None = None) -> QuerySet:
    """Orders with their supplier and warehouse, and the received and ordered quantities summed per order."""
    orders = (PurchaseOrder.objects.select_related("party", "warehouse")
              .annotate(qty_ordered=Coalesce(Sum("lines__quantity_base"), Value(ZERO), output_field=QTY),
                        qty_received=Coalesce(Sum("lines__qty_received"), Value(ZERO), output_field=QTY))
              .order_by("-id"))
    if state in PurchaseOrder.State.values:
        orders = orders.filter(state=state)
    if supplier_id and str(supplier_id).isdigit():
        orders = orders.filter(party_id=int(supplier_id))
    q = " ".join((q or "").split())
    if q:
        orders = orders.filter(Q(number__icontains=q) | Q(party__name__icontains=q))
    return orders


def purchase_order_get(pk: int) -> PurchaseOrder:
    """One order with its lines (product, unit) and receipts; 404 when missing (another workspace's id too)."""
    lines = PurchaseOrderLine.objects.select_related("product", "product__base_unit", "unit")
    receipts = Picking.objects.order_by("id")
    return get_object_or_404(
        PurchaseOrder.objects.select_related("party", "warehouse").prefetch_related(
            Prefetch("lines", queryset=lines), Prefetch("pickings", queryset=receipts)), pk=pk)


def party_purchase_orders(party: Party, *, limit: int = 10) -> list[PurchaseOrder]:
    return list(PurchaseOrder.objects.filter(party=party).select_related("warehouse").order_by("-id")[:limit])


# --- purchase suggestions ----------------------------------------------------------------------------------------

@dataclass
class Suggestion:
    """Buy ``quantity`` (base units) of ``product`` into ``warehouse``, and why.

    ``reasons`` holds "reorder" (the stock would fall under the rule's minimum) and/or "sales" (confirmed sales
    orders need more than is on hand and coming). ``supplier`` is the preferred one (first by position), None
    when no supplier price exists."""

    product: Product
    warehouse: Warehouse
    quantity: Decimal
    reasons: list[str]
    available: Decimal
    incoming: Decimal
    short: Decimal
    rule: ReorderRule | None = None
    supplier: Party | None = None
    price: Decimal | None = None
    currency: str = "VND"
    supplier_prices: list[SupplierPrice] = field(default_factory=list, repr=False)

    @property
    def key(self) -> str:
        return f"{self.product.pk}-{self.warehouse.pk}"

    @property
    def quantity_text(self) -> str:
        """The quantity as a form field's value (no locale separators, no trailing zeros)."""
        return f"{self.quantity.normalize():f}"

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASONS[reason]) for reason in self.reasons]


REASONS = {"reorder": _("Under the reorder minimum"), "sales": _("Sales orders are short")}


def _sum_by_product_warehouse(rows, product_key: str, warehouse_key: str, value_key: str) -> dict:
    return {(row[product_key], row[warehouse_key]): row[value_key] or ZERO for row in rows}


def purchase_suggestions(*, warehouse: Warehouse | None = None) -> list[Suggestion]:
    """What to buy, per product and warehouse, in a fixed number of queries.

    For each product and warehouse: ``position = available + incoming - short``, where available is on hand less
    reserved, incoming the open quantity of requests and orders not yet received, and short what confirmed sales
    order lines still need and have not reserved. With a reorder rule, a position under the minimum suggests
    ``max - position`` (so the rule refills to its maximum after the short orders are served); without one, a
    negative position suggests ``-position``. Incoming stock covers the rule and the short orders once, never
    twice."""
    rules_qs = ReorderRule.objects.all()
    short_qs = SalesOrderLine.objects.filter(order__state=SalesOrder.State.CONFIRMED, product__kind=Product.Kind.GOODS)
    if warehouse is not None:
        rules_qs = rules_qs.filter(warehouse=warehouse)
        short_qs = short_qs.filter(order__warehouse=warehouse)
    rules = {(rule.product_id, rule.warehouse_id): rule for rule in rules_qs}
    short = _sum_by_product_warehouse(
        short_qs.values("product_id", "order__warehouse_id")
        .annotate(short=Sum(F("quantity_base") - F("qty_delivered") - F("qty_reserved"), output_field=QTY))
        .filter(short__gt=0), "product_id", "order__warehouse_id", "short")
    keys = set(rules) | set(short)
    if not keys:
        return []
    product_ids = {product_id for product_id, _warehouse_id in keys}
    levels = StockLevel.objects.filter(product_id__in=product_ids)
    incoming_qs = PurchaseOrderLine.objects.filter(product_id__in=product_ids, order__state__in=OPEN_STATES)
    if warehouse is not None:
        levels = levels.filter(location__warehouse=warehouse)
        incoming_qs = incoming_qs.filter(order__warehouse=warehouse)
    available = _sum_by_product_warehouse(
        levels.values("product_id", "location__warehouse_id")
        .annotate(available=Sum(F("on_hand") - F("reserved"), output_field=QTY)),
        "product_id", "location__warehouse_id", "available")
    incoming = _sum_by_product_warehouse(
        incoming_qs.values("product_id", "order__warehouse_id")
        .annotate(incoming=Sum(F("quantity_base") - F("qty_received"), output_field=QTY)),
        "product_id", "order__warehouse_id", "incoming")

    needs = []
    for key in keys:
        rule, have, coming, missing = rules.get(key), available.get(key, ZERO), incoming.get(key, ZERO), short.get(
            key, ZERO)
        position = have + coming - missing
        reasons = []
        quantity = ZERO
        if rule is not None and position < rule.min_quantity:
            quantity = rule.max_quantity - position
            reasons.append("reorder")
        elif position < 0:
            quantity = -position
        if missing > 0 and have + coming < missing:
            reasons.append("sales")
        if quantity > 0:
            needs.append((key, quantity, reasons, rule, have, coming, missing))
    if not needs:
        return []

    needed_ids = {key[0] for key, *_rest in needs}
    products = Product.objects.select_related("base_unit").in_bulk(needed_ids)
    warehouses = Warehouse.objects.in_bulk({key[1] for key, *_rest in needs})
    prices = supplier_prices_for(needed_ids)
    suggestions = []
    for (product_id, warehouse_id), quantity, reasons, rule, have, coming, missing in needs:
        suggestion = Suggestion(product=products[product_id], warehouse=warehouses[warehouse_id], quantity=quantity,
                                reasons=reasons, available=have, incoming=coming, short=missing, rule=rule)
        breaks = prices.get(product_id, [])
        if breaks:
            preferred = breaks[0]
            own = [row for row in breaks if row.supplier_id == preferred.supplier_id
                   and row.currency == preferred.currency]
            picked = supplier_price_pick(sorted(own, key=lambda row: row.min_quantity), quantity)
            suggestion.supplier, suggestion.currency = preferred.supplier, preferred.currency
            suggestion.price, suggestion.supplier_prices = picked.price, own
        suggestions.append(suggestion)
    suggestions.sort(key=lambda item: (item.supplier is None, item.supplier.name if item.supplier else "",
                                       item.product.name, item.warehouse.pk))
    return suggestions


def supplier_prices_for(product_ids) -> dict[int, list[SupplierPrice]]:
    """product id -> its prices from active suppliers, by position (the first names the preferred supplier)."""
    rows = (SupplierPrice.objects.filter(product_id__in=product_ids, supplier__in=suppliers())
            .select_related("supplier").order_by("product_id", "position", "id"))
    result: dict[int, list[SupplierPrice]] = defaultdict(list)
    for row in rows:
        result[row.product_id].append(row)
    return result
