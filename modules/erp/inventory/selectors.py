"""Reads on stock: availability per product, the stock list, the move ledger, low stock."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from modules.erp.catalog.models import Product
from modules.erp.catalog.selectors import product_search
from modules.erp.inventory.models import ReorderRule, StockLevel, StockMove, Warehouse

ZERO = Decimal(0)
QTY = DecimalField(max_digits=16, decimal_places=3)


@dataclass(frozen=True)
class Availability:
    on_hand: Decimal = ZERO
    reserved: Decimal = ZERO

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


def availability(product_ids, warehouse: Warehouse | None = None) -> dict[int, Availability]:
    """Product id -> on hand and reserved (in base units) in ``warehouse`` or everywhere, in one query;
    products without stock are absent (read them as ``Availability()``)."""
    levels = StockLevel.objects.filter(product_id__in=list(product_ids))
    if warehouse is not None:
        levels = levels.filter(location__warehouse=warehouse)
    rows = levels.values("product_id").annotate(on_hand=Sum("on_hand"), reserved=Sum("reserved"))
    return {row["product_id"]: Availability(row["on_hand"], row["reserved"]) for row in rows}


def _level_sum(field: str, warehouse: Warehouse | None):
    levels = StockLevel.objects.filter(product=OuterRef("pk"))
    if warehouse is not None:
        levels = levels.filter(location__warehouse=warehouse)
    total = levels.values("product").annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(total, output_field=QTY), Value(ZERO), output_field=QTY)


def _waiting_demand():
    """What confirmed sales orders still want of the product and could not reserve."""
    from modules.erp.sales.models import SalesOrder, SalesOrderLine

    open_lines = (SalesOrderLine.objects.filter(product=OuterRef("pk"), order__state=SalesOrder.State.CONFIRMED)
                  .values("product").annotate(total=Sum(F("quantity_base") - F("qty_delivered") - F("qty_reserved")))
                  .values("total"))
    return Coalesce(Subquery(open_lines, output_field=QTY), Value(ZERO), output_field=QTY)


def stock_level_list(*, warehouse: Warehouse | None = None, q: str = "", low_only: bool = False) -> QuerySet:
    """Goods with on_hand, reserved, available, the reorder minimum (in ``warehouse``, else the smallest), the
    average cost and the stock value; ``low_only`` keeps those below their minimum (or, without a rule, with
    nothing available while some is reserved or confirmed orders still wait for it)."""
    rules = ReorderRule.objects.filter(product=OuterRef("pk"))
    if warehouse is not None:
        rules = rules.filter(warehouse=warehouse)
    products = (Product.objects.filter(kind=Product.Kind.GOODS, is_active=True)
                .select_related("base_unit", "category", "valuation")
                .annotate(on_hand=_level_sum("on_hand", warehouse), reserved=_level_sum("reserved", warehouse))
                .annotate(available=F("on_hand") - F("reserved"),
                          reorder_min=Subquery(rules.order_by("min_quantity").values("min_quantity")[:1],
                                               output_field=QTY)))
    products = product_search(products, q)
    if low_only:
        products = products.annotate(waiting=_waiting_demand()).filter(
            Q(reorder_min__isnull=False, available__lt=F("reorder_min"))
            | Q(reorder_min__isnull=True, available__lte=0) & (Q(reserved__gt=0) | Q(waiting__gt=0)))
    return products.order_by("name", "pk")


def low_stock(*, warehouse: Warehouse | None = None, limit: int = 20) -> list[Product]:
    return list(stock_level_list(warehouse=warehouse, low_only=True)[:limit])


def move_list(*, product_id: int | None = None, kind: str = "", date_from=None, date_to=None) -> QuerySet:
    moves = StockMove.objects.select_related("product", "product__base_unit", "lot", "location_from__warehouse",
                                             "location_to__warehouse", "picking", "reversal_of")
    if product_id:
        moves = moves.filter(product_id=product_id)
    if kind:
        moves = moves.filter(kind=kind)
    if date_from:
        moves = moves.filter(posted_at__date__gte=date_from)
    if date_to:
        moves = moves.filter(posted_at__date__lte=date_to)
    return moves.annotate(reversed_by_id=Subquery(
        StockMove.objects.filter(reversal_of=OuterRef("pk")).values("pk")[:1])).order_by("-posted_at", "-id")
