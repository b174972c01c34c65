"""What a product or opening-stock file can fill in: the fields, the header names that suggest them (Vietnamese
and English, matched without accents), and how one cell becomes a value (``CellError`` for the report).

Parsers read what the model cannot check alone: unit codes, VAT codes written as "10%" or 0.1, quantities and
costs in Vietnamese number formats, and the products, warehouses and locations rows name (``*Lookups``, loaded
once per import)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from modules.crm.dataio import fold
from modules.crm.import_fields import CellError, FieldSpec, parse_amount, parse_name, parse_text
from modules.erp.catalog.models import CURRENCIES, Product, Unit

# --------------------------------------------------------------------------- lookups


@dataclass
class CatalogLookups:
    """Units by code and by name, categories by name (folded), the SKUs taken (lower case), the VAT codes."""

    units: dict[str, Unit] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)
    category_names: dict[int, str] = field(default_factory=dict)
    skus: set[str] = field(default_factory=set)
    vat_codes: set[str] = field(default_factory=set)


@dataclass
class StockLookups:
    """Products by SKU (lower case), warehouses by code, locations by (warehouse id, code), and each
    warehouse's default location."""

    products: dict[str, Product] = field(default_factory=dict)
    warehouses: dict[str, object] = field(default_factory=dict)
    default_warehouse: object = None
    locations: dict[tuple[int, str], object] = field(default_factory=dict)
    default_locations: dict[int, object] = field(default_factory=dict)


# --------------------------------------------------------------------------- parsers


def parse_code(value, lookups) -> str:
    """A code as typed; a number Excel stored as a number loses its ".0" (SKU 1001, barcode 893...)."""
    return parse_text(value, lookups)


def _choice(choices, extra: dict[str, str]):
    known: dict[str, str] = {}

    def words() -> dict[str, str]:
        if not known:  # labels translate only once the apps are loaded
            for value, label in choices:
                known[fold(value)] = value
                known[fold(str(label))] = value
                with translation.override("vi"):
                    known[fold(str(label))] = value
            known.update({fold(word): value for word, value in extra.items()})
        return known

    def parse(cell, lookups) -> str:
        text = parse_text(cell, lookups)
        if not text:
            return ""
        value = words().get(fold(text))
        if value is None:
            raise CellError(_("%(value)s is not one of: %(choices)s.") % {
                "value": text, "choices": ", ".join(str(label) for _value, label in choices)})
        return value

    return parse


parse_kind = _choice(Product.Kind.choices, {
    "hang": "goods", "hang hoa": "goods", "san pham": "goods", "thanh pham": "goods", "product": "goods",
    "dv": "service", "dich vu": "service", "vat tu": "consumable", "tieu hao": "consumable",
    "vat tu tieu hao": "consumable", "cong cu dung cu": "consumable"})
parse_currency = _choice(CURRENCIES, {"đ": "VND", "₫": "VND", "dong": "VND", "vnđ": "VND", "$": "USD",
                                      "us$": "USD"})


def parse_unit(value, lookups: CatalogLookups):
    text = parse_text(value, lookups)
    if not text:
        return None
    unit = lookups.units.get(text.lower()) or lookups.units.get(fold(text))
    if unit is None:
        codes = sorted({unit.code for unit in lookups.units.values()})
        raise CellError(_("%(value)s is not a unit. Use one of: %(codes)s (or add the unit first).") % {
            "value": text, "codes": ", ".join(codes)})
    return unit


EXEMPT_WORDS = {"exempt", "kct", "khong chiu thue", "mien thue", "khong"}


def _vat_number(text: str) -> str:
    """A rate written as a number: 10, 8.0, or a fraction (0.08, a percentage cell) -> "10", "8", "8"."""
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return text
    if not number.is_finite():
        return text
    return f"{(number * 100 if 0 < number < 1 else number).normalize():f}"


def parse_vat(value, lookups: CatalogLookups) -> str:
    """"10", "10%", 0.1 or "0.1" (a percentage cell), "8", "0", "KCT" (not subject to VAT)."""
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int | float | Decimal):
        text = _vat_number(str(value))
    else:
        raw = parse_text(value, lookups)
        text = raw.replace("%", "").strip() if "%" in raw else _vat_number(raw)
    if not text:
        return ""
    code = "exempt" if fold(text) in EXEMPT_WORDS else text
    if code not in lookups.vat_codes:
        raise CellError(_("%(value)s is not a VAT rate. Use one of: %(codes)s.") % {
            "value": text, "codes": ", ".join(sorted(lookups.vat_codes))})
    return code


def _places(number: Decimal) -> int:
    return max(0, -number.normalize().as_tuple().exponent)


