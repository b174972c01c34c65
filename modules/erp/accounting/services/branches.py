"""Branches: a reporting dimension of entries and their lines (Enterprise)."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from billing.entitlements import entitlements_for, feature_blocked_error
from modules.crm.audit import audit_change, snapshot
from modules.erp.accounting.models import Branch
from modules.erp.errors import ErpError

FEATURE = "erp.branches"


@transaction.atomic
def branch_create(*, actor, tenant, code: str, name: str) -> Branch:
    """A branch with a short code (letters, digits, dashes) unique in the workspace; needs the plan's branches
    feature."""
    if not entitlements_for(tenant).allows(FEATURE):
        raise feature_blocked_error(FEATURE)
    code, name = slugify((code or "").strip()).upper()[:20], (name or "").strip()
    if not code or not name:
        raise ErpError("branch_invalid", _("Give the branch a code (letters and digits) and a name."), field="code")
    if Branch.objects.filter(code__iexact=code).exists():
        raise ErpError("branch_code_taken", _("Another branch already has this code."), field="code")
    branch = Branch.objects.create(code=code, name=name[:120])
    audit_change(actor=actor, action="accounting.branch_created", target=branch, before=None, after=snapshot(branch))
    return branch
