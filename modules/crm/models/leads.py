from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modules.crm.models._base import user_fk
from modules.parties.models import Party


class LeadSource(models.Model):
    """A channel leads come from (website, referral, event, Zalo, Facebook...)."""

    name = models.CharField(max_length=80, unique=True)
    code = models.SlugField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Lead(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        QUALIFIED = "qualified", _("Qualified")
        CONVERTED = "converted", _("Converted")
        DISQUALIFIED = "disqualified", _("Disqualified")

    name = models.CharField(_("contact name"), max_length=200)
    company = models.CharField(_("company"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True, db_index=True)
    tax_code = models.CharField(_("tax code"), max_length=14, blank=True)
    source = models.ForeignKey(LeadSource, on_delete=models.SET_NULL, null=True, blank=True, related_name="leads")
    campaign = models.ForeignKey("crm.Campaign", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="leads")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW, db_index=True)
    estimated_value = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    notes = models.TextField(blank=True)
    owner = user_fk(null=True, blank=True)
    team = models.ForeignKey("crm.SalesTeam", on_delete=models.SET_NULL, null=True, blank=True, related_name="leads")
    score = models.IntegerField(default=0, db_index=True)
    # [{"points": 20, "reason": "From a referral"}, ...]: why the score is what it is.
    score_explanation = models.JSONField(default=list, blank=True)
    party = models.ForeignKey(Party, on_delete=models.SET_NULL, null=True, blank=True, related_name="leads")
    converted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class ScoringRule(models.Model):
    """One rule of lead scoring: if ``field`` ``operator`` ``value``, add ``points`` (negative allowed)."""

    class Operator(models.TextChoices):
        EQUALS = "equals", _("equals")
        IS_SET = "is_set", _("is filled in")
        GREATER = "greater", _("is greater than")
        CONTAINS = "contains", _("contains")

    name = models.CharField(_("explanation"), max_length=120)
    field = models.CharField(max_length=40)
    operator = models.CharField(max_length=10, choices=Operator.choices)
    value = models.CharField(max_length=120, blank=True)
    points = models.IntegerField()
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.points:+d}: {self.name}"
