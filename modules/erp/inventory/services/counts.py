"""Stock counts: snapshot what the books say, enter what is on the shelves, post the differences."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from modules.crm.audit import audit_change
from modules.erp.common.numbering import sequence_next
from modules.erp.errors import ErpError
from modules.erp.inventory.locks import levels_lock
from modules.erp.inventory.models import Location, StockCount, StockCountLine, StockLevel, StockMove, Warehouse
from modules.erp.inventory.services._posting import MoveSpec, moves_post


@transaction.atomic
def count_start(*, actor, warehouse: Warehouse, location: Location | None = None) -> StockCount:
    """A count with one line per product, location and lot the books hold in ``warehouse`` (or ``location``)."""
    count = StockCount.objects.create(number=sequence_next("inventory.count"), warehouse=warehouse,
                                      created_by=actor if getattr(actor, "pk", None) else None)
    levels = StockLevel.objects.filter(location__warehouse=warehouse, on_hand__gt=0)
    if location is not None:
        levels = levels.filter(location=location)
    StockCountLine.objects.bulk_create([
        StockCountLine(count=count, product_id=level.product_id, location_id=level.location_id, lot_id=level.lot_id,
                       expected=level.on_hand) for level in levels.order_by("location_id", "product_id", "pk")])
    audit_change(actor=actor, action="inventory.count_started", target=count, before=None,
                 after={"number": count.number})
    return count


def _count_lock(count: StockCount) -> StockCount:
    count = StockCount.objects.select_for_update().get(pk=count.pk)
    if count.state != StockCount.State.DRAFT:
        raise ErpError("count_closed", _("This count is already applied or cancelled."), field="state")
    return count


@transaction.atomic
def count_line_add(*, actor, count: StockCount, product, location: Location, lot=None) -> StockCountLine:
    """Count a product the books do not show at ``location`` (its expected quantity is 0)."""
    _count_lock(count)
    if location.warehouse_id != count.warehouse_id:
        raise ErpError("location_other_warehouse", _("This location is in another warehouse."), field="location")
    line, _created = StockCountLine.objects.get_or_create(count=count, product=product, location=location, lot=lot)
    return line


@transaction.atomic
def count_line_set(*, actor, line: StockCountLine, counted) -> StockCountLine:
    _count_lock(line.count)
    counted = None if counted in (None, "") else Decimal(str(counted))
    if counted is not None and counted < 0:
        raise ErpError("counted_negative", _("A counted quantity cannot be negative."), field=f"counted-{line.pk}")
    line.counted = counted
    line.save(update_fields=["counted"])
    return line


@transaction.atomic
def count_apply(*, actor, count: StockCount) -> list[StockMove]:
    """Post an adjustment for every counted line that differs from the stock on hand now (not at the start:
    moves made during the count stay). Gains come in at the average cost; losses leave at it."""
    count = _count_lock(count)
    lines = [line for line in count.lines.select_related("product", "location", "lot") if line.counted is not None]
    keys = {(line.product_id, line.location_id, line.lot_id) for line in lines}
    levels = levels_lock(keys, create=keys)
    specs = []
    for line in lines:
        difference = line.counted - levels[(line.product_id, line.location_id, line.lot_id)].on_hand
        if difference > 0:
            specs.append(MoveSpec(kind=StockMove.Kind.ADJUSTMENT, product=line.product, quantity=difference,
                                  location_to=line.location, lot=line.lot, reference=count.number))
        elif difference < 0:
            specs.append(MoveSpec(kind=StockMove.Kind.ADJUSTMENT, product=line.product, quantity=-difference,
                                  location_from=line.location, lot=line.lot, reference=count.number))
    try:
        moves = moves_post(actor=actor, specs=specs, levels=levels)
    except ErpError as error:
        if error.code != "insufficient_stock":
            raise
        raise ErpError("count_below_reserved", _("A counted quantity is below what is reserved for orders; "
                                                 "deliver or release those first.") + " " + error.message,
                       field="counted") from error
    count.state, count.done_at = StockCount.State.DONE, timezone.now()
    count.save(update_fields=["state", "done_at"])
    audit_change(actor=actor, action="inventory.count_applied", target=count, before=None,
                 after={"number": count.number, "adjustments": len(moves)})
    return moves


@transaction.atomic
def count_cancel(*, actor, count: StockCount) -> StockCount:
    count = _count_lock(count)
    count.state = StockCount.State.CANCELLED
    count.save(update_fields=["state"])
    audit_change(actor=actor, action="inventory.count_cancelled", target=count, before=None,
                 after={"number": count.number})
    return count
