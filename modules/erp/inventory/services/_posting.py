"""Posting stock moves: the one place that changes on-hand quantities and the valuation.

Every stock write (receipts, deliveries, transfers, counts, opening stock, reversals) builds ``MoveSpec``s and
calls ``moves_post``, which locks the levels and valuations involved (in the order of ``locks.py``), checks
availability on the locked rows, applies the quantities and the weighted-average values, and appends the moves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from modules.erp.catalog.models import Product
from modules.erp.catalog.money import money_round
from modules.erp.errors import ErpError
from modules.erp.inventory.locks import levels_lock, valuations_lock
from modules.erp.inventory.models import Location, Lot, Picking, PickingLine, ProductValuation, StockLevel, StockMove

COMPANY_CURRENCY = "VND"
ZERO = Decimal(0)

# Called with the moves of every ``moves_post``, in its transaction (accounting posts their value).
_POSTED_HOOKS: list[Callable] = []


def on_moves_posted(hook: Callable) -> Callable:
    """Register ``hook(moves, actor)``; the accounting app registers the entry that carries the moves' value."""
    if hook not in _POSTED_HOOKS:
        _POSTED_HOOKS.append(hook)
    return hook


@dataclass
class MoveSpec:
    kind: str
    product: Product
    quantity: Decimal
    location_from: Location | None = None
    location_to: Location | None = None
    lot: Lot | None = None
    unit_cost: Decimal | None = None  # incoming: cost per base unit in VND (None: the current average)
    value: Decimal | None = None  # reversals: exactly the value the original move carried
    release_reserved: Decimal = ZERO  # outgoing: the part of ``quantity`` that was reserved at the source
    picking: Picking | None = None
    picking_line: PickingLine | None = None
    party_id: int | None = None
    reference: str = ""
    reversal_of: StockMove | None = None

    def key(self, location: Location) -> tuple[int, int, int | None]:
        return (self.product.pk, location.pk, self.lot.pk if self.lot else None)


def _short(product: Product, available: Decimal) -> ErpError:
    return ErpError("insufficient_stock", _("Not enough %(product)s in stock: %(available)s available.") % {
        "product": product.name, "available": f"{available.normalize():f}"}, field="quantity")


def _value_out(valuation: ProductValuation, quantity: Decimal) -> Decimal:
    """The value leaving with ``quantity`` at the weighted average; the last units take whatever is left, so
    rounding never strands value on an empty stock."""
    if quantity >= valuation.quantity:
        return valuation.value
    return money_round(valuation.value * quantity / valuation.quantity, COMPANY_CURRENCY)


def moves_post(*, actor, specs: list[MoveSpec], levels: dict | None = None) -> list[StockMove]:
    """Apply and append ``specs`` in one go. ``levels``: rows the caller already locked (count apply)."""
    if not specs:
        return []
    outgoing = {spec.key(spec.location_from) for spec in specs if spec.location_from}
    incoming = {spec.key(spec.location_to) for spec in specs if spec.location_to}
    if levels is None or not (outgoing | incoming) <= set(levels):
        levels = levels_lock(outgoing, create=incoming)
    valuations = valuations_lock((spec.product.pk for spec in specs
                                  if spec.location_from is None or spec.location_to is None),
                                 create=any(spec.location_from is None for spec in specs))
    now, moves, touched = timezone.now(), [], {}
    for spec in specs:
        quantity = Decimal(spec.quantity)
        if quantity <= 0:
            raise ErpError("quantity_invalid", _("The quantity must be above zero."), field="quantity")
        if spec.location_from is not None:
            level = levels.get(spec.key(spec.location_from))
            available = (level.on_hand - level.reserved + spec.release_reserved) if level else ZERO
            if level is None or available < quantity:
                raise _short(spec.product, available)
            level.on_hand -= quantity
            level.reserved -= spec.release_reserved
            touched[level.pk] = level
        if spec.location_to is not None:
            level = levels[spec.key(spec.location_to)]
            level.on_hand += quantity
            if spec.product.tracking == Product.Tracking.SERIAL and level.on_hand > 1:
                raise ErpError("serial_in_stock", _("Serial number %(code)s is already in stock.") % {
                    "code": spec.lot.code if spec.lot else ""}, field="lot")
            touched[level.pk] = level
        unit_cost, value = ZERO, ZERO
        valuation = valuations.get(spec.product.pk)
        if spec.location_from is None:  # into stock from outside: adds its cost
            unit_cost = spec.unit_cost if spec.unit_cost is not None else valuation.average_cost
            value = spec.value if spec.value is not None else money_round(quantity * unit_cost, COMPANY_CURRENCY)
            valuation.quantity += quantity
            valuation.value += value
        elif spec.location_to is None:  # out of stock: leaves at the average (or exactly what it came with)
            value = spec.value if spec.value is not None else _value_out(valuation, quantity)
            unit_cost = value / quantity
            valuation.quantity -= quantity
            valuation.value -= value
            if valuation.quantity < 0:
                raise _short(spec.product, valuation.quantity + quantity)
        moves.append(StockMove(
            kind=spec.kind, product=spec.product, lot=spec.lot, quantity=quantity, location_from=spec.location_from,
            location_to=spec.location_to, unit_cost=unit_cost.quantize(Decimal("0.0001")), value=value,
            picking=spec.picking, picking_line=spec.picking_line, party_id=spec.party_id,
            reference=spec.reference[:60], reversal_of=spec.reversal_of, actor=actor if getattr(actor, "pk", None)
            else None, posted_at=now))
    StockLevel.objects.bulk_update(list(touched.values()), ["on_hand", "reserved"])
    if valuations:
        ProductValuation.objects.bulk_update(list(valuations.values()), ["quantity", "value"])
    moves = StockMove.objects.bulk_create(moves)
    for hook in _POSTED_HOOKS:
        hook(moves, actor)
    return moves
