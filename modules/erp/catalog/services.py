"""Writes on the catalog: products, their extra units, categories and price lists. Each write validates, saves
and leaves an audit row (before -> after) in one transaction."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from modules.crm.audit import audit_change, snapshot
from modules.erp.catalog.models import (
    PriceList,
    PriceListItem,
    Product,
    ProductCategory,
    ProductUnit,
    Unit,
    VatRate,
)
from modules.erp.catalog.money import money_round
from modules.erp.errors import ErpError

PRODUCT_FIELDS = ("kind", "tracking", "sku", "barcode", "name", "category", "base_unit", "vat_code", "sale_price",
                  "currency", "image", "description")


def _full_clean(instance, **kwargs) -> None:
    """Model validation as an ErpError on the first failing field."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ErpError("invalid", messages[0], field=None if field == "__all__" else field) from error


def _price(amount, currency: str, *, field: str) -> Decimal:
    amount = Decimal(amount if amount not in (None, "") else 0)
    if amount < 0:
        raise ErpError("price_negative", _("A price cannot be negative."), field=field)
    return money_round(amount, currency)


def _product_check(product: Product) -> None:
    product.sku = (product.sku or "").strip()
    if Product.objects.filter(sku__iexact=product.sku).exclude(pk=product.pk).exists():
        raise ErpError("sku_taken", _("Another product already has this SKU."), field="sku")
    if not VatRate.objects.filter(code=product.vat_code).exists():
        raise ErpError("vat_unknown", _("Choose a VAT rate from the list."), field="vat_code")
    product.sale_price = _price(product.sale_price, product.currency, field="sale_price")
    if product.tracking != Product.Tracking.NONE and product.kind != Product.Kind.GOODS:
        raise ErpError("tracking_goods_only", _("Only goods are tracked by lot or serial number."), field="tracking")


def _tracking_change_check(product: Product, tracking: str) -> None:
    """Stock already held was counted without lots: the tracking of a product is set before its first move."""
    from modules.erp.inventory.models import StockMove

    if tracking != product.tracking and StockMove.objects.filter(product=product).exists():
        raise ErpError("tracking_with_stock", _("This product already has stock moves: its lot or serial tracking "
                                                "can no longer change."), field="tracking")


@transaction.atomic
def product_create(*, actor, sku: str, name: str, base_unit: Unit, kind: str = Product.Kind.GOODS, barcode: str = "",
                   category: ProductCategory | None = None, vat_code: str = "10", sale_price=Decimal(0),
                   currency: str = "VND", image=None, description: str = "",
                   tracking: str = Product.Tracking.NONE) -> Product:
    product = Product(sku=sku, name=name, base_unit=base_unit, kind=kind, tracking=tracking, barcode=barcode,
                      category=category,
                      vat_code=vat_code, sale_price=sale_price, currency=currency, description=description,
                      created_by=actor if getattr(actor, "pk", None) else None)
    if image:
        product.image = image
    _product_check(product)
    _full_clean(product)
    product.save()
    audit_change(actor=actor, action="catalog.product_created", target=product, before=None, after=snapshot(product))
    return product


@transaction.atomic
def product_update(*, product: Product, actor, **changes) -> Product:
    """Change the given fields (any of PRODUCT_FIELDS); an image of None keeps the current one."""
    unknown = set(changes) - set(PRODUCT_FIELDS)
    if unknown:
        raise ErpError("field_unknown", ", ".join(sorted(unknown)))
    if changes.get("image", "") is None or changes.get("image") is False:
        changes.pop("image")
    before = snapshot(product)
    if "tracking" in changes:
        _tracking_change_check(product, changes["tracking"])
    for name, value in changes.items():
        setattr(product, name, value)
    _product_check(product)
    _full_clean(product)
    product.save()
    audit_change(actor=actor, action="catalog.product_updated", target=product, before=before,
                 after=snapshot(product))
    return product


@transaction.atomic
def product_archive(*, product: Product, actor) -> Product:
    """Hide a product from new documents; documents that already name it keep it."""
    if not product.is_active:
        return product
    before = snapshot(product)
    product.is_active = False
    product.save(update_fields=["is_active", "updated_at"])
    audit_change(actor=actor, action="catalog.product_archived", target=product, before=before,
                 after=snapshot(product))
    return product


