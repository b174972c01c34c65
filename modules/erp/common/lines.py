"""Document lines shared by sales and purchase orders: units to base units, prices, VAT and totals.

VAT on a document is computed per rate on the sum of that rate's lines, then rounded once (Vietnamese
invoices show one tax amount per rate); each line also keeps its own rounded tax for display.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from modules.erp.catalog.models import Product, ProductUnit
from modules.erp.catalog.money import money_round
from modules.erp.catalog.selectors import vat_rates_on
from modules.erp.errors import ErpError

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class VatGroup:
    vat_code: str
    rate: Decimal | None
    base: Decimal
    tax: Decimal


def _factors(specs: list[dict]) -> dict[tuple[int, int], Decimal]:
    """(product id, unit id) -> factor for every extra unit the specs name, in one query."""
    pairs = {(spec["product"].pk, spec["unit"].pk) for spec in specs
             if spec.get("product") and spec.get("unit") and spec["unit"].pk != spec["product"].base_unit_id}
    if not pairs:
        return {}
    rows = ProductUnit.objects.filter(product_id__in={p for p, _u in pairs}, unit_id__in={u for _p, u in pairs})
    return {(row.product_id, row.unit_id): row.factor for row in rows}


def trade_lines_build(*, line_model, specs: list[dict], currency: str, day: datetime.date,
                      default_price: Callable[[Product, Decimal], Decimal]) -> list:
    """Unsaved ``line_model`` rows from line specs (product, description, quantity, unit, unit_price,
    discount_percent, vat_code). Errors name the line: field ``lines-<index>-<name>``."""
    if not specs:
        raise ErpError("lines_required", _("Add at least one line."), field="lines")
    codes = {spec.get("vat_code") or (spec["product"].vat_code if spec.get("product") else "10") for spec in specs}
    factors, lines = _factors(specs), []
    rates = {code: rate.rate for code, rate in vat_rates_on(codes, day).items()}
    for index, spec in enumerate(specs):
        product: Product | None = spec.get("product")
        unit = spec.get("unit")
        unit_id = unit.pk if unit else (product.base_unit_id if product else None)
        try:
            quantity = Decimal(str(spec.get("quantity") or 0))
        except ArithmeticError as error:
            raise ErpError("quantity_invalid", _("Enter a number."), field=f"lines-{index}-quantity") from error
        if quantity <= 0:
            raise ErpError("quantity_invalid", _("The quantity must be above zero."),
                           field=f"lines-{index}-quantity")
        factor = Decimal(1)
        if product and unit_id != product.base_unit_id:
            factor = factors.get((product.pk, unit.pk))
            if factor is None:
                raise ErpError("unit_unknown", _("%(product)s is not sold in %(unit)s.") % {
                    "product": product.name, "unit": unit.name}, field=f"lines-{index}-unit")
        description = (spec.get("description") or (product.name if product else "")).strip()
        if not description:
            raise ErpError("description_required", _("Choose a product or describe the line."),
                           field=f"lines-{index}-description")
        vat_code = spec.get("vat_code") or (product.vat_code if product else "10")
        unit_price = spec.get("unit_price")
        if unit_price in (None, ""):
            unit_price = default_price(product, quantity * factor) * factor if product else Decimal(0)
        unit_price = money_round(unit_price, currency)
        discount = Decimal(str(spec.get("discount_percent") or 0))
        if unit_price < 0 or not (0 <= discount <= HUNDRED):
            raise ErpError("price_invalid", _("Prices cannot be negative and discounts stay within 0-100%."),
                           field=f"lines-{index}-unit_price")
        untaxed = money_round(quantity * unit_price * (HUNDRED - discount) / HUNDRED, currency)
        rate = rates[vat_code]
        lines.append(line_model(
            product=product, description=description[:255], unit_id=unit_id, factor=factor, quantity=quantity,
            quantity_base=quantity * factor, unit_price=unit_price, discount_percent=discount, vat_code=vat_code,
            vat_rate=rate, amount_untaxed=untaxed,
            amount_tax=money_round(untaxed * rate / HUNDRED, currency) if rate else Decimal(0), position=index))
    return lines


def vat_groups(lines, currency: str) -> list[VatGroup]:
    """One group per VAT code: the base is the sum of its lines, the tax is rounded once on that base."""
    groups: dict[str, list] = {}
    for line in lines:
        groups.setdefault(line.vat_code, []).append(line)
    result = []
    for code, members in groups.items():
        base = sum((line.amount_untaxed for line in members), Decimal(0))
        rate = members[0].vat_rate
        result.append(VatGroup(code, rate, base, money_round(base * rate / HUNDRED, currency) if rate else Decimal(0)))
    return sorted(result, key=lambda group: (group.rate is None, -(group.rate or 0)))


def document_totals_set(document, lines) -> None:
    """Set the document's untaxed, tax and total amounts from its lines (VAT rounded per rate)."""
    groups = vat_groups(lines, document.currency)
    document.amount_untaxed = sum((group.base for group in groups), Decimal(0))
    document.amount_tax = sum((group.tax for group in groups), Decimal(0))
    document.amount_total = document.amount_untaxed + document.amount_tax
