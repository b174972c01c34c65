from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from billing.services import GRACE_DAYS
from saas_platform.navigation import nav_for
from saas_platform.templatetags.fmt import format_date
from tenants.selectors import memberships_for_user


def shell(request) -> dict:
    """What the base layout needs: navigation, the workspace switcher, the impersonation banner."""
    membership = getattr(request, "membership", None)
    # Only members learn the workspace's name; guard pages and open views show none.
    tenant = getattr(request, "tenant", None) if membership is not None else None
    context = {"tenant": tenant, "membership": membership, "base_domain": settings.BASE_DOMAIN}
    if tenant is not None and membership is not None:
        context["nav_items"] = nav_for(request)
        context["other_workspaces"] = [
            m.tenant for m in memberships_for_user(user=request.user) if m.tenant_id != tenant.pk
        ]
        context["impersonating"] = bool(request.session.get("impersonator_id"))
        context["billing_banner"] = billing_banner(request)
    return context


def billing_banner(request) -> dict | None:
    """Trial days left, a failed payment's grace period, or read-only: said on every page."""
    from billing.entitlements import entitlements_of_request
    from billing.models import Subscription

    status = entitlements_of_request(request).status
    if status not in ("trialing", "past_due", "unpaid"):
        return None
    subscription = Subscription.objects.filter(tenant=request.tenant).select_related("plan").first()
    link = reverse("billing_overview", urlconf=request.urlconf)
    if status == "trialing" and subscription and subscription.trial_ends_at:
        text = _("Your %(plan)s trial ends on %(date)s.") % {
            "plan": subscription.plan.name, "date": format_date(subscription.trial_ends_at.date())}
        return {"level": "info", "text": text, "link": link}
    if status == "past_due" and subscription and subscription.past_due_since:
        read_only_on = subscription.past_due_since + timedelta(days=GRACE_DAYS)
        text = _("Your last payment failed. Pay before %(date)s to keep full access.") % {
            "date": format_date(read_only_on.date())}
        return {"level": "warn", "text": text, "link": link}
    return {"level": "danger", "link": link, "text": _(
        "This workspace is read-only until the overdue payment is made. Reading and exporting still work.")}
