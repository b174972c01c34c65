"""Document numbers (SO00001, PO00001, WH/OUT/00001): one counter row per sequence.

Invariant: numbers are gap-free per sequence. The counter is bumped by an UPDATE inside the caller's
transaction, so a rollback gives the number back and concurrent callers queue on the row lock.
"""

from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modules.crm.models._base import user_fk
from modules.erp.catalog.models import CURRENCIES


class DocumentSequence(models.Model):
    code = models.CharField(max_length=40, primary_key=True)
    prefix = models.CharField(max_length=20)
    padding = models.PositiveSmallIntegerField(default=5)
    next_number = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.code}: {self.prefix}{self.next_number:0{self.padding}d}"


class TradeDocument(models.Model):
    """What a sales order and a purchase order share: a number, a party, a currency and cached totals.

    Invariant: the totals are the sums of the lines' amounts, each rounded to the currency's places."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="VND")
    # VND per unit of ``currency`` on the order date (1 for VND): stock is valued in VND.
    exchange_rate = models.DecimalField(_("exchange rate"), max_digits=14, decimal_places=4, default=Decimal(1))
    order_date = models.DateField(_("order date"), default=timezone.localdate)
    note = models.TextField(_("note"), blank=True)
    amount_untaxed = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    amount_tax = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    amount_total = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_by = user_fk(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number


class TradeLine(models.Model):
    """A document line: ``quantity`` in ``unit`` (``factor`` base units each, copied when the line is written),
    ``quantity_base`` in the product's base unit; the VAT rate is the one valid on the document's date."""

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    description = models.CharField(_("description"), max_length=255)
    unit = models.ForeignKey("catalog.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    factor = models.DecimalField(max_digits=14, decimal_places=4, default=Decimal(1))
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=3)
    quantity_base = models.DecimalField(max_digits=16, decimal_places=3)
    unit_price = models.DecimalField(_("unit price"), max_digits=18, decimal_places=2, default=Decimal(0))
    discount_percent = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2, default=Decimal(0))
    vat_code = models.CharField(_("VAT"), max_length=10, default="10")
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)  # null: exempt
    amount_untaxed = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    amount_tax = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description


class CompanyProfile(models.Model):
    """The workspace's own legal details, printed as the seller on quotations and invoices (one row).

    Kept in the workspace's schema, beside the documents that print it."""

    legal_name = models.CharField(_("legal name"), max_length=255, blank=True)
    tax_code = models.CharField(_("tax code"), max_length=14, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    bank_account = models.CharField(_("bank account"), max_length=120, blank=True,
                                    help_text=_("Number and bank, printed for payment (e.g. 0011004299999 - "
                                                "Vietcombank)."))
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.legal_name or "company"
