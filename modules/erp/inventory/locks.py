"""Row locks on stock, always in one order so two writers never wait on each other in a circle:

1. the document (sales order, purchase order, picking, count) the caller works on;
2. stock levels, by primary key;
3. product valuations, by product primary key.

A caller that needs several of these takes them through these helpers, in this order, once.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from modules.erp.inventory.models import ProductValuation, StockLevel

LevelKey = tuple[int, int, int | None]  # product id, location id, lot id


def _key_filter(keys: Iterable[LevelKey]) -> Q:
    return reduce(or_, (Q(product_id=p, location_id=loc, lot_id=lot) if lot else
                        Q(product_id=p, location_id=loc, lot__isnull=True) for p, loc, lot in keys))


def levels_lock(keys: Iterable[LevelKey], *, create: Iterable[LevelKey] = ()) -> dict[LevelKey, StockLevel]:
    """Lock the stock levels of ``keys`` (by pk), first creating the empty rows of ``create`` that are missing."""
    keys, create = set(keys), set(create)
    if create:
        StockLevel.objects.bulk_create(
            [StockLevel(product_id=p, location_id=loc, lot_id=lot) for p, loc, lot in sorted(create, key=str)],
            ignore_conflicts=True)
    keys |= create
    if not keys:
        return {}
    rows = StockLevel.objects.select_for_update().filter(_key_filter(keys)).order_by("pk")
    return {(row.product_id, row.location_id, row.lot_id): row for row in rows}


def levels_lock_by_pk(pks: Iterable[int], *, related: bool = False) -> dict[int, StockLevel]:
    """Lock levels by pk; ``related`` also reads their location and lot (without locking those)."""
    pks = pks if isinstance(pks, QuerySet) else set(pks)
    rows = StockLevel.objects.select_for_update(of=("self",)).filter(pk__in=pks).order_by("pk")
    if related:
        rows = rows.select_related("location", "lot")
    return {row.pk: row for row in rows}


def valuations_lock(product_ids: Iterable[int], *, create: bool = True) -> dict[int, ProductValuation]:
    """Lock the valuation rows of ``product_ids``, by product pk; ``create`` first adds the missing ones (stock
    coming in; stock going out always has its row)."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    if create:
        ProductValuation.objects.bulk_create(
            [ProductValuation(product_id=pk, quantity=Decimal(0), value=Decimal(0)) for pk in ids],
            ignore_conflicts=True)
    rows = ProductValuation.objects.select_for_update().filter(product_id__in=ids).order_by("product_id")
    return {row.product_id: row for row in rows}
