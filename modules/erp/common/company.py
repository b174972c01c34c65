"""The workspace's company details: read for documents, written by owners and admins."""

from __future__ import annotations

from django.db import transaction

from modules.crm.audit import audit_change, snapshot
from modules.crm.errors import CrmError
from modules.erp.common.models import CompanyProfile
from modules.erp.errors import ErpError
from modules.parties.validation import tax_code_normalise

FIELDS = ("legal_name", "tax_code", "address", "phone", "email", "bank_account")


def company_profile() -> CompanyProfile:
    """The row (unsaved and empty when nobody filled it in yet)."""
    return CompanyProfile.objects.first() or CompanyProfile()


def seller_lines(*, fallback_name: str, labels: dict) -> list[str]:
    """Seller block of a printed document: legal name (or the workspace's name), tax code, address, phone."""
    profile = company_profile()
    lines = [profile.legal_name or fallback_name]
    if profile.tax_code:
        lines.append(f"{labels['tax_code']}: {profile.tax_code}")
    if profile.address:
        lines.append(f"{labels['address']}: {profile.address}")
    if profile.phone:
        lines.append(f"{labels.get('phone', 'Tel')}: {profile.phone}")
    if profile.bank_account:
        lines.append(f"{labels.get('bank_account', 'Bank')}: {profile.bank_account}")
    return lines


@transaction.atomic
def company_profile_update(*, actor, **values) -> CompanyProfile:
    profile = CompanyProfile.objects.select_for_update().first() or CompanyProfile()
    before = snapshot(profile, list(FIELDS)) if profile.pk else None
    for name in FIELDS:
        if name in values:
            setattr(profile, name, (values[name] or "").strip())
    try:
        profile.tax_code = tax_code_normalise(profile.tax_code)
    except CrmError as error:  # the party validation speaks the CRM's error type
        raise ErpError("invalid_tax_code", getattr(error, "message", str(error)), field="tax_code") from error
    profile.save()
    audit_change(actor=actor, action="company.updated", target=profile, before=before,
                 after=snapshot(profile, list(FIELDS)))
    return profile
