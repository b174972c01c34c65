"""Customer invoices and credit notes, supplier bills and refunds, and the payments that settle them.

Invariants:
- A customer invoice gets its number when it is posted, from its symbol's counter (Decree 123/2020 style:
  symbol "1C26TAA", number 00000001): gap-free per symbol, even under concurrency (the counter row is
  locked inside the posting transaction).
- Posted invoices are not edited: a credit note (``refund_of``) corrects them.
- ``amount_residual`` = total - what the payments allocated to it (document currency); ``payment_state`` follows.
- VAT lines use the rate valid on the invoice date.
"""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modules.crm.models._base import user_fk
from modules.erp.catalog.models import CURRENCIES
from modules.erp.common.models import TradeLine

MONEY = {"max_digits": 18, "decimal_places": 2, "default": Decimal(0)}


class InvoiceSymbol(models.Model):
    """An invoice symbol and its counter: 1 (VAT invoice) C (with the tax authority's code) 26 (year) T
    (registered e-invoice) AA (the seller's own letters)."""

    symbol = models.CharField(_("symbol"), max_length=10, unique=True)
    template = models.CharField(_("template"), max_length=2, default="1")  # mẫu số 1: VAT invoice
    next_number = models.PositiveIntegerField(default=1)
    is_default = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-is_default", "symbol"]

    def __str__(self) -> str:
        return self.symbol


class Invoice(models.Model):
    class Kind(models.TextChoices):
        OUT_INVOICE = "out_invoice", _("Customer invoice")
        OUT_REFUND = "out_refund", _("Credit note")
        IN_INVOICE = "in_invoice", _("Supplier bill")
        IN_REFUND = "in_refund", _("Supplier refund")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        POSTED = "posted", _("Posted")
        CANCELLED = "cancelled", _("Cancelled")

    class PaymentState(models.TextChoices):
        NOT_PAID = "not_paid", _("Not paid")
        PARTIAL = "partial", _("Partly paid")
        PAID = "paid", _("Paid")

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.OUT_INVOICE)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT, db_index=True)
    symbol = models.ForeignKey(InvoiceSymbol, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    supplier_reference = models.CharField(_("supplier's invoice number"), max_length=60, blank=True)
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="invoices")
    date = models.DateField(_("invoice date"), default=timezone.localdate)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="VND")
    exchange_rate = models.DecimalField(_("exchange rate"), max_digits=14, decimal_places=4, default=Decimal(1))
    sales_order = models.ForeignKey("sales.SalesOrder", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="invoices")
    purchase_order = models.ForeignKey("purchasing.PurchaseOrder", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="invoices")
    refund_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="refunds")
    branch = models.ForeignKey("accounting.Branch", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    amount_untaxed = models.DecimalField(**MONEY)
    amount_tax = models.DecimalField(**MONEY)
    amount_total = models.DecimalField(**MONEY)
    amount_residual = models.DecimalField(**MONEY)
    payment_state = models.CharField(max_length=10, choices=PaymentState.choices, default=PaymentState.NOT_PAID)
    entry = models.OneToOneField("accounting.JournalEntry", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="invoice")
    note = models.TextField(_("note"), blank=True)
    created_by = user_fk(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["symbol", "number"], name="invoicing_symbol_number_uniq"),
            models.CheckConstraint(condition=Q(amount_residual__gte=0) & Q(amount_residual__lte=F("amount_total")),
                                   name="invoicing_residual_within_total"),
        ]
        indexes = [models.Index(fields=["party", "state", "payment_state"], name="invoicing_party_open_idx"),
                   models.Index(fields=["kind", "state", "date"], name="invoicing_kind_date_idx")]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        if self.symbol_id and self.number:
            return f"{self.symbol.symbol}-{self.number:08d}"
        return self.supplier_reference or f"#{self.pk}"

    @property
    def is_customer(self) -> bool:
        return self.kind in (self.Kind.OUT_INVOICE, self.Kind.OUT_REFUND)

    @property
    def is_refund(self) -> bool:
        return self.kind in (self.Kind.OUT_REFUND, self.Kind.IN_REFUND)


class InvoiceLine(TradeLine):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    sales_line = models.ForeignKey("sales.SalesOrderLine", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="invoice_lines")
    purchase_line = models.ForeignKey("purchasing.PurchaseOrderLine", on_delete=models.PROTECT, null=True,
                                      blank=True, related_name="invoice_lines")
    account = models.ForeignKey("accounting.Account", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")

    class Meta(TradeLine.Meta):
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="invoicing_line_qty_gt_0")]


class Payment(models.Model):
    class Kind(models.TextChoices):
        INBOUND = "inbound", _("Received from a customer")
        OUTBOUND = "outbound", _("Paid to a supplier")

    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        BANK = "bank", _("Bank transfer")

    class State(models.TextChoices):
        POSTED = "posted", _("Posted")
        REVERSED = "reversed", _("Reversed")

    number = models.CharField(_("number"), max_length=30, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    method = models.CharField(_("method"), max_length=6, choices=Method.choices, default=Method.BANK)
    state = models.CharField(max_length=10, choices=State.choices, default=State.POSTED)
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="payments")
    date = models.DateField(_("date"), default=timezone.localdate)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="VND")
    exchange_rate = models.DecimalField(_("exchange rate"), max_digits=14, decimal_places=4, default=Decimal(1))
    journal = models.ForeignKey("accounting.Journal", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    branch = models.ForeignKey("accounting.Branch", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    entry = models.OneToOneField("accounting.JournalEntry", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="payment")
    amount_unallocated = models.DecimalField(**MONEY)
    created_by = user_fk(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="invoicing_payment_amount_gt_0")]

    def __str__(self) -> str:
        return self.number


class PaymentAllocation(models.Model):
    """Part of a payment settling one invoice, in the invoice's currency."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["payment", "invoice"], name="invoicing_allocation_uniq"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoicing_allocation_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} -> {self.invoice_id}: {self.amount}"
