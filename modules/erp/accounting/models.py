"""Double-entry accounting: the chart in use, journals, fiscal periods with lock dates, and journal entries.

Invariants:
- Every entry balances: its debits equal its credits (company currency, VND), and within each currency of its
  lines the signed foreign amounts sum to zero. The posting service checks it, and a deferred constraint
  trigger checks it again at commit, so no write (raw SQL included) can leave an unbalanced entry behind.
- Posted entries and their lines are immutable (a trigger refuses UPDATE and DELETE): a mistake is corrected
  by a reversal entry (``reversal_of``, at most one per entry).
- An entry with a ``source`` ("invoice:12", "move:55") is posted once: ``source`` is unique.
- Nothing is posted on or before the lock date, nor inside a locked period.
- Amounts are Decimals rounded to the currency's places (VND: whole đồng).
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modules.crm.models._base import user_fk

MONEY = {"max_digits": 18, "decimal_places": 2, "default": Decimal(0)}


class AccountingSettings(models.Model):
    """One row per workspace, created when finance is first enabled."""

    class Chart(models.TextChoices):
        TT99 = "tt99", _("Circular 99/2025/TT-BTC")
        TT133 = "tt133", _("Circular 133/2016/TT-BTC (SMEs)")

    chart = models.CharField(_("chart of accounts"), max_length=10, choices=Chart.choices)
    lock_date = models.DateField(_("lock date"), null=True, blank=True,
                                 help_text=_("Nothing dated on or before this day can be posted."))
    currency = models.CharField(max_length=3, default="VND")
    enabled_at = models.DateTimeField(default=timezone.now)
    enabled_by = user_fk(null=True, blank=True)

    def __str__(self) -> str:
        return self.chart


class Account(models.Model):
    class Kind(models.TextChoices):
        ASSET = "asset", _("Asset")
        LIABILITY = "liability", _("Liability")
        EQUITY = "equity", _("Equity")
        REVENUE = "revenue", _("Revenue")
        COGS = "cogs", _("Cost of goods sold")
        EXPENSE = "expense", _("Expense")
        OTHER_INCOME = "other_income", _("Other income")
        OTHER_EXPENSE = "other_expense", _("Other expense")
        CLOSING = "closing", _("Result (closing)")
        OFF_BALANCE = "off_balance", _("Off balance sheet")

    code = models.CharField(_("code"), max_length=20, unique=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=14, choices=Kind.choices)
    normal = models.CharField(max_length=6, choices=[("debit", _("Debit")), ("credit", _("Credit"))])
    is_leaf = models.BooleanField(default=True)  # only leaves are posted to
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Branch(models.Model):
    """A reporting dimension (Enterprise): entries and their lines may carry one."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "branches"

    def __str__(self) -> str:
        return self.name


class Journal(models.Model):
    class Kind(models.TextChoices):
        SALE = "sale", _("Sales")
        PURCHASE = "purchase", _("Purchases")
        CASH = "cash", _("Cash")
        BANK = "bank", _("Bank")
        GENERAL = "general", _("General")

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                help_text=_("Cash and bank journals: the account money goes in and out of."))
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class FiscalYear(models.Model):
    name = models.CharField(max_length=20, unique=True)
    date_start = models.DateField()
    date_end = models.DateField()
    is_closed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-date_start"]
        constraints = [models.CheckConstraint(condition=Q(date_end__gt=models.F("date_start")),
                                              name="accounting_year_dates")]

    def __str__(self) -> str:
        return self.name


class Period(models.Model):
    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.CASCADE, related_name="periods")
    date_start = models.DateField()
    date_end = models.DateField()
    is_locked = models.BooleanField(default=False)

    class Meta:
        ordering = ["date_start"]
        constraints = [models.UniqueConstraint(fields=["date_start"], name="accounting_period_start_uniq")]

    def __str__(self) -> str:
        return f"{self.date_start:%m/%Y}"


class JournalEntry(models.Model):
    number = models.CharField(_("number"), max_length=30, unique=True)
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="entries")
    date = models.DateField(_("date"), db_index=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    memo = models.CharField(_("memo"), max_length=255, blank=True)
    source = models.CharField(max_length=60, null=True, blank=True, unique=True)
    reversal_of = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="reversed_by")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    posted_at = models.DateTimeField(default=timezone.now)
    created_by = user_fk(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return self.number


class JournalLine(models.Model):
    """``debit``/``credit`` in the company currency; ``amount_currency`` signed (debit positive) in ``currency``.
    ``date`` and ``branch`` repeat the entry's so reports read lines alone."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    label = models.CharField(max_length=255, blank=True)
    debit = models.DecimalField(**MONEY)
    credit = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, default="VND")
    amount_currency = models.DecimalField(**MONEY)
    date = models.DateField()
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(debit__gte=0) & Q(credit__gte=0) & (Q(debit=0) | Q(credit=0)),
                                   name="accounting_line_one_side"),
        ]
        indexes = [
            models.Index(fields=["account", "date"], name="accounting_line_account_idx"),
            models.Index(fields=["party", "account"], name="accounting_line_party_idx"),
            models.Index(fields=["date"], name="accounting_line_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}/{self.account_id}: {self.debit} / {self.credit}"
