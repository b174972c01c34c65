"""Plans, subscriptions and payments. All in the public schema.

Invariants:
- a workspace has at most one Subscription; every change to it appends a SubscriptionChange
  (the ledger is append-only: rows are never edited or deleted);
- a Payment is recorded once per (provider, reference): a replayed webhook or a second
  confirmation of the same bank transfer changes nothing;
- money is Decimal with the currency's own places: VND has none.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tenants.models import Tenant


class Period(models.TextChoices):
    MONTH = "month", _("Monthly")
    YEAR = "year", _("Yearly")


class Plan(models.Model):
    code = models.SlugField(unique=True)
    rank = models.PositiveSmallIntegerField(unique=True)
    name_vi = models.CharField(max_length=60)
    name_en = models.CharField(max_length=60)
    features = models.JSONField(default=list)
    # Limit key -> maximum, or null for unlimited.
    limits = models.JSONField(default=dict)
    price_vnd_month = models.DecimalField(max_digits=14, decimal_places=0, default=Decimal(0))
    price_vnd_year = models.DecimalField(max_digits=14, decimal_places=0, default=Decimal(0))
    price_usd_month = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    price_usd_year = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    stripe_price_month = models.CharField(max_length=100, blank=True)
    stripe_price_year = models.CharField(max_length=100, blank=True)
    trial_days = models.PositiveSmallIntegerField(default=14)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name_en

    @property
    def name(self) -> str:
        return self.name_vi if (get_language() or "vi").startswith("vi") else self.name_en

    @property
    def is_free(self) -> bool:
        return self.price_vnd_month == 0

    def price_vnd(self, period: str) -> Decimal:
        return self.price_vnd_year if period == Period.YEAR else self.price_vnd_month

    def stripe_price(self, period: str) -> str:
        return self.stripe_price_year if period == Period.YEAR else self.stripe_price_month


class Subscription(models.Model):
    class Status(models.TextChoices):
        TRIALING = "trialing", _("Trial")
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Payment overdue")
        CANCELED = "canceled", _("Canceled")
        UNPAID = "unpaid", _("Unpaid (read-only)")

    class Provider(models.TextChoices):
        NONE = "none", _("None (free)")
        STRIPE = "stripe", _("Card (Stripe)")
        BANK = "bank", _("Bank transfer")

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="subscription")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    period = models.CharField(max_length=5, choices=Period.choices, default=Period.MONTH)
    provider = models.CharField(max_length=10, choices=Provider.choices, default=Provider.NONE)
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    trial_used = models.BooleanField(default=False)
    current_period_end = models.DateTimeField(null=True, blank=True)
    past_due_since = models.DateTimeField(null=True, blank=True)
    stripe_customer_id = models.CharField(max_length=100, blank=True, db_index=True)
    stripe_subscription_id = models.CharField(max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.tenant.schema_name}: {self.plan.code} ({self.status})"


class SubscriptionChange(models.Model):
    """Append-only ledger: who or what changed a subscription, from what, to what, and when."""

    class Source(models.TextChoices):
        OWNER = "owner", _("Workspace owner")
        VENDOR = "vendor", _("Vendor staff")
        STRIPE = "stripe", _("Stripe")
        BANK = "bank", _("Bank transfer")
        SYSTEM = "system", _("System")

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices)
    from_plan = models.CharField(max_length=50, blank=True)
    to_plan = models.CharField(max_length=50)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    period = models.CharField(max_length=5, choices=Period.choices)
    # Monthly-equivalent recurring revenue after the change, in VND (for the MRR history).
    mrr_vnd = models.DecimalField(max_digits=14, decimal_places=0, default=Decimal(0))
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_plan}/{self.from_status} -> {self.to_plan}/{self.to_status}"


class Payment(models.Model):
    class Provider(models.TextChoices):
        STRIPE = "stripe", _("Card (Stripe)")
        BANK = "bank", _("Bank transfer")

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="payments")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    provider = models.CharField(max_length=10, choices=Provider.choices)
    reference = models.CharField(max_length=100)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="VND")
    period = models.CharField(max_length=5, choices=Period.choices)
    period_end = models.DateTimeField(null=True, blank=True)
    receipt_number = models.CharField(max_length=30, unique=True)
    paid_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-paid_at"]
        constraints = [models.UniqueConstraint(fields=["provider", "reference"], name="payment_provider_ref_uniq")]

    def __str__(self) -> str:
        return self.receipt_number


class PaymentOrder(models.Model):
    """A bank-transfer order: pay ``amount_vnd`` with ``reference`` in the transfer content."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for transfer")
        PAID = "paid", _("Paid")
        CANCELED = "canceled", _("Canceled")

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="payment_orders")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=5, choices=Period.choices)
    reference = models.CharField(max_length=25, unique=True)
    amount_vnd = models.DecimalField(max_digits=14, decimal_places=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.reference


class BankTransaction(models.Model):
    """One incoming transfer reported by the bank feed; matched to an order or left for a person."""

    class Status(models.TextChoices):
        MATCHED = "matched", _("Matched")
        UNMATCHED = "unmatched", _("No matching order")
        SHORT = "short", _("Amount too low")
        OVER = "over", _("Amount too high")
        RESOLVED = "resolved", _("Resolved by staff")

    provider_id = models.CharField(max_length=100, unique=True)
    amount = models.DecimalField(max_digits=14, decimal_places=0)
    content = models.CharField(max_length=500)
    occurred_at = models.DateTimeField()
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, db_index=True)
    order = models.ForeignKey(PaymentOrder, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="transactions")
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    note = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.provider_id}: {self.amount} {self.content[:30]}"


class StripeEvent(models.Model):
    """Each Stripe event stored once by its id; processing is idempotent."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100)
    created = models.DateTimeField()
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class BillingNotice(models.Model):
    """An email sent once per subscription and occasion (trial ending, renewal due...)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=60)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subscription", "kind", "key"], name="billing_notice_once")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"