@transaction.atomic
def product_unit_add(*, product: Product, unit: Unit, factor, actor, barcode: str = "") -> ProductUnit:
    """Sell or buy ``product`` in ``unit``: one ``unit`` is ``factor`` base units (a box of 12 pieces: 12)."""
    factor = Decimal(factor)
    if factor <= 0:
        raise ErpError("factor_not_positive", _("The factor must be greater than zero."), field="factor")
    if unit.pk == product.base_unit_id:
        raise ErpError("unit_is_base", _("This is already the product's base unit."), field="unit")
    if ProductUnit.objects.filter(product=product, unit=unit).exists():
        raise ErpError("unit_taken", _("The product already has this unit."), field="unit")
    product_unit = ProductUnit(product=product, unit=unit, factor=factor, barcode=barcode)
    _full_clean(product_unit)
    product_unit.save()
    audit_change(actor=actor, action="catalog.product_unit_added", target=product_unit, before=None,
                 after=snapshot(product_unit))
    return product_unit


@transaction.atomic
def category_create(*, name: str, actor, parent: ProductCategory | None = None) -> ProductCategory:
    name = " ".join((name or "").split())
    if ProductCategory.objects.filter(parent=parent, name__iexact=name).exists():
        raise ErpError("category_taken", _("A category with this name already exists here."), field="name")
    category = ProductCategory(name=name, parent=parent)
    _full_clean(category)
    category.save()
    audit_change(actor=actor, action="catalog.category_created", target=category, before=None,
                 after=snapshot(category))
    return category


@transaction.atomic
def price_list_create(*, name: str, actor, currency: str = "VND", customer_tag: str = "",
                      position: int = 0) -> PriceList:
    price_list = PriceList(name=" ".join((name or "").split()), currency=currency,
                           customer_tag=(customer_tag or "").strip(), position=position)
    _full_clean(price_list)
    price_list.save()
    audit_change(actor=actor, action="catalog.price_list_created", target=price_list, before=None,
                 after=snapshot(price_list))
    return price_list


@transaction.atomic
def price_list_item_set(*, price_list: PriceList, product: Product, price, actor,
                        min_quantity=Decimal(1)) -> PriceListItem:
    """The price of ``product`` from ``min_quantity`` base units on (a quantity break), in the list's currency."""
    min_quantity = Decimal(min_quantity)
    if min_quantity <= 0:
        raise ErpError("quantity_not_positive", _("The minimum quantity must be greater than zero."),
                       field="min_quantity")
    price = _price(price, price_list.currency, field="price")
    item = PriceListItem.objects.filter(price_list=price_list, product=product, min_quantity=min_quantity).first()
    before = snapshot(item) if item else None
    if item is None:
        item = PriceListItem(price_list=price_list, product=product, min_quantity=min_quantity)
    item.price = price
    _full_clean(item)
    item.save()
    audit_change(actor=actor, action="catalog.price_set", target=item, before=before, after=snapshot(item))
    return item


# --------------------------------------------------------------------------- edits and removals
# A removal refuses while something still names the record, saying what: deleting would otherwise drop a
# category from products silently (the foreign key sets null) or change what an open order converts.

OPEN_SALES_STATES = ("quotation", "sent", "confirmed")
OPEN_PURCHASE_STATES = ("rfq", "sent", "confirmed")


