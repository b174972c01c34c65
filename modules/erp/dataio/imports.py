"""The product and opening-stock import kinds, run by the CRM's import run (``import_kind_register``).

Products: every row is checked as ``product_create`` checks one (SKU free in the workspace and in the file, a
known unit and VAT code, a price rounded to the currency) and the model's own validation; categories named
but missing are created once. All products are then written with COPY (``bulk_copy``), in chunks.

Opening stock: every row names a stocked product, a warehouse (empty: the main one) and a location (empty:
its default), a quantity above zero and a cost; tracked products need a lot (a serial is one unit, not
already in stock). All rows are then posted through the inventory's one posting routine (``moves_post``, the
same one ``stock_opening_set`` uses), in chunks: each row becomes an opening move, and the levels and the
weighted-average valuation change with it, so valuation = the sum of quantity x cost added.

One audit row per import ("import.done"), as for the CRM's imports.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from modules.crm.dataio import fold
from modules.crm.models import ImportJob
from modules.crm.services._bulk import bulk_copy
from modules.crm.services.imports import CHUNK, Checked, ImportKind, import_kind_register
from modules.erp.catalog.models import Product, ProductCategory, Unit, VatRate
from modules.erp.catalog.money import money_round
from modules.erp.dataio.fields import OPENING_FIELDS, PRODUCT_FIELDS, CatalogLookups, StockLookups
from modules.erp.errors import ErpError
from modules.erp.inventory.locks import levels_lock, valuations_lock
from modules.erp.inventory.models import Location, Lot, StockLevel, StockMove, Warehouse
from modules.erp.inventory.services._posting import COMPANY_CURRENCY, MoveSpec, moves_post

Target = ImportJob.Target
SAMPLE_ROWS = 10


def _row_error(report, key: str, message: str) -> list[dict]:
    """A problem under the file column of ``key`` (the report maps fields to columns)."""
    return report(ValidationError({key: [message]}))


# --------------------------------------------------------------------------- products


def catalog_lookups(tenant) -> CatalogLookups:
    lookups = CatalogLookups(skus={sku.lower() for sku in Product.objects.values_list("sku", flat=True)},
                             vat_codes=set(VatRate.objects.values_list("code", flat=True)))
    for unit in Unit.objects.all():
        lookups.units.setdefault(fold(unit.name), unit)
        lookups.units[unit.code.lower()] = unit
    # A name used at several levels: the top-level category wins, then the oldest.
    for pk, name in ProductCategory.objects.order_by("parent_id", "pk").values_list("pk", "name"):
        lookups.categories.setdefault(fold(name), pk)
        lookups.category_names[pk] = name
    return lookups


def _build_product(*, checked: Checked, values: dict, lookups: CatalogLookups, actor, number: int,
                   report) -> list[dict]:
    sku_rows = checked.extra.setdefault("sku_rows", {})
    sku = values["sku"]
    if sku.lower() in lookups.skus:
        return _row_error(report, "sku", _("Another product already has this SKU."))
    if sku.lower() in sku_rows:
        return _row_error(report, "sku", _("Row %(row)d already has this SKU.") % {"row": sku_rows[sku.lower()]})
    sku_rows[sku.lower()] = number
    currency = values.get("currency") or "VND"
    price = values.get("sale_price") or Decimal(0)
    product = Product(sku=sku, name=values["name"], kind=values.get("kind") or Product.Kind.GOODS,
                      base_unit=values["unit"], barcode=values.get("barcode", ""),
                      vat_code=values.get("vat_code") or "10", sale_price=money_round(price, currency),
                      currency=currency, created_by_id=getattr(actor, "pk", None))
    try:
        # Foreign keys come from the lookups; uniqueness was checked above against the workspace and the file.
        product.full_clean(exclude=["category", "base_unit", "created_by"], validate_unique=False,
                           validate_constraints=False)
    except ValidationError as error:
        return report(error)
    category = values.get("category", "")
    key = fold(category) if category else None
    if key and key not in lookups.categories:
        checked.extra.setdefault("new_categories", {}).setdefault(key, ProductCategory(name=category[:120]))
    checked.records.append(product)
    checked.extra.setdefault("category_keys", []).append(key)
    return []


def _write_products(*, job: ImportJob, checked: Checked, lookups: CatalogLookups, actor, progress) -> dict:
    products = checked.records
    taken = set(Product.objects.annotate(lower=Lower("sku")).filter(
        lower__in=[product.sku.lower() for product in products]).values_list("sku", flat=True))
    if taken:  # saved by someone else since the check
        raise ErpError("sku_taken", _("Products with these SKUs were added meanwhile: %(skus)s. Nothing was "
                                      "imported; run the import again.") % {"skus": ", ".join(sorted(taken)[:10])})
    new_categories = checked.extra.get("new_categories", {})
    bulk_copy(ProductCategory, list(new_categories.values()))
    category_ids = {**lookups.categories, **{key: category.pk for key, category in new_categories.items()}}
    for product, key in zip(products, checked.extra["category_keys"], strict=True):
        product.category_id = category_ids.get(key) if key else None
    try:
        for start in range(0, len(products), CHUNK):
            bulk_copy(Product, products[start:start + CHUNK])
            progress(min(start + CHUNK, len(products)))
    except IntegrityError as error:  # a SKU saved in the instant since the check above; the run rolls back
        raise ErpError("sku_taken", _("A product with one of these SKUs was added meanwhile. Nothing was "
                                      "imported; run the import again.")) from error
    return {"created": len(products), "categories_created": len(new_categories)}


def _summary_products(checked: Checked, lookups: CatalogLookups) -> dict:
    products = checked.records
    kinds = Counter(product.kind for product in products)
    new_categories = checked.extra.get("new_categories", {})
    return {
        "rows": len(products),
        "by_kind": [(str(label), kinds[value]) for value, label in Product.Kind.choices if kinds[value]],
        "new_categories": sorted(category.name for category in new_categories.values()),
        "samples": [{"sku": product.sku, "name": product.name, "kind": str(product.get_kind_display()),
                     "unit": product.base_unit.name, "category": category or "", "vat": product.vat_code,
                     "price": product.sale_price, "currency": product.currency}
                    for product, category in zip(products[:SAMPLE_ROWS], _category_names(checked, lookups),
                                                 strict=False)],
    }


def _category_names(checked: Checked, lookups: CatalogLookups) -> list[str]:
    new = checked.extra.get("new_categories", {})
    return ["" if key is None else new[key].name if key in new else lookups.category_names[lookups.categories[key]]
            for key in checked.extra.get("category_keys", [])[:SAMPLE_ROWS]]


# --------------------------------------------------------------------------- opening stock


@dataclass
class OpeningRow:
    number: int
    product: Product
    location: Location
    quantity: Decimal
    unit_cost: Decimal
    lot_code: str


def stock_lookups(tenant) -> StockLookups:
    lookups = StockLookups(products={product.sku.lower(): product for product in Product.objects.only(
        "pk", "sku", "name", "kind", "tracking", "is_active", "base_unit_id")})
    warehouses = list(Warehouse.objects.filter(is_active=True))  # the default one first
    lookups.warehouses = {warehouse.code.lower(): warehouse for warehouse in warehouses}
    lookups.default_warehouse = warehouses[0] if warehouses else None
    for location in Location.objects.filter(is_active=True, warehouse__is_active=True).select_related("warehouse"):
        lookups.locations[(location.warehouse_id, location.code.lower())] = location
        if location.is_default:
            lookups.default_locations[location.warehouse_id] = location
    return lookups


def _build_opening(*, checked: Checked, values: dict, lookups: StockLookups, actor, number: int,
                   report) -> list[dict]:
    product = values["product"]
    if product.kind != Product.Kind.GOODS:
        return _row_error(report, "product", _("%(product)s is not stocked: only goods are kept in stock.") % {
            "product": product.name})
    if not product.is_active:
        return _row_error(report, "product", _("%(product)s is archived.") % {"product": product.name})
    warehouse = values.get("warehouse") or lookups.default_warehouse
    if warehouse is None:
        return _row_error(report, "warehouse", _("Create a warehouse first."))
    code = values.get("location", "")
    location = (lookups.locations.get((warehouse.pk, code.lower())) if code
                else lookups.default_locations.get(warehouse.pk))
    if location is None:
        return _row_error(report, "location", _("Warehouse %(warehouse)s has no location %(code)s.") % {
            "warehouse": warehouse.code, "code": code or _("(default)")})
    lot_code = values.get("lot_code", "")
    quantity = values["quantity"]
    if product.tracking == Product.Tracking.NONE and lot_code:
        return _row_error(report, "lot_code", _("%(product)s is not tracked by lot or serial: leave this empty.")
                          % {"product": product.name})
    if product.tracking != Product.Tracking.NONE and not lot_code:
        return _row_error(report, "lot_code", _("Enter the lot of %(product)s.") % {"product": product.name})
    if product.tracking == Product.Tracking.SERIAL and quantity != 1:
        return _row_error(report, "quantity", _("A serial number is one unit: put each on its own row with "
                                                "quantity 1."))
    checked.records.append(OpeningRow(number=number, product=product, location=location, quantity=quantity,
                                      unit_cost=values["unit_cost"], lot_code=lot_code))
    return []


def _resolve_opening(checked: Checked, column_of: dict[str, str], lookups: StockLookups) -> list[dict]:
    """A serial number once in the file, and not already in stock (one query)."""
    serial_rows = [row for row in checked.records if row.product.tracking == Product.Tracking.SERIAL]
    if not serial_rows:
        return []
    column = column_of.get("lot_code", "")
    problems, first_row = [], {}
    for row in serial_rows:
        key = (row.product.pk, row.lot_code.lower())
        if key in first_row:
            problems.append({"row": row.number, "column": column, "field": "lot_code", "message": _(
                "Row %(row)d already has this serial number.") % {"row": first_row[key]}})
        first_row.setdefault(key, row.number)
    in_stock = set(StockLevel.objects.filter(
        on_hand__gt=0, lot__product_id__in={row.product.pk for row in serial_rows},
        lot__code__in={row.lot_code for row in serial_rows}).values_list("lot__product_id", "lot__code"))
    problems.extend({"row": row.number, "column": column, "field": "lot_code", "message": _(
        "Serial number %(code)s is already in stock.") % {"code": row.lot_code}}
        for row in serial_rows if (row.product.pk, row.lot_code) in in_stock)
    return problems


def _lots_for(rows: list[OpeningRow]) -> dict[tuple[int, str], Lot]:
    wanted = {(row.product.pk, row.lot_code) for row in rows if row.lot_code}
    if not wanted:
        return {}
    lots = {(lot.product_id, lot.code): lot for lot in Lot.objects.filter(
        product_id__in={product_id for product_id, _code in wanted}, code__in={code for _pk, code in wanted})}
    missing = [Lot(product_id=product_id, code=code) for product_id, code in sorted(wanted - set(lots))]
    Lot.objects.bulk_create(missing)
    lots.update({(lot.product_id, lot.code): lot for lot in missing})
    return lots


def _write_opening(*, job: ImportJob, checked: Checked, lookups: StockLookups, actor, progress) -> dict:
    rows: list[OpeningRow] = checked.records
    lots = _lots_for(rows)
    reference = _("Opening stock")
    specs = [MoveSpec(kind=StockMove.Kind.OPENING, product=row.product, quantity=row.quantity,
                      location_to=row.location, lot=lots.get((row.product.pk, row.lot_code)),
                      unit_cost=row.unit_cost, reference=reference) for row in rows]
    # Every row lock up front, in the inventory's one order (levels by pk, then valuations), once: taking them
    # chunk by chunk would lock levels after valuations and could deadlock with a delivery.
    levels = levels_lock((), create={spec.key(spec.location_to) for spec in specs})
    valuations_lock({spec.product.pk for spec in specs})
    value = Decimal(0)
    for start in range(0, len(specs), CHUNK):
        moves = moves_post(actor=actor, specs=specs[start:start + CHUNK], levels=levels)
        value += sum((move.value for move in moves), Decimal(0))
        progress(min(start + CHUNK, len(specs)))
    return {"created": len(specs), "products": len({row.product.pk for row in rows}), "value": str(value)}


def _summary_opening(checked: Checked, lookups: StockLookups) -> dict:
    rows: list[OpeningRow] = checked.records
    by_warehouse = Counter(row.location.warehouse.code for row in rows)
    return {
        "rows": len(rows),
        "products": len({row.product.pk for row in rows}),
        "value": sum((money_round(row.quantity * row.unit_cost, COMPANY_CURRENCY) for row in rows), Decimal(0)),
        "by_warehouse": sorted(by_warehouse.items()),
        "samples": [{"sku": row.product.sku, "name": row.product.name, "location": str(row.location),
                     "quantity": row.quantity, "unit_cost": row.unit_cost, "lot": row.lot_code,
                     "value": money_round(row.quantity * row.unit_cost, COMPANY_CURRENCY)}
                    for row in rows[:SAMPLE_ROWS]],
    }


# --------------------------------------------------------------------------- registration

FEATURES = {Target.PRODUCTS: "erp.catalog", Target.OPENING_STOCK: "erp.inventory"}

import_kind_register(Target.PRODUCTS, ImportKind(
    feature=FEATURES[Target.PRODUCTS], fields=PRODUCT_FIELDS, lookups=catalog_lookups, build=_build_product,
    write=_write_products, summary=_summary_products, errors=(ErpError,)))
import_kind_register(Target.OPENING_STOCK, ImportKind(
    feature=FEATURES[Target.OPENING_STOCK], fields=OPENING_FIELDS, lookups=stock_lookups, build=_build_opening,
    write=_write_opening, summary=_summary_opening, resolve=_resolve_opening, errors=(ErpError,)))
