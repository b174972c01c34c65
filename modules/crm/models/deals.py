"""Pipelines, stages and deals.

Invariants: a stage belongs to one pipeline; a pipeline has exactly one won and one lost stage; a deal
in a won/lost stage has ``closed_at``; every stage move appends a DealStageChange (never edited).
"""

from decimal import Decimal

from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modules.crm.models._base import CURRENCIES, user_fk
from modules.parties.models import Party


class Pipeline(models.Model):
    name = models.CharField(_("name"), max_length=120)
    is_default = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    class Kind(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveSmallIntegerField(default=0)
    probability = models.PositiveSmallIntegerField(_("probability %"), default=10)
    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.OPEN)

    class Meta:
        ordering = ["pipeline_id", "position", "id"]

    def __str__(self) -> str:
        return self.name


class LostReason(models.Model):
    name = models.CharField(max_length=120, unique=True)

    def __str__(self) -> str:
        return self.name


class Deal(models.Model):
    title = models.CharField(_("title"), max_length=200)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="deals")
    contact = models.ForeignKey(Party, on_delete=models.SET_NULL, null=True, blank=True, related_name="contact_deals")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals")
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2, default=Decimal(0))
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="VND")
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    owner = user_fk(null=True, blank=True)
    team = models.ForeignKey("crm.SalesTeam", on_delete=models.SET_NULL, null=True, blank=True, related_name="deals")
    campaign = models.ForeignKey("crm.Campaign", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="deals")
    lead = models.ForeignKey("crm.Lead", on_delete=models.SET_NULL, null=True, blank=True, related_name="deals")
    lost_reason = models.ForeignKey(LostReason, on_delete=models.SET_NULL, null=True, blank=True)
    lost_note = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)  # order within a kanban column
    closed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "-id"]
        indexes = [
            models.Index(fields=["pipeline", "stage", "position"], name="deal_board_idx"),
            models.Index(fields=["owner", "closed_at"], name="deal_owner_closed_idx"),
            models.Index(F("value").desc(), F("id").desc(), name="deal_value_idx"),  # "largest first"
        ]

    def __str__(self) -> str:
        return self.title


class DealLine(models.Model):
    """A line item: a catalog product (when the ERP is on) or a free description, with a price."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    description = models.CharField(max_length=255)
    quantity = models.DecimalField(max_digits=14, decimal_places=3, default=Decimal(1))
    unit_price = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description


class DealStageChange(models.Model):
    """Append-only stage history (also the data for win rates and cycle times)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.SET_NULL, null=True, related_name="+")
    actor = user_fk(null=True, blank=True)
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage_id} -> {self.to_stage_id}"
