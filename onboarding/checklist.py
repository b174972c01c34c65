"""The getting-started checklist: steps in the order of the rollout plan, each done from real counts.

Nothing here is ticked by hand: a step is done when the workspace holds the records it asks for (sample data
does not count). Steps follow the engine's phases (``profile.recommendation["phases"]``, module keys such as
"crm" or "erp_operations"); without a recommendation the CRM comes first. ERP steps ("Add your first product",
"Bring in your stock", "Send your first quotation") join when the plan has their feature.
Counting is one small query per model, each stopping at the step's target (``LIMIT``): four or five queries.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tenants.utils import tenant_context

from billing.entitlements import entitlements_for
from modules.audit.services import audit_record
from modules.crm.models import Activity, Deal, ImportJob
from modules.erp.catalog.models import Product
from modules.erp.inventory.models import StockMove
from modules.erp.sales.models import SalesOrder
from modules.parties.models import Party
from onboarding.models import OnboardingProfile
from onboarding.parts.crm import SAMPLE_PREFIX, SAMPLE_TAG
from tenants.errors import TenantError
from tenants.models import Membership, Tenant
from tenants.roles import Role

DEFAULT_PHASES = [["crm"], ["erp_operations"], ["erp_finance", "integration"]]
DISMISS_ROLES = (Role.OWNER, Role.ADMIN)


@dataclass(frozen=True)
class Step:
    key: str
    module: str | None  # the rollout module the step belongs to; None: first, whatever the plan
    title: str
    url_name: str
    target: int
    alt_url_name: str = ""
    alt_title: str = ""
    feature: str = ""  # a plan feature: without it the step is not shown


STEPS = [
    Step("contacts", "crm", gettext_lazy("Import or add your first contacts"), "party_list", 3,
         alt_url_name="import_list", alt_title=gettext_lazy("Import a file")),
    Step("team", None, gettext_lazy("Invite your team"), "team", 2),
    Step("deal", "crm", gettext_lazy("Create your first deal"), "deal_create", 1),
    Step("activity", "crm", gettext_lazy("Log an activity"), "my_day", 1),
    Step("product", "erp_operations", gettext_lazy("Add your first product"), "product_create", 1,
         feature="erp.catalog"),
    Step("stock", "erp_operations", gettext_lazy("Bring in your stock (opening quantities or a receipt)"),
         "inventory_stock", 1, feature="erp.inventory"),
    Step("quotation", "erp_operations", gettext_lazy("Send your first quotation"), "sales_quotation_create", 1,
         feature="erp.sales"),
]


def _phase_of(step: Step, phases: list[list[str]]) -> int:
    if step.module is None:
        return 0
    for index, modules in enumerate(phases):
        if step.module in modules:
            return index
    return len(phases)


def _counts(tenant: Tenant, keys: set[str]) -> dict[str, int]:
    """Each count stops at its step's target (LIMIT, no ORDER BY), so a large workspace costs as little as a new
    one. Memberships live in the public schema, which the workspace's search path includes."""
    with tenant_context(tenant):
        contacts = Party.objects.filter(is_active=True).exclude(tags__contains=[SAMPLE_TAG]).order_by()[:3].count()
        if contacts < 3 and ImportJob.objects.filter(target=ImportJob.Target.PARTIES, state=ImportJob.State.DONE,
                                                     created_rows__gt=0).exists():
            contacts = 3  # an import done counts as the step done, whatever it held
        deals = Deal.objects.exclude(title__startswith=SAMPLE_PREFIX, party__tags__contains=[SAMPLE_TAG])
        activities = Activity.objects.exclude(subject__startswith=SAMPLE_PREFIX)
        members = Membership.objects.filter(tenant=tenant, is_active=True)
        counts = {"contacts": contacts, "team": members.order_by()[:2].count(),
                  "deal": deals.order_by()[:1].count(), "activity": activities.order_by()[:1].count()}
        if "product" in keys:
            counts["product"] = Product.objects.order_by()[:1].count()
        if "stock" in keys:
            counts["stock"] = StockMove.objects.order_by()[:1].count()
        if "quotation" in keys:
            counts["quotation"] = SalesOrder.objects.order_by()[:1].count()
        return counts


def checklist_for(*, tenant: Tenant, profile: OnboardingProfile | None) -> list[dict]:
    """The steps in rollout order: key, title, done, count, target, progress (%), url_name and url."""
    phases = ((profile.recommendation or {}).get("phases") if profile else None) or DEFAULT_PHASES
    entitlements = entitlements_for(tenant)
    steps = [step for step in STEPS if not step.feature or entitlements.allows(step.feature)]
    counts = _counts(tenant, {step.key for step in steps})
    ordered = sorted(enumerate(steps), key=lambda item: (_phase_of(item[1], phases), item[0]))
    result = []
    for _index, step in ordered:
        count = min(counts[step.key], step.target)
        result.append({
            "key": step.key, "title": str(step.title), "done": count >= step.target, "count": count,
            "target": step.target, "progress": count * 100 // step.target,
            "url_name": step.url_name, "url": reverse(step.url_name, urlconf=settings.ROOT_URLCONF),
            "alt_url": reverse(step.alt_url_name, urlconf=settings.ROOT_URLCONF) if step.alt_url_name else "",
            "alt_title": str(step.alt_title),
        })
    return result


def checklist_progress(steps: list[dict]) -> int:
    """Per cent of steps done."""
    return sum(step["done"] for step in steps) * 100 // len(steps) if steps else 100


def onboarding_card(*, tenant: Tenant, membership: Membership | None) -> dict:
    """What the dashboard shows: the checklist (None once dismissed or when every step is done) and whether
    sample data is there to remove. Owners and admins may dismiss the checklist and remove sample data."""
    profile = OnboardingProfile.objects.filter(tenant=tenant).first()
    checklist = None
    if profile is None or profile.checklist_dismissed_at is None:
        steps = checklist_for(tenant=tenant, profile=profile)
        progress = checklist_progress(steps)
        if progress < 100:
            checklist = {"steps": steps, "progress": progress, "done": sum(step["done"] for step in steps),
                         "total": len(steps)}
    can_manage = membership is not None and membership.role in DISMISS_ROLES
    return {"checklist": checklist, "sample_data": bool(profile and profile.sample_data), "can_manage": can_manage,
            # The questionnaire can be skipped and picked up again: until answered, owners see the way back.
            "questionnaire_pending": can_manage and (profile is None or profile.questionnaire_done_at is None)}


@transaction.atomic
def checklist_dismiss(*, tenant: Tenant, actor) -> OnboardingProfile:
    """Hide the checklist for the whole workspace; an owner or admin decides."""
    membership = Membership.objects.filter(tenant=tenant, user=actor, is_active=True).first()
    if membership is None or membership.role not in DISMISS_ROLES:
        raise TenantError("forbidden", _("Only an owner or admin can hide the getting-started checklist."))
    profile, _created = OnboardingProfile.objects.get_or_create(tenant=tenant, defaults={"created_by": actor})
    profile = OnboardingProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.checklist_dismissed_at is None:
        profile.checklist_dismissed_at = timezone.now()
        profile.save(update_fields=["checklist_dismissed_at", "updated_at"])
        with tenant_context(tenant):
            audit_record(actor=actor, action="onboarding.checklist_dismissed")
    return profile