def parse_quantity(value, lookups) -> Decimal | None:
    if parse_text(value, lookups).startswith("-"):
        raise CellError(_("The quantity must be above zero."))
    quantity = parse_amount(value, lookups)
    if quantity is None:
        return None
    if quantity <= 0:
        raise CellError(_("The quantity must be above zero."))
    if _places(quantity) > 3:
        raise CellError(_("A quantity has at most 3 decimals."))
    return quantity


def parse_cost(value, lookups) -> Decimal | None:
    if parse_text(value, lookups).startswith("-"):
        raise CellError(_("A cost cannot be negative."))
    cost = parse_amount(value, lookups)
    if cost is not None and _places(cost) > 4:
        raise CellError(_("A unit cost has at most 4 decimals."))
    return cost


def parse_product(value, lookups: StockLookups):
    sku = parse_code(value, lookups)
    if not sku:
        return None
    product = lookups.products.get(sku.lower())
    if product is None:
        raise CellError(_("No product has the SKU %(sku)s. Add or import the product first.") % {"sku": sku})
    return product


def parse_warehouse(value, lookups: StockLookups):
    code = parse_code(value, lookups)
    if not code:
        return None
    warehouse = lookups.warehouses.get(code.lower())
    if warehouse is None:
        raise CellError(_("There is no warehouse with the code %(code)s.") % {"code": code})
    return warehouse


# --------------------------------------------------------------------------- fields per target

SKU_NAMES = ("ma", "ma hang", "ma hang hoa", "ma san pham", "ma sp", "ma vat tu", "ma vt", "code", "product code",
             "item code", "item", "sku")

PRODUCT_FIELDS = [
    FieldSpec("sku", gettext_lazy("SKU"), parse_code, required=True, synonyms=SKU_NAMES),
    FieldSpec("name", gettext_lazy("Name"), parse_name, required=True, synonyms=(
        "ten", "ten hang", "ten hang hoa", "ten san pham", "ten sp", "ten vat tu", "product", "product name",
        "item name", "description")),
    FieldSpec("kind", gettext_lazy("Kind (goods, service, consumable)"), parse_kind, synonyms=(
        "loai", "loai hang", "tinh chat", "type", "kind", "product type")),
    FieldSpec("unit", gettext_lazy("Unit (code or name)"), parse_unit, required=True, synonyms=(
        "dvt", "don vi tinh", "don vi", "unit", "uom", "unit code", "base unit")),
    FieldSpec("category", gettext_lazy("Category (created if missing)"), parse_name, synonyms=(
        "nhom", "nhom hang", "nhom hang hoa", "nhom san pham", "danh muc", "category", "group", "product group")),
    FieldSpec("barcode", gettext_lazy("Barcode"), parse_code, synonyms=("ma vach", "barcode", "ean", "upc", "gtin")),
    FieldSpec("vat_code", gettext_lazy("VAT (10, 8, 5, 0, exempt)"), parse_vat, synonyms=(
        "vat", "thue", "thue gtgt", "thue suat", "thue suat gtgt", "vat rate", "tax", "tax rate")),
    FieldSpec("sale_price", gettext_lazy("Sale price"), parse_amount, synonyms=(
        "gia ban", "don gia ban", "gia", "don gia", "price", "sale price", "unit price", "selling price")),
    FieldSpec("currency", gettext_lazy("Currency"), parse_currency, synonyms=("tien te", "loai tien", "currency")),
]

OPENING_FIELDS = [
    FieldSpec("product", gettext_lazy("Product SKU"), parse_product, required=True, synonyms=SKU_NAMES),
    FieldSpec("warehouse", gettext_lazy("Warehouse code (empty: the main one)"), parse_warehouse, synonyms=(
        "kho", "ma kho", "warehouse", "warehouse code")),
    FieldSpec("location", gettext_lazy("Location code (empty: the warehouse's default)"), parse_code, synonyms=(
        "vi tri", "ma vi tri", "ke", "location", "location code", "bin")),
    FieldSpec("quantity", gettext_lazy("Quantity (base unit)"), parse_quantity, required=True, synonyms=(
        "so luong", "sl", "ton", "ton kho", "so luong ton", "ton dau ky", "so luong ton dau ky", "qty", "quantity",
        "on hand")),
    FieldSpec("unit_cost", gettext_lazy("Unit cost (VND)"), parse_cost, required=True, synonyms=(
        "don gia", "gia von", "gia nhap", "don gia von", "don gia nhap", "cost", "unit cost", "average cost")),
    FieldSpec("lot_code", gettext_lazy("Lot / serial"), parse_code, synonyms=(
        "lo", "so lo", "ma lo", "lot", "batch", "serial", "so serial", "so seri", "lot serial")),
]
