"""What the owner told us about the business, what we recommended, and what was applied (public schema).

A workspace has at most one profile. ``answers`` and ``recommendation`` are plain JSON so the engine's
rules (onboarding/rules.py) can evolve without migrations; ``applied_parts`` records which template parts
(module, business type) were applied, which keeps applying idempotent.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.models import Tenant


class BusinessType(models.TextChoices):
    SME = "sme", _("Small business or startup")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    SERVICES = "services", _("Services")
    ECOMMERCE = "ecommerce", _("E-commerce")
    ENTERPRISE = "enterprise", _("Large enterprise")
    OTHER = "other", _("Other")


class GrowthStage(models.TextChoices):
    STARTUP = "startup", _("Starting up")
    GROWTH = "growth", _("Growing")
    EXPANSION = "expansion", _("Expanding")
    MATURE = "mature", _("Mature")


class OnboardingProfile(models.Model):
    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="onboarding")
    business_type = models.CharField(max_length=15, choices=BusinessType.choices, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    recommendation = models.JSONField(default=dict, blank=True)
    accepted_tier = models.CharField(max_length=20, blank=True)
    applied_parts = models.JSONField(default=list, blank=True)  # ["crm:manufacturing", ...]
    sample_data = models.BooleanField(default=False)
    questionnaire_done_at = models.DateTimeField(null=True, blank=True)
    skipped_at = models.DateTimeField(null=True, blank=True)
    checklist_dismissed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.tenant.schema_name}: {self.business_type or 'unanswered'}"


class SignupAttempt(models.Model):
    """Signups by IP and by email, for rate limiting and for the vendor's view of the funnel."""

    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    email = models.EmailField(db_index=True)
    slug = models.CharField(max_length=63)
    succeeded = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} {self.slug}"
