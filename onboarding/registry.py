"""One registry of industry template parts: each module says how it configures a workspace for a business type.

A part is ``apply(*, business_type, sample_data)``, run inside the workspace's schema and gated by one plan
feature. Applying records ``"<module>:<business_type>"`` in ``OnboardingProfile.applied_parts``, so a part runs
at most once per type; parts are idempotent themselves (get_or_create by name), so even a re-run changes nothing.
A part never deletes or edits what the workspace's people made.

When an upgrade unlocks a feature, billing calls ``template_apply_new_features`` after the change commits and
the module lights up already configured for the business type. Parts live in ``onboarding/parts/<module>.py``
(loaded on first use); ERP modules add theirs there.

Sample data is optional: a part creates it only when asked, marks it (see each part), and registers a
remover with ``sample_part`` so ``sample_data_remove`` takes away exactly that and nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from billing.catalogue import FEATURES
from billing.entitlements import entitlements_for
from modules.audit.services import audit_record
from onboarding.models import BusinessType, OnboardingProfile
from tenants.errors import TenantError
from tenants.models import Tenant


@dataclass(frozen=True)
class TemplatePart:
    module: str
    feature: str
    apply: Callable[..., None]

    def key(self, business_type: str) -> str:
        return f"{self.module}:{business_type}"


PARTS: dict[str, TemplatePart] = {}  # module -> part, in registration order
SAMPLE_REMOVERS: dict[str, Callable[[], dict[str, int]]] = {}  # module -> remover, returns counts by model
_loaded = False


def template_part(module: str, *, feature: str):
    """Register ``apply(*, business_type: str, sample_data: bool) -> None`` as ``module``'s part."""
    if feature not in FEATURES:
        raise ValueError(f"unknown feature {feature!r} for template part {module!r}")

    def decorator(apply: Callable[..., None]) -> Callable[..., None]:
        PARTS[module] = TemplatePart(module=module, feature=feature, apply=apply)
        return apply

    return decorator


def sample_part(module: str):
    """Register ``remove() -> dict[str, int]``, which deletes ``module``'s sample rows (in the workspace schema)."""

    def decorator(remove: Callable[[], dict[str, int]]) -> Callable[[], dict[str, int]]:
        SAMPLE_REMOVERS[module] = remove
        return remove

    return decorator


def parts_load() -> None:
    """Import every module of ``onboarding.parts`` once, so each registers its part."""
    global _loaded
    if _loaded:
        return
    import onboarding.parts as package

    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")
    _loaded = True


def _profile_locked(*, tenant: Tenant, business_type: str = "", actor=None) -> OnboardingProfile:
    created_by = actor if getattr(actor, "pk", None) else None
    profile, _created = OnboardingProfile.objects.get_or_create(
        tenant=tenant, defaults={"business_type": business_type, "created_by": created_by})
    return OnboardingProfile.objects.select_for_update().get(pk=profile.pk)


def template_apply(*, tenant: Tenant, business_type: str, sample_data: bool = False, actor=None) -> list[str]:
    """Apply every registered part the plan allows and that is not applied yet; return the keys applied.

    One transaction: either every due part is applied and recorded, or none is. Applying again changes nothing.
    """
    if business_type not in BusinessType.values:
        raise TenantError("business_type_unknown", _("Choose a business type."), field="business_type")
    parts_load()
    entitlements = entitlements_for(tenant)
    with transaction.atomic():
        profile = _profile_locked(tenant=tenant, business_type=business_type, actor=actor)
        applied = set(profile.applied_parts)
        due = [part for part in PARTS.values()
               if entitlements.allows(part.feature) and part.key(business_type) not in applied]
        keys = [part.key(business_type) for part in due]
        if not keys:
            return []
        with tenant_context(tenant):
            for part in due:
                part.apply(business_type=business_type, sample_data=sample_data)
            audit_record(actor=actor, action="onboarding.template_applied",
                         detail={"business_type": business_type, "parts": keys, "sample_data": sample_data})
        profile.applied_parts = [*profile.applied_parts, *keys]
        profile.business_type = business_type  # the workspace is now configured for this type
        profile.sample_data = profile.sample_data or sample_data
        profile.save(update_fields=["applied_parts", "business_type", "sample_data", "updated_at"])
    return keys


def template_apply_new_features(*, tenant: Tenant) -> list[str]:
    """After a plan change: apply the parts its features now unlock, for the type the workspace was set up for.

    Only for workspaces already configured once; a workspace still choosing its template is left to the owner
    (who may want sample data with it).
    """
    profile = OnboardingProfile.objects.filter(tenant=tenant).only("business_type", "applied_parts").first()
    if profile is None or not profile.business_type or not profile.applied_parts:
        return []
    return template_apply(tenant=tenant, business_type=profile.business_type)


def sample_data_remove(*, tenant: Tenant, actor) -> dict[str, int]:
    """Delete the sample rows every part made (later modules first), and nothing anyone else made."""
    parts_load()
    removed: dict[str, int] = {}
    with transaction.atomic():
        profile = _profile_locked(tenant=tenant, actor=actor)
        with tenant_context(tenant):
            for remove in reversed(list(SAMPLE_REMOVERS.values())):
                for label, count in remove().items():
                    removed[label] = removed.get(label, 0) + count
            audit_record(actor=actor, action="onboarding.sample_data_removed", detail={"removed": removed})
        profile.sample_data = False
        profile.save(update_fields=["sample_data", "updated_at"])
    return removed
