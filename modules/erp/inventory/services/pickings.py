"""Receipts, deliveries and internal transfers: created ready, validated once (fully or partly, the rest
going to a backorder), or cancelled. Validation posts the moves and advances the orders behind them."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from modules.crm.audit import audit_change
from modules.erp.catalog.models import Product
from modules.erp.common.numbering import sequence_next
from modules.erp.errors import ErpError
from modules.erp.inventory.models import Location, Lot, Picking, PickingLine, StockMove, Warehouse
from modules.erp.inventory.services._posting import MoveSpec, moves_post
from modules.erp.inventory.services.reservations import reservations_consume, stock_reserve

ZERO = Decimal(0)
Kind = Picking.Kind


def default_location(warehouse: Warehouse) -> Location:
    location = warehouse.locations.filter(is_default=True).first()
    if location is None:
        raise ErpError("no_default_location", _("The warehouse has no default location."), field="warehouse")
    return location


def picking_create(*, actor, kind: str, warehouse: Warehouse, lines: list[dict], party=None, sales_order=None,
                   purchase_order=None, location_src: Location | None = None, location_dest: Location | None = None,
                   scheduled_date: datetime.date | None = None, note: str = "", backorder_of=None) -> Picking:
    """A ready operation. Line dicts: product, quantity (base unit), unit_cost, lot_code, sales_line,
    purchase_line. Transfers need both locations; service and consumable products are not stocked. Checked
    before the writing transaction, which takes no savepoint inside the caller's."""
    if kind == Kind.INTERNAL and (location_src is None or location_dest is None
                                  or location_src.pk == location_dest.pk):
        raise ErpError("transfer_locations", _("Choose two different locations."), field="location_dest")
    lines = [line for line in lines if line["product"].kind == Product.Kind.GOODS]
    if not lines:
        raise ErpError("lines_required", _("Add at least one stocked product."), field="lines")
    for line in lines:
        if Decimal(line["quantity"]) <= 0:
            raise ErpError("quantity_invalid", _("The quantity must be above zero."), field="quantity")
    with transaction.atomic(savepoint=False):  # checked above: a refusal leaves the caller's transaction usable
        picking = Picking.objects.create(
            number=sequence_next(f"inventory.{kind}"), kind=kind, warehouse=warehouse, party=party,
            sales_order=sales_order, purchase_order=purchase_order, location_src=location_src,
            location_dest=location_dest, scheduled_date=scheduled_date or timezone.localdate(), note=note[:255],
            backorder_of=backorder_of, created_by=actor if getattr(actor, "pk", None) else None)
        PickingLine.objects.bulk_create([PickingLine(
            picking=picking, product=line["product"], quantity=Decimal(line["quantity"]),
            unit_cost=line.get("unit_cost"), lot_code=line.get("lot_code", ""), sales_line=line.get("sales_line"),
            purchase_line=line.get("purchase_line")) for line in lines])
        if backorder_of is None and sales_order is None and purchase_order is None:  # orders audit their own
            audit_change(actor=actor, action=f"inventory.{kind}_created", target=picking, before=None,
                         after={"number": picking.number, "lines": len(lines)})
    return picking


def _lot_codes(text: str) -> list[str]:
    return [code for code in text.replace(",", " ").replace(";", " ").split() if code]


def _lots_for(line: PickingLine, quantity: Decimal, text: str, *, create: bool) -> list[tuple[Lot, Decimal]]:
    """The lots a tracked line moves: one lot code for the whole quantity, or one serial per unit."""
    product, codes = line.product, _lot_codes(text or line.lot_code)
    if product.tracking == Product.Tracking.LOT:
        if len(codes) != 1:
            raise ErpError("lot_required", _("Enter the lot of %(product)s.") % {"product": product.name},
                           field=f"lot-{line.pk}")
        pairs = [(codes[0], quantity)]
    else:
        if quantity != quantity.to_integral_value() or len(codes) != int(quantity) or len(set(codes)) != len(codes):
            raise ErpError("serials_required", _("Enter %(count)s different serial numbers for %(product)s.") % {
                "count": f"{quantity.normalize():f}", "product": product.name}, field=f"lot-{line.pk}")
        pairs = [(code, Decimal(1)) for code in codes]
    if create:
        return [(Lot.objects.get_or_create(product=product, code=code)[0], qty) for code, qty in pairs]
    lots = {lot.code: lot for lot in Lot.objects.filter(product=product, code__in=[code for code, _q in pairs])}
    missing = [code for code, _q in pairs if code not in lots]
    if missing:
        raise ErpError("lot_unknown", _("Unknown lot or serial: %(codes)s.") % {"codes": ", ".join(missing)},
                       field=f"lot-{line.pk}")
    return [(lots[code], qty) for code, qty in pairs]


