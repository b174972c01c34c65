"""Workspace-host billing pages: the plan, usage, payments, changing tier, paying."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing import selectors, services, stripe_gateway
from billing.entitlements import entitlements_of_request, upgrade_page
from billing.errors import BillingError
from billing.forms import ChangePlanForm
from billing.models import Payment, PaymentOrder, Period, Plan, Subscription
from billing.vietqr import vietqr_payload, vietqr_svg
from tenants.access import module_required
from tenants.models import Membership
from tenants.roles import Access
from tenants.urls_helpers import workspace_url


@module_required("billing", Access.VIEW)
def overview(request):
    subscription = services.subscription_of(request.tenant)
    context = {
        "subscription": subscription,
        "plans": Plan.objects.filter(is_active=True),
        "usage": selectors.usage_for(tenant=request.tenant, plan=subscription.plan),
        "payments": selectors.payments_of(tenant=request.tenant)[:50],
        "open_order": selectors.open_order_of(tenant=request.tenant),
        "stripe_enabled": stripe_gateway.stripe_enabled(),
    }
    return render(request, "billing/overview.html", context)


@module_required("billing", Access.MANAGE)
def change(request, plan_code: str):
    plan = get_object_or_404(Plan, code=plan_code, is_active=True)
    period = request.POST.get("period") or request.GET.get("period") or Period.MONTH
    if period not in Period.values:
        raise Http404
    members = Membership.objects.filter(tenant=request.tenant, is_active=True).select_related("user")
    form = ChangePlanForm(request.POST or None, members=members, initial={"period": period})
    subscription = services.subscription_of(request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            return _change_apply(request, plan=plan, subscription=subscription, data=form.cleaned_data)
        except BillingError as error:
            form.add_error(None, error.message)
    context = {
        "plan": plan, "form": form, "subscription": subscription,
        "quote": services.price_quote(tenant=request.tenant, plan_code=plan.code, period=period),
        "over_seats": services.members_over_limit(tenant=request.tenant, plan=plan),
        "stripe_enabled": stripe_gateway.stripe_enabled() and bool(plan.stripe_price(period)),
        "trial_available": not subscription.trial_used and subscription.plan.is_free and not plan.is_free,
    }
    return render(request, "billing/change.html", context, status=400 if form.errors else 200)


def _change_apply(request, *, plan: Plan, subscription: Subscription, data: dict):
    action, period, tenant = data["action"], data["period"], request.tenant
    keep = [int(pk) for pk in data["keep"]]
    if action == "trial":
        services.trial_start(tenant=tenant, plan_code=plan.code, actor=request.user)
        messages.success(request, _("Your trial of %(plan)s has started.") % {"plan": plan.name})
        return redirect("billing_overview")
    if action == "bank":
        order = services.payment_order_create(tenant=tenant, plan_code=plan.code, period=period, actor=request.user)
        return redirect("billing_order", reference=order.reference)
    if action == "card" and subscription.provider != Subscription.Provider.STRIPE:
        if not stripe_gateway.stripe_enabled():
            raise BillingError("stripe_disabled", _("Card payments are not available; please use bank transfer."))
        session = stripe_gateway.checkout_session_create(
            tenant_id=tenant.pk, customer_id=subscription.stripe_customer_id or None,
            customer_email=request.user.email, price_id=plan.stripe_price(period),
            success_url=workspace_url(tenant, "/billing/?checkout=done"),
            cancel_url=workspace_url(tenant, "/billing/"),
            idempotency_key=f"checkout-{tenant.pk}-{plan.code}-{period}-{subscription.changes.count()}",
        )
        return redirect(session["url"])
    # "switch", or "card" on an existing card subscription (Stripe prorates the difference).
    paid_upgrade = plan.rank > subscription.plan.rank and not plan.is_free
    if paid_upgrade and subscription.provider != Subscription.Provider.STRIPE:
        raise BillingError("payment_required", _("Choose how to pay for the upgrade."))
    services.subscription_change_plan(tenant=tenant, plan_code=plan.code, period=period, actor=request.user,
                                      keep_member_ids=keep)
    messages.success(request, _("Your workspace is now on %(plan)s.") % {"plan": plan.name})
    return redirect("billing_overview")


@module_required("billing", Access.VIEW)
def order(request, reference: str):
    payment_order = get_object_or_404(PaymentOrder.objects.select_related("plan"), tenant=request.tenant,
                                      reference=reference)
    payload = vietqr_payload(bank_bin=settings.VENDOR_BANK_BIN, account_number=settings.VENDOR_BANK_ACCOUNT,
                             amount=int(payment_order.amount_vnd), reference=payment_order.reference)
    context = {"order": payment_order, "qr_svg": vietqr_svg(payload), "bank": {
        "name": settings.VENDOR_BANK_NAME, "account": settings.VENDOR_BANK_ACCOUNT,
        "holder": settings.VENDOR_BANK_ACCOUNT_NAME}}
    return render(request, "billing/order.html", context)


@module_required("billing", Access.VIEW)
def receipt(request, receipt_number: str):
    payment = get_object_or_404(Payment.objects.select_related("plan"), tenant=request.tenant,
                                receipt_number=receipt_number)
    return render(request, "billing/receipt.html", {"payment": payment})


@require_POST
@module_required("billing", Access.MANAGE)
def portal(request):
    subscription = services.subscription_of(request.tenant)
    if not (stripe_gateway.stripe_enabled() and subscription.stripe_customer_id):
        messages.error(request, _("There is no card subscription to manage."))
        return redirect("billing_overview")
    url = stripe_gateway.portal_session_create(
        customer_id=subscription.stripe_customer_id, return_url=workspace_url(request.tenant, "/billing/"),
        idempotency_key=f"portal-{subscription.pk}-{request.session.session_key}")
    return redirect(url)


def upgrade(request, feature: str):
    """Where a locked menu entry leads: which tier unlocks the feature, and the button."""
    if entitlements_of_request(request).allows(feature):
        return redirect("dashboard")
    return upgrade_page(request, feature, status=200)


def plan_api(request):
    """GET /api/v1/plan: the workspace's plan, status and features (for API clients and the menu)."""
    ent = entitlements_of_request(request)
    return JsonResponse({"plan": ent.plan_code, "status": ent.status, "features": sorted(ent.features),
                         "limits": ent.limits, "read_only": ent.read_only})


