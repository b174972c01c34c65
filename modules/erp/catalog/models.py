"""What the business sells and buys: products, their units, VAT and prices (each workspace's schema).

Invariants: a product's quantities are kept in its base unit; another unit converts with a positive
factor (box of 12 = 12 pieces); a VAT rate applies on the dates it is valid (the 8% cut has an end);
money is Decimal with the currency's places (VND has none).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CURRENCIES = [("VND", "VND"), ("USD", "USD")]


class ProductCategory(models.Model):
    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "product categories"
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="catalog_category_uniq")]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class VatRate(models.Model):
    """A VAT rate under a stable code ("10", "8", "5", "0", "exempt"), valid from one date to another."""

    code = models.CharField(max_length=10, db_index=True)
    name = models.CharField(max_length=120)
    rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)  # null: exempt
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["code", "valid_from"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    class Kind(models.TextChoices):
        GOODS = "goods", _("Goods (stocked)")
        SERVICE = "service", _("Service")
        CONSUMABLE = "consumable", _("Consumable (not tracked)")

    class Tracking(models.TextChoices):
        NONE = "none", _("Not tracked")
        LOT = "lot", _("By lot")
        SERIAL = "serial", _("By serial number")

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.GOODS)
    tracking = models.CharField(_("traceability"), max_length=6, choices=Tracking.choices, default=Tracking.NONE)
    sku = models.CharField(_("SKU"), max_length=60, unique=True)
    barcode = models.CharField(_("barcode"), max_length=60, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=255)
    category = models.ForeignKey(ProductCategory, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="products")
    base_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    vat_code = models.CharField(_("VAT"), max_length=10, default="10")
    sale_price = models.DecimalField(_("sale price"), max_digits=16, decimal_places=2, default=Decimal(0),
                                     validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="VND")
    image = models.FileField(_("image"), upload_to="products/", blank=True,
                             validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp"])])
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class ProductUnit(models.Model):
    """Another unit the product is sold or bought in: ``factor`` base units each (a box = 12 pieces)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    factor = models.DecimalField(max_digits=14, decimal_places=4, validators=[MinValueValidator(Decimal("0.0001"))])
    barcode = models.CharField(max_length=60, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "unit"], name="catalog_product_unit_uniq")]

    def __str__(self) -> str:
        return f"{self.product_id}: 1 {self.unit_id} = {self.factor}"


class PriceList(models.Model):
    """Prices for a customer group (parties carrying ``customer_tag``; empty: everyone), in one currency."""

    name = models.CharField(_("name"), max_length=120)
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="VND")
    customer_tag = models.CharField(_("customer group (tag)"), max_length=50, blank=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class PriceListItem(models.Model):
    """A price from a quantity on (quantity breaks: 1+, 10+, 100+)."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="price_items")
    min_quantity = models.DecimalField(max_digits=14, decimal_places=3, default=Decimal(1))
    price = models.DecimalField(max_digits=16, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["product_id", "min_quantity"]
        constraints = [models.UniqueConstraint(fields=["price_list", "product", "min_quantity"],
                                               name="catalog_price_break_uniq")]

    def __str__(self) -> str:
        return f"{self.price_list_id}/{self.product_id} {self.min_quantity}+: {self.price}"
