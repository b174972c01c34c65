"""Reversing a posted move: the ledger is never edited; a reversal moves the same quantity back, carrying
exactly the value the original carried, and puts the order behind it back where it was."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from modules.crm.audit import audit_change
from modules.erp.errors import ErpError
from modules.erp.inventory.models import StockMove
from modules.erp.inventory.services._posting import MoveSpec, moves_post


@transaction.atomic
def move_reverse(*, actor, move: StockMove) -> StockMove:
    move = StockMove.objects.select_related("product", "lot", "location_from", "location_to",
                                            "picking_line__sales_line", "picking_line__purchase_line").get(pk=move.pk)
    if move.reversal_of_id is not None:
        raise ErpError("reversal_of_reversal", _("A reversal cannot be reversed; post the move again."),
                       field="move")
    if StockMove.objects.filter(reversal_of=move).exists():
        raise ErpError("already_reversed", _("This move is already reversed."), field="move")
    spec = MoveSpec(kind=move.kind, product=move.product, quantity=move.quantity, location_from=move.location_to,
                    location_to=move.location_from, lot=move.lot, value=move.value, unit_cost=move.unit_cost,
                    picking=move.picking, picking_line=move.picking_line, party_id=move.party_id,
                    reference=_("Reversal of %(reference)s") % {"reference": move.reference or move.pk},
                    reversal_of=move)
    try:
        with transaction.atomic():
            [reversal] = moves_post(actor=actor, specs=[spec])
    except IntegrityError as error:  # a concurrent reversal of the same move won the unique reversal_of
        raise ErpError("already_reversed", _("This move is already reversed."), field="move") from error
    _order_lines_back(move)
    audit_change(actor=actor, action="inventory.move_reversed", target=move, before=None,
                 after={"reversal": reversal.pk})
    return reversal


def _order_lines_back(move: StockMove) -> None:
    """A reversed delivery is delivered no more (the order reopens); a reversed receipt is received no more."""
    line = move.picking_line
    if line is None:
        return
    if move.kind == StockMove.Kind.DELIVERY and line.sales_line_id:
        from modules.erp.sales.models import SalesOrder, SalesOrderLine

        SalesOrderLine.objects.filter(pk=line.sales_line_id).update(qty_delivered=F("qty_delivered") - move.quantity)
        SalesOrder.objects.filter(pk=line.sales_line.order_id, state=SalesOrder.State.DONE).update(
            state=SalesOrder.State.CONFIRMED)
    elif move.kind == StockMove.Kind.RECEIPT and line.purchase_line_id:
        from modules.erp.purchasing.models import PurchaseOrder, PurchaseOrderLine

        PurchaseOrderLine.objects.filter(pk=line.purchase_line_id).update(
            qty_received=F("qty_received") - move.quantity)
        PurchaseOrder.objects.filter(pk=line.purchase_line.order_id, state=PurchaseOrder.State.DONE).update(
            state=PurchaseOrder.State.CONFIRMED)