def _category_name_check(name: str, parent: ProductCategory | None, *, exclude_pk: int | None = None) -> str:
    name = " ".join((name or "").split())
    taken = ProductCategory.objects.filter(parent=parent, name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ErpError("category_taken", _("A category with this name already exists here."), field="name")
    return name


@transaction.atomic
def category_update(*, category: ProductCategory, actor, name: str,
                    parent: ProductCategory | None = None) -> ProductCategory:
    """Rename or move a category; it cannot go inside itself or one of its subcategories."""
    ancestor = parent
    while ancestor is not None:
        if ancestor.pk == category.pk:
            raise ErpError("category_cycle", _("A category cannot be inside itself or one of its subcategories."),
                           field="parent")
        ancestor = ancestor.parent
    before = snapshot(category)
    category.name = _category_name_check(name, parent, exclude_pk=category.pk)
    category.parent = parent
    _full_clean(category)
    category.save(update_fields=["name", "parent"])
    audit_change(actor=actor, action="catalog.category_updated", target=category, before=before,
                 after=snapshot(category))
    return category


@transaction.atomic
def category_delete(*, category: ProductCategory, actor) -> None:
    """Delete an empty category: none of its products (archived ones too) and no subcategory."""
    category = ProductCategory.objects.select_for_update().get(pk=category.pk)
    products = Product.objects.filter(category=category).count()
    if products:
        raise ErpError("category_in_use", ngettext(
            "%(count)d product (archived ones included) is in this category: move it to another category first.",
            "%(count)d products (archived ones included) are in this category: move them to another category first.",
            products) % {"count": products})
    children = ProductCategory.objects.filter(parent=category).count()
    if children:
        raise ErpError("category_has_children", ngettext(
            "%(count)d category is inside this one: move or delete it first.",
            "%(count)d categories are inside this one: move or delete them first.", children) % {"count": children})
    audit_change(actor=actor, action="catalog.category_deleted", target=category, before=snapshot(category),
                 after=None)
    category.delete()


@transaction.atomic
def price_list_update(*, price_list: PriceList, actor, name: str, currency: str, customer_tag: str = "",
                      position: int = 0, is_active: bool = True) -> PriceList:
    """Change a list's name, group, order or active flag; its currency only while it has no prices (they are
    amounts in that currency)."""
    if currency != price_list.currency and price_list.items.exists():
        raise ErpError("price_list_currency_locked", _(
            "This list already has prices in %(currency)s: remove them before changing the currency.") % {
            "currency": price_list.currency}, field="currency")
    before = snapshot(price_list)
    price_list.name = " ".join((name or "").split())
    price_list.currency = currency
    price_list.customer_tag = (customer_tag or "").strip()
    price_list.position = position
    price_list.is_active = is_active
    _full_clean(price_list)
    price_list.save()
    audit_change(actor=actor, action="catalog.price_list_updated", target=price_list, before=before,
                 after=snapshot(price_list))
    return price_list


@transaction.atomic
def price_list_delete(*, price_list: PriceList, actor) -> int:
    """Delete a list and its prices (orders copied their prices, so none changes); returns how many prices went."""
    price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
    before = {**snapshot(price_list), "item_count": price_list.items.count()}
    audit_change(actor=actor, action="catalog.price_list_deleted", target=price_list, before=before, after=None)
    price_list.delete()
    return before["item_count"]


@transaction.atomic
def price_list_item_remove(*, item: PriceListItem, actor) -> None:
    audit_change(actor=actor, action="catalog.price_removed", target=item, before=snapshot(item), after=None)
    item.delete()


def _open_lines_in_unit(product_unit: ProductUnit) -> int:
    from modules.erp.purchasing.models import PurchaseOrderLine
    from modules.erp.sales.models import SalesOrderLine

    same = {"product_id": product_unit.product_id, "unit_id": product_unit.unit_id}
    return (SalesOrderLine.objects.filter(order__state__in=OPEN_SALES_STATES, **same).count()
            + PurchaseOrderLine.objects.filter(order__state__in=OPEN_PURCHASE_STATES, **same).count())


@transaction.atomic
def product_unit_remove(*, product_unit: ProductUnit, actor) -> None:
    """Stop selling or buying a product in a unit. Refused while an open order has a line in it (the line would
    keep its factor, but editing the order could no longer convert it); closed orders keep their copy."""
    in_use = _open_lines_in_unit(product_unit)
    if in_use:
        raise ErpError("unit_in_use", ngettext(
            "%(count)d line of an open order or quotation uses this unit: finish or change it first.",
            "%(count)d lines of open orders or quotations use this unit: finish or change them first.",
            in_use) % {"count": in_use})
    audit_change(actor=actor, action="catalog.product_unit_removed", target=product_unit,
                 before=snapshot(product_unit), after=None)
    product_unit.delete()