def _done_quantities(lines: list[PickingLine], done: dict[int, Decimal] | None) -> dict[int, Decimal]:
    result = {}
    for line in lines:
        quantity = Decimal(str(done.get(line.pk, ZERO))) if done is not None else line.quantity
        if quantity < 0 or quantity > line.quantity:
            raise ErpError("done_out_of_range", _("Done quantities go from 0 to the quantity asked."),
                           field=f"done-{line.pk}")
        result[line.pk] = quantity
    if not any(result.values()):
        raise ErpError("nothing_done", _("Enter the quantities that were done."), field="done")
    return result


def _receipt_specs(picking, lines, done, lot_codes, reference) -> list[MoveSpec]:
    destination = picking.location_dest or default_location(picking.warehouse)
    specs = []
    for line in lines:
        quantity = done[line.pk]
        if not quantity:
            continue
        tracked = line.product.tracking != Product.Tracking.NONE
        for lot, part in (_lots_for(line, quantity, lot_codes.get(line.pk, ""), create=True) if tracked
                          else [(None, quantity)]):
            specs.append(MoveSpec(kind=StockMove.Kind.RECEIPT, product=line.product, quantity=part, lot=lot,
                                  location_to=destination, unit_cost=line.unit_cost, picking=picking,
                                  picking_line=line, party_id=picking.party_id, reference=reference))
    return specs


def _delivery_specs(picking, lines, done, reference) -> tuple[list[MoveSpec], dict]:
    """Deliveries take what their sales lines reserved; the rest is reserved now, or the delivery fails."""
    wanted = {line.sales_line_id: done[line.pk] for line in lines if done[line.pk]}
    sales_lines = {line.sales_line_id: line.sales_line for line in lines if line.sales_line_id}
    if len(sales_lines) != len(lines):
        raise ErpError("delivery_without_order", _("A delivery line must come from a sales order."), field="lines")
    short = [sales_lines[pk] for pk, quantity in wanted.items() if sales_lines[pk].qty_reserved < quantity]
    if short:
        stock_reserve(lines=short, warehouse=picking.warehouse)
    for pk, quantity in wanted.items():
        if sales_lines[pk].qty_reserved < quantity:
            line = sales_lines[pk]
            raise ErpError("insufficient_stock", _("Not enough %(product)s in stock: %(available)s available.") % {
                "product": line.product.name, "available": f"{line.qty_reserved.normalize():f}"},
                field=f"done-{next(pl.pk for pl in lines if pl.sales_line_id == pk)}")
    taken = reservations_consume(wanted=wanted)
    by_sales_line = {line.sales_line_id: line for line in lines}
    specs, levels = [], {}
    for pk, parts in taken.items():
        picking_line = by_sales_line[pk]
        for level, quantity in parts:
            levels[(level.product_id, level.location_id, level.lot_id)] = level
            specs.append(MoveSpec(kind=StockMove.Kind.DELIVERY, product=picking_line.product, quantity=quantity,
                                  location_from=level.location, lot=level.lot, release_reserved=quantity,
                                  picking=picking, picking_line=picking_line, party_id=picking.party_id,
                                  reference=reference))
    return specs, levels


def _internal_specs(picking, lines, done, lot_codes, reference) -> list[MoveSpec]:
    specs = []
    for line in lines:
        quantity = done[line.pk]
        if not quantity:
            continue
        tracked = line.product.tracking != Product.Tracking.NONE
        for lot, part in (_lots_for(line, quantity, lot_codes.get(line.pk, ""), create=False) if tracked
                          else [(None, quantity)]):
            specs.append(MoveSpec(kind=StockMove.Kind.INTERNAL, product=line.product, quantity=part, lot=lot,
                                  location_from=picking.location_src, location_to=picking.location_dest,
                                  picking=picking, picking_line=line, reference=reference))
    return specs


