"""Reads on quotations and sales orders: the list with its delivery progress, one order with its lines and
deliveries, a customer's orders, and what a line being written would cost and find in stock."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from modules.erp.catalog.models import Product, ProductUnit, Unit
from modules.erp.catalog.money import money_round
from modules.erp.catalog.selectors import price_for
from modules.erp.errors import ErpError
from modules.erp.sales.models import SalesOrder, SalesOrderLine
from modules.parties.models import Party
from modules.parties.selectors import party_search

ZERO = Decimal(0)

State = SalesOrder.State
TABS = {
    "all": None,
    "quotations": [State.QUOTATION, State.SENT],
    "to_deliver": [State.CONFIRMED],
    "delivered": [State.DONE],
    "cancelled": [State.CANCELLED],
}


class Delivery:
    """How much of an order's goods left the warehouse: nothing, part, or all (services are never delivered)."""

    NONE = "none"
    PARTLY = "partly"
    FULLY = "fully"
    NOTHING_TO_DELIVER = "n/a"

    @staticmethod
    def status(ordered: Decimal, delivered: Decimal) -> str:
        if not ordered:
            return Delivery.NOTHING_TO_DELIVER
        if delivered <= 0:
            return Delivery.NONE
        return Delivery.FULLY if delivered >= ordered else Delivery.PARTLY


def _qty_sum(field: str):
    goods = Q(lines__product__kind=Product.Kind.GOODS)
    return Coalesce(Sum(f"lines__{field}", filter=goods), Value(ZERO),
                    output_field=DecimalField(max_digits=18, decimal_places=3))


def with_delivery(orders: QuerySet) -> QuerySet:
    """Each order carries ``goods_ordered`` and ``goods_delivered`` (base units, goods lines only)."""
    return orders.annotate(goods_ordered=_qty_sum("quantity_base"), goods_delivered=_qty_sum("qty_delivered"))


def order_list(*, tab: str = "all", q: str = "", party_id: int | None = None) -> QuerySet:
    """Orders of one tab (quotations, to deliver, delivered, cancelled, all), searched by number or customer
    (accent-insensitive, like the party list), newest first, in one query with their delivery progress."""
    orders = SalesOrder.objects.select_related("party")
    states = TABS.get(tab)
    if states:
        orders = orders.filter(state__in=states)
    if party_id:
        orders = orders.filter(party_id=party_id)
    q = " ".join((q or "").split())
    if q:
        orders = orders.filter(Q(number__icontains=q) | Q(party__in=party_search(Party.objects.all(), q)))
    return with_delivery(orders).order_by("-id")


def party_orders(*, party: Party, limit: int = 10) -> list[SalesOrder]:
    """A customer's latest orders with their delivery progress: one query."""
    return list(with_delivery(SalesOrder.objects.filter(party=party)).order_by("-id")[:limit])


def order_for_detail(pk: int) -> SalesOrder:
    return get_object_or_404(SalesOrder.objects.select_related("party", "warehouse", "deal", "created_by"), pk=pk)


def order_lines(order: SalesOrder) -> list[SalesOrderLine]:
    return list(order.lines.select_related("product", "product__base_unit", "unit").order_by("position", "id"))


def order_pickings(order: SalesOrder) -> list:
    return list(order.pickings.select_related("backorder_of").order_by("id"))


def products_with_units(product_ids) -> dict[int, tuple[Product, list[tuple[Unit, Decimal]]]]:
    """Product id -> (product, [(unit, factor)] with the base unit first): two queries for any number."""
    products = Product.objects.filter(pk__in={pk for pk in product_ids if pk}).select_related("base_unit")
    found = {product.pk: (product, [(product.base_unit, Decimal(1))]) for product in products}
    for row in ProductUnit.objects.filter(product_id__in=found).select_related("unit").order_by("factor"):
        found[row.product_id][1].append((row.unit, row.factor))
    return found


@dataclass(frozen=True)
class LineCheck:
    """What a line being written would find: stock available in the warehouse (goods only) and the list price
    for the quantity, per unit of the line."""

    product: Product
    quantity_base: Decimal
    stocked: bool
    available: Decimal | None
    unit_price: Decimal | None
    price_error: str = ""

    @property
    def short(self) -> bool:
        return self.stocked and self.available is not None and self.available < self.quantity_base

    @property
    def missing(self) -> Decimal:
        return max(self.quantity_base - (self.available or ZERO), ZERO)


def line_checks(rows: list[tuple[Product, Decimal, Decimal]], *, party: Party | None = None, currency: str = "VND",
                warehouse=None) -> list[LineCheck]:
    """One check per (product, quantity, factor) row: stock in one query for all the rows, a price each."""
    from modules.erp.inventory.selectors import availability

    goods = [product.pk for product, _quantity, _factor in rows if product.kind == Product.Kind.GOODS]
    stock = availability(goods, warehouse=warehouse) if goods else {}
    checks = []
    for product, quantity, factor in rows:
        quantity_base = quantity * factor
        stocked = product.kind == Product.Kind.GOODS
        available = None
        if stocked:
            found = stock.get(product.pk)
            available = found.available if found is not None else ZERO
        unit_price, price_error = None, ""
        try:
            price = price_for(product=product, party=party, quantity=quantity_base or Decimal(1), currency=currency)
            unit_price = money_round(price * factor, currency)
        except ErpError as error:
            price_error = error.message
        checks.append(LineCheck(product=product, quantity_base=quantity_base, stocked=stocked, available=available,
                                unit_price=unit_price, price_error=price_error))
    return checks


def line_check(*, product: Product, quantity: Decimal, factor: Decimal = Decimal(1), party: Party | None = None,
               currency: str = "VND", warehouse=None) -> LineCheck:
    return line_checks([(product, quantity, factor)], party=party, currency=currency, warehouse=warehouse)[0]
