"""Reads behind the inventory pages that the domain selectors do not cover: operations by kind and state, the
warehouses with their locations, counts, reorder rules, and lots with their trace through the move ledger."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from modules.erp.catalog.models import Product
from modules.erp.catalog.selectors import product_search
from modules.erp.inventory.models import (
    Location,
    Lot,
    Picking,
    PickingLine,
    ReorderRule,
    StockCount,
    StockCountLine,
    StockMove,
    Warehouse,
)


def picking_list(*, kind: str = "", state: str = "", today: bool = False) -> QuerySet:
    """Operations, newest first. "To do today": still ready and scheduled for today or earlier (late ones too)."""
    pickings = (Picking.objects.select_related("warehouse", "party", "location_src__warehouse",
                                               "location_dest__warehouse", "backorder_of")
                .annotate(line_count=Count("lines")))
    if kind in Picking.Kind.values:
        pickings = pickings.filter(kind=kind)
    if state in Picking.State.values:
        pickings = pickings.filter(state=state)
    if today:
        pickings = pickings.filter(state=Picking.State.READY, scheduled_date__lte=timezone.localdate())
    return pickings.order_by("scheduled_date", "-id") if today else pickings.order_by("-id")


def picking_for_detail(pk: int) -> Picking:
    """One operation with its lines (products and units), its moves and backorders; raises DoesNotExist."""
    lines = PickingLine.objects.select_related("product__base_unit").order_by("id")
    moves = StockMove.objects.select_related("product", "lot", "location_from", "location_to").order_by("id")
    return (Picking.objects.select_related("warehouse", "party", "sales_order", "purchase_order", "backorder_of",
                                           "location_src__warehouse", "location_dest__warehouse")
            .prefetch_related(Prefetch("lines", queryset=lines), Prefetch("moves", queryset=moves), "backorders")
            .get(pk=pk))


def warehouse_list() -> list[Warehouse]:
    locations = Location.objects.annotate(level_count=Count("stock_levels", filter=Q(stock_levels__on_hand__gt=0)))
    return list(Warehouse.objects.prefetch_related(Prefetch("locations", queryset=locations)))


def count_list() -> QuerySet:
    return (StockCount.objects.select_related("warehouse")
            .annotate(line_count=Count("lines"), counted_count=Count("lines", filter=Q(lines__counted__isnull=False)))
            .order_by("-id"))


def count_lines(count: StockCount) -> list[StockCountLine]:
    """The lines with their ``difference`` (counted - expected; None while not counted)."""
    lines = list(count.lines.select_related("product__base_unit", "location", "lot"))
    for line in lines:
        line.difference = None if line.counted is None else line.counted - line.expected
    return lines


def count_adjustments(count: StockCount) -> list[StockMove]:
    """The adjustment moves an applied count posted (they carry the count's number as reference)."""
    return list(StockMove.objects.filter(kind=StockMove.Kind.ADJUSTMENT, reference=count.number)
                .select_related("product__base_unit", "location_from", "location_to", "lot").order_by("id"))


def reorder_rule_list() -> QuerySet:
    return (ReorderRule.objects.select_related("product__base_unit", "warehouse")
            .order_by("warehouse__name", "product__sku"))


def lot_list(*, q: str = "") -> QuerySet:
    q = " ".join((q or "").split())
    lots = Lot.objects.select_related("product__base_unit").order_by("-created_at", "-id")
    if q:
        products = product_search(Product.objects.all(), q)
        lots = lots.filter(Q(code__icontains=q) | Q(product__in=products.values("pk")))
    return lots


@dataclass
class LotTrace:
    lot: Lot
    upstream: list[StockMove] = field(default_factory=list)  # into the company: receipts, opening stock
    downstream: list[StockMove] = field(default_factory=list)  # out of the company: deliveries
    internal: list[StockMove] = field(default_factory=list)  # transfers and count adjustments
    on_hand: object = None


def lot_trace(lot: Lot) -> LotTrace:
    """Where a lot came from (supplier, purchase order, date) and where it went (customer, sales order)."""
    moves = list(StockMove.objects.filter(lot=lot)
                 .select_related("party", "picking__purchase_order", "picking__sales_order", "picking__party",
                                 "location_from__warehouse", "location_to__warehouse", "reversal_of", "reversed_by")
                 .order_by("posted_at", "id"))
    trace = LotTrace(lot=lot, on_hand=sum((level.on_hand for level in lot.stock_levels.all()), start=0))
    for move in moves:
        party = move.party or (move.picking.party if move.picking else None)
        move.trace_party = party
        if move.kind in (StockMove.Kind.RECEIPT, StockMove.Kind.OPENING):
            trace.upstream.append(move)
        elif move.kind == StockMove.Kind.DELIVERY:
            trace.downstream.append(move)
        else:
            trace.internal.append(move)
    return trace