def _orders_advance(picking: Picking, lines: list[PickingLine], done: dict[int, Decimal]) -> None:
    """Add the done quantities to the order lines and close the order once everything arrived or left."""
    if picking.kind == Kind.DELIVERY and picking.sales_order_id:
        from modules.erp.sales.models import SalesOrder, SalesOrderLine

        changed = []
        for line in lines:
            if done[line.pk]:
                line.sales_line.qty_delivered += done[line.pk]
                line.sales_line.qty_reserved -= done[line.pk]
                changed.append(line.sales_line)
        SalesOrderLine.objects.bulk_update(changed, ["qty_delivered", "qty_reserved"])
        waiting = SalesOrderLine.objects.filter(order=OuterRef("pk"), product__kind=Product.Kind.GOODS,
                                                qty_delivered__lt=F("quantity_base"))
        SalesOrder.objects.filter(pk=picking.sales_order_id).filter(~Exists(waiting)).update(
            state=SalesOrder.State.DONE, updated_at=timezone.now())
    elif picking.kind == Kind.RECEIPT and picking.purchase_order_id:
        from modules.erp.purchasing.models import PurchaseOrder, PurchaseOrderLine

        changed = []
        for line in lines:
            if done[line.pk] and line.purchase_line_id:
                line.purchase_line.qty_received += done[line.pk]
                changed.append(line.purchase_line)
        PurchaseOrderLine.objects.bulk_update(changed, ["qty_received"])
        waiting = PurchaseOrderLine.objects.filter(order=OuterRef("pk"), product__kind=Product.Kind.GOODS,
                                                   qty_received__lt=F("quantity_base"))
        PurchaseOrder.objects.filter(pk=picking.purchase_order_id).filter(~Exists(waiting)).update(
            state=PurchaseOrder.State.DONE, updated_at=timezone.now())


def _order_lock(picking: Picking) -> None:
    """Lock order (locks.py): the order behind the picking first, then the picking."""
    if picking.sales_order_id:
        from modules.erp.sales.models import SalesOrder

        SalesOrder.objects.select_for_update().filter(pk=picking.sales_order_id).values_list("pk").first()
    elif picking.purchase_order_id:
        from modules.erp.purchasing.models import PurchaseOrder

        PurchaseOrder.objects.select_for_update().filter(pk=picking.purchase_order_id).values_list("pk").first()


def picking_lock(picking: Picking) -> Picking:
    locked = (Picking.objects.select_for_update(of=("self",))
              .select_related("warehouse", "location_src", "location_dest", "sales_order", "purchase_order")
              .get(pk=picking.pk))
    if locked.state != Picking.State.READY:
        raise ErpError("picking_not_ready", _("This operation is already done or cancelled."), field="state")
    return locked


@transaction.atomic
def picking_validate(*, actor, picking: Picking, done: dict[int, Decimal] | None = None,
                     lot_codes: dict[int, str] | None = None) -> Picking | None:
    """Post what was done (``done``: picking line id -> quantity; None: everything) and put the rest on a
    backorder, which is returned. Quantities are in base units."""
    _order_lock(picking)
    picking = picking_lock(picking)
    lines = list(picking.lines.select_related("product", "sales_line__product", "purchase_line"))
    done, lot_codes = _done_quantities(lines, done), lot_codes or {}
    reference = picking.number
    levels = None
    if picking.kind == Kind.RECEIPT:
        specs = _receipt_specs(picking, lines, done, lot_codes, reference)
    elif picking.kind == Kind.DELIVERY:
        specs, levels = _delivery_specs(picking, lines, done, reference)
    else:
        specs = _internal_specs(picking, lines, done, lot_codes, reference)
    moves_post(actor=actor, specs=specs, levels=levels)
    for line in lines:
        line.quantity_done = done[line.pk]
    PickingLine.objects.bulk_update(lines, ["quantity_done"])
    picking.state, picking.done_at = Picking.State.DONE, timezone.now()
    picking.save(update_fields=["state", "done_at"])
    _orders_advance(picking, lines, done)
    rest = [line for line in lines if done[line.pk] < line.quantity]
    backorder = None
    if rest:
        backorder = picking_create(
            actor=actor, kind=picking.kind, warehouse=picking.warehouse, party=picking.party,
            sales_order=picking.sales_order, purchase_order=picking.purchase_order, location_src=picking.location_src,
            location_dest=picking.location_dest, scheduled_date=picking.scheduled_date, note=picking.note,
            backorder_of=picking, lines=[{
                "product": line.product, "quantity": line.quantity - done[line.pk], "unit_cost": line.unit_cost,
                "lot_code": "", "sales_line": line.sales_line, "purchase_line": line.purchase_line} for line in rest])
    audit_change(actor=actor, action=f"inventory.{picking.kind}_validated", target=picking, before=None, after={
        "number": picking.number, "moves": len(specs), "backorder": backorder.number if backorder else None})
    return backorder


@transaction.atomic
def picking_cancel(*, actor, picking: Picking, from_order: bool = False) -> Picking:
    """Cancel a ready operation. One that belongs to an open order is cancelled with the order."""
    picking = picking_lock(picking)
    if not from_order and (picking.sales_order_id or picking.purchase_order_id):
        raise ErpError("cancel_the_order", _("This operation belongs to an order: cancel the order instead."),
                       field="state")
    picking.state = Picking.State.CANCELLED
    picking.save(update_fields=["state"])
    audit_change(actor=actor, action=f"inventory.{picking.kind}_cancelled", target=picking, before=None,
                 after={"number": picking.number})
    return picking
