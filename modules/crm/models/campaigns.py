from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modules.crm.models._base import CURRENCIES, user_fk


class Campaign(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        FACEBOOK = "facebook", _("Facebook")
        ZALO = "zalo", _("Zalo")
        GOOGLE = "google", _("Google Ads")
        EVENT = "event", _("Event")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.OTHER)
    utm_campaign = models.SlugField(_("UTM campaign"), max_length=80, unique=True)
    budget = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="VND")
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    owner = user_fk(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class CampaignCost(models.Model):
    """Actual spend, entered over time (append-only; a correction is a negative entry)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="costs")
    spent_on = models.DateField()
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    note = models.CharField(max_length=200, blank=True)
    created_by = user_fk(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["spent_on", "id"]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.spent_on}: {self.amount}"
