"""The one party master: every organization and person the business deals with, used by CRM and ERP.

Invariants: a party exists once (duplicates are merged, the loser keeps ``merged_into`` and stops
being active); ``phone`` is stored normalised (+84…); ``tax_code`` is a valid Vietnamese MST when set.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modules.parties.provinces import PROVINCES


class Unaccent(models.Func):
    """``public.f_unaccent``: an IMMUTABLE wrapper of unaccent, so it can back an index (migration in tenants)."""

    function = "public.f_unaccent"
    output_field = models.TextField()


def _user_fk(**kwargs):
    # Users live in the public schema: no database constraint and no cascade across schemas.
    return models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
                             related_name="+", **kwargs)


class Party(models.Model):
    class Kind(models.TextChoices):
        ORGANIZATION = "organization", _("Organization")
        PERSON = "person", _("Person")

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ORGANIZATION)
    name = models.CharField(_("name"), max_length=255)
    is_customer = models.BooleanField(_("customer"), default=False)
    is_supplier = models.BooleanField(_("supplier"), default=False)
    is_prospect = models.BooleanField(_("prospect"), default=False)
    tax_code = models.CharField(_("tax code"), max_length=14, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True, db_index=True)
    website = models.URLField(_("website"), blank=True)
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    organization = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="people", limit_choices_to={"kind": "organization"})
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    owner = _user_fk(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = _user_fk(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            GinIndex(OpClass(Unaccent(Lower("name")), name="gin_trgm_ops"), name="party_name_trgm"),
            GinIndex(fields=["tags"], name="party_tags_gin"),
            models.Index(fields=["owner", "is_active"], name="party_owner_active_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Address(models.Model):
    class Kind(models.TextChoices):
        OFFICE = "office", _("Office")
        BILLING = "billing", _("Billing")
        SHIPPING = "shipping", _("Shipping")

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OFFICE)
    street = models.CharField(_("street"), max_length=255)
    ward = models.CharField(_("ward / commune"), max_length=120, blank=True)
    province = models.CharField(_("province / city"), max_length=20, choices=PROVINCES, blank=True)
    country = models.CharField(max_length=2, default="VN")
    is_primary = models.BooleanField(default=False)

    def __str__(self) -> str:
        return ", ".join(part for part in (self.street, self.ward, self.get_province_display()) if part)
