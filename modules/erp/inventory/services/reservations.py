"""Reservations: stock held for confirmed sales order lines, per level (location and lot).

A line's open quantity is ``quantity_base - qty_delivered``; reserving takes what is available now, lots
with the nearest expiry first, the warehouse's default location first. Levels are locked by pk (locks.py).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import F

from modules.erp.catalog.models import Product
from modules.erp.inventory.locks import levels_lock_by_pk
from modules.erp.inventory.models import StockLevel, StockReservation, Warehouse

ZERO = Decimal(0)


def _stocked(lines) -> list:
    return [line for line in lines if line.product_id and line.product.kind == Product.Kind.GOODS]


def _preference(level: StockLevel) -> tuple:
    """Lots that expire first, then lots without a date; the warehouse's default location first."""
    expiry = level.lot.expiry_date if level.lot_id else None
    return (expiry is None, expiry or datetime.date.max, not level.location.is_default, level.pk)


def stock_reserve(*, lines, warehouse: Warehouse) -> dict[int, Decimal]:
    """Reserve the open, unreserved quantity of ``lines`` (sales order lines, locked by the caller through
    their order) in ``warehouse``. Returns line id -> quantity reserved by this call (possibly 0)."""
    from modules.erp.sales.models import SalesOrderLine

    wanted = {line.pk: line.quantity_base - line.qty_delivered - line.qty_reserved for line in _stocked(lines)}
    wanted = {pk: quantity for pk, quantity in wanted.items() if quantity > 0}
    if not wanted:
        return {}
    by_pk = {line.pk: line for line in lines}
    product_ids = {by_pk[pk].product_id for pk in wanted}
    candidates = (StockLevel.objects.filter(product_id__in=product_ids, location__warehouse=warehouse,
                                            on_hand__gt=F("reserved"))
                  .values_list("pk", flat=True))
    levels = levels_lock_by_pk(candidates, related=True)
    preference = sorted(levels.values(), key=_preference)
    # a line holds reservations only once it has reserved something: a first reservation reads none
    holding = [pk for pk in wanted if by_pk[pk].qty_reserved > 0]
    existing = {(r.level_id, r.sales_line_id): r for r in
                StockReservation.objects.filter(sales_line_id__in=holding, level_id__in=levels)} if holding else {}
    new_rows, changed_rows, reserved_now = [], [], {}
    for pk, need in wanted.items():
        line, got = by_pk[pk], ZERO
        for level in preference:
            if need <= 0:
                break
            if level.product_id != line.product_id or level.available <= 0:
                continue
            take = min(need, level.available)
            level.reserved += take
            need -= take
            got += take
            row = existing.get((level.pk, pk))
            if row is None:
                row = StockReservation(level=level, sales_line_id=pk, quantity=take)
                existing[(level.pk, pk)] = row
                new_rows.append(row)
            else:
                row.quantity += take
                changed_rows.append(row)
        line.qty_reserved += got
        reserved_now[pk] = got
    StockLevel.objects.bulk_update(list(levels.values()), ["reserved"])
    StockReservation.objects.bulk_create(new_rows)
    if changed_rows:
        StockReservation.objects.bulk_update(changed_rows, ["quantity"])
    SalesOrderLine.objects.bulk_update([by_pk[pk] for pk in wanted], ["qty_reserved"])
    return reserved_now


def stock_unreserve(*, lines) -> None:
    """Release everything reserved for ``lines`` (order cancelled)."""
    from modules.erp.sales.models import SalesOrderLine

    reservations = list(StockReservation.objects.filter(sales_line__in=[line.pk for line in lines]))
    if not reservations:
        return
    levels = levels_lock_by_pk(r.level_id for r in reservations)
    for reservation in reservations:
        levels[reservation.level_id].reserved -= reservation.quantity
    StockLevel.objects.bulk_update(list(levels.values()), ["reserved"])
    StockReservation.objects.filter(pk__in=[r.pk for r in reservations]).delete()
    for line in lines:
        line.qty_reserved = ZERO
    SalesOrderLine.objects.filter(pk__in=[line.pk for line in lines]).update(qty_reserved=ZERO)


def reservations_consume(*, wanted: dict[int, Decimal]) -> dict[int, list[tuple[StockLevel, Decimal]]]:
    """Take the delivered quantities (sales line id -> quantity) out of the lines' reservations, oldest first.
    Returns line id -> [(locked level, quantity)]; the moves then release that much reserved on each level."""
    reservations = list(StockReservation.objects.filter(sales_line_id__in=wanted).order_by("pk"))
    levels = levels_lock_by_pk((r.level_id for r in reservations), related=True)
    left, taken, changed, emptied = dict(wanted), {pk: [] for pk in wanted}, [], []
    for reservation in reservations:
        take = min(left[reservation.sales_line_id], reservation.quantity)
        if take <= 0:
            continue
        left[reservation.sales_line_id] -= take
        reservation.quantity -= take
        taken[reservation.sales_line_id].append((levels[reservation.level_id], take))
        (changed if reservation.quantity > 0 else emptied).append(reservation)
    if changed:
        StockReservation.objects.bulk_update(changed, ["quantity"])
    if emptied:
        StockReservation.objects.filter(pk__in=[r.pk for r in emptied]).delete()
    return taken
