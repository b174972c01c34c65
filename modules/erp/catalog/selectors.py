"""Reads on the catalog: the VAT rate valid on a day, the price for a customer and quantity, unit conversion,
and the product list."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Lower
from django.db.models.lookups import Contains
from django.utils import timezone
from django.utils.translation import gettext as _

from modules.erp.catalog.models import PriceList, PriceListItem, Product, ProductCategory, ProductUnit, Unit, VatRate
from modules.erp.catalog.money import money_round
from modules.erp.errors import ErpError
from modules.parties.models import Unaccent


def vat_rate_on(code: str, day: datetime.date | None = None) -> VatRate:
    """The rate under ``code`` valid on ``day`` (today if None); none valid is an error, never a silent 0%."""
    day = day or timezone.localdate()
    rate = (VatRate.objects.filter(code=code, valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day)).order_by("-valid_from").first())
    if rate is None:
        raise ErpError("vat_not_valid", _("VAT %(code)s is not valid on %(day)s.") % {
            "code": code, "day": day.strftime("%d/%m/%Y")}, field="vat_code")
    return rate


def vat_rate_or_none(code: str, day: datetime.date | None = None) -> VatRate | None:
    try:
        return vat_rate_on(code, day)
    except ErpError:
        return None


def _price_items(*, product_ids, party, currency: str) -> QuerySet:
    tags = list(getattr(party, "tags", None) or [])
    groups = Q(price_list__customer_tag="")
    if tags:
        groups |= Q(price_list__customer_tag__in=tags)
    return (PriceListItem.objects.filter(groups, product_id__in=product_ids, price_list__is_active=True,
                                         price_list__currency=currency).select_related("price_list"))


def _best_price(product: Product, items, quantity: Decimal, currency: str) -> Decimal:
    candidates = [item for item in items if item.min_quantity <= quantity]
    best = min(candidates, default=None, key=lambda item: (
        item.price_list.customer_tag == "", item.price_list.position, item.price_list_id, -item.min_quantity))
    if best is not None:
        return money_round(best.price, currency)
    if product.currency == currency:
        return money_round(product.sale_price, currency)
    raise ErpError("price_missing", _("%(product)s has no price in %(currency)s.") % {
        "product": product.name, "currency": currency})


def price_for(*, product: Product, party=None, quantity=Decimal(1), currency: str = "VND",
              day: datetime.date | None = None) -> Decimal:
    """The unit price of ``product`` for ``party`` buying ``quantity`` base units, in ``currency``.

    The best active list of that currency with a price for the product wins: a list for one of the party's tags
    (``customer_tag``) before a general one, then by the lists' position. Within it, the highest quantity break
    not above ``quantity``. Without one, the product's own sale price when its currency matches.
    Price lists have no validity dates (yet), so ``day`` does not narrow them.
    """
    quantity = Decimal(quantity)
    items = _price_items(product_ids=[product.pk], party=party, currency=currency).filter(min_quantity__lte=quantity)
    return _best_price(product, list(items), quantity, currency)


def price_book(*, products, party=None, currency: str = "VND"):
    """``price(product, quantity)`` as ``price_for`` gives it, for many products read in one query (a document's
    lines)."""
    items_by_product: dict[int, list] = {}
    for item in _price_items(product_ids={product.pk for product in products}, party=party, currency=currency):
        items_by_product.setdefault(item.product_id, []).append(item)

    def price(product: Product, quantity) -> Decimal:
        return _best_price(product, items_by_product.get(product.pk, []), Decimal(quantity), currency)

    return price


def vat_rates_on(codes, day: datetime.date | None = None) -> dict[str, VatRate]:
    """``vat_rate_on`` for several codes in one query; a code with no valid rate is an error."""
    day = day or timezone.localdate()
    rates: dict[str, VatRate] = {}
    for rate in (VatRate.objects.filter(code__in=set(codes), valid_from__lte=day)
                 .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day)).order_by("code", "-valid_from")):
        rates.setdefault(rate.code, rate)
    for code in codes:
        if code not in rates:
            vat_rate_on(code, day)  # raises the error naming the code and the day
    return rates


def to_base_quantity(product: Product, quantity, unit: Unit | None = None) -> Decimal:
    """``quantity`` of ``unit`` in the product's base unit (3 boxes of 12 -> 36)."""
    quantity = Decimal(quantity)
    if unit is None or unit.pk == product.base_unit_id:
        return quantity
    factor = ProductUnit.objects.filter(product=product, unit=unit).values_list("factor", flat=True).first()
    if factor is None:
        raise ErpError("unit_unknown", _("%(product)s is not sold in %(unit)s.") % {
            "product": product.name, "unit": unit.name}, field="unit")
    return quantity * factor


def product_search(queryset: QuerySet, q: str) -> QuerySet:
    """Accent-insensitive on the name ("ao so mi" finds "Áo sơ mi"); plain contains on SKU and barcode."""
    q = " ".join((q or "").split())
    if not q:
        return queryset
    return queryset.filter(Q(Contains(Unaccent(Lower("name")), Unaccent(Lower(Value(q)))))
                           | Q(sku__icontains=q) | Q(barcode__icontains=q))


def product_list(*, q: str = "", category_id: int | str | None = None, archived: bool = False) -> QuerySet:
    products = Product.objects.filter(is_active=not archived).select_related("category", "base_unit")
    if category_id and str(category_id).isdigit():
        products = products.filter(category_id=int(category_id))
    return product_search(products, q)


def product_prices(product: Product) -> list[PriceListItem]:
    return list(PriceListItem.objects.filter(product=product).select_related("price_list")
                .order_by("price_list__position", "price_list_id", "min_quantity"))


def category_list() -> QuerySet:
    return (ProductCategory.objects.select_related("parent")
            .annotate(product_count=Count("products", filter=Q(products__is_active=True))))


def price_list_list() -> QuerySet:
    return PriceList.objects.annotate(item_count=Count("items"))
