"""The vendor console on the public host: workspaces, their state, and the vendor audit log."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.models import Plan, Subscription, SubscriptionChange
from tenants import selectors, services
from tenants.errors import TenantError
from tenants.forms import SuspendForm, TenantFilterForm
from tenants.hop import hop_token_make
from tenants.models import Membership, Tenant, VendorAuditLog
from tenants.urls_helpers import workspace_url

User = get_user_model()


def staff_member_required(view):
    """Vendor staff only: anonymous people go to the login page, everyone else gets a 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff):
            return render(request, "tenants/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


@staff_member_required
def tenant_list(request):
    form = TenantFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    tenants = selectors.tenants_for_console(**{key: value for key, value in filters.items() if value})
    page = Paginator(tenants.prefetch_related("domains"), 50).get_page(request.GET.get("page"))
    counts = dict(Tenant.objects.order_by().values_list("status").annotate(n=Count("id")))
    return render(request, "console/tenant_list.html", {"form": form, "page": page, "counts": counts})


@staff_member_required
def tenant_detail(request, tenant_id: int):
    tenant = get_object_or_404(Tenant.objects.prefetch_related("domains"), pk=tenant_id)
    context = {
        "tenant": tenant,
        "members": selectors.members_of(tenant=tenant),
        "schema_bytes": selectors.schema_size_bytes(schema_name=tenant.schema_name),
        "usage": selectors.latest_usage(tenant=tenant),
        "audit": VendorAuditLog.objects.filter(tenant=tenant).select_related("actor", "target_user")[:20],
        "suspend_form": SuspendForm(),
        "subscription": Subscription.objects.filter(tenant=tenant).select_related("plan").first(),
        "subscription_changes": SubscriptionChange.objects.filter(subscription__tenant=tenant)[:20],
        "plans": Plan.objects.filter(is_active=True),
    }
    return render(request, "console/tenant_detail.html", context)


@require_POST
@staff_member_required
def tenant_suspend(request, tenant_id: int):
    tenant = get_object_or_404(Tenant, pk=tenant_id)
    form = SuspendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for the suspension."))
        return redirect("console_tenant_detail", tenant_id=tenant.pk)
    try:
        services.tenant_suspend(tenant=tenant, actor=request.user, reason=form.cleaned_data["reason"],
                                ip_address=_client_ip(request))
    except TenantError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Workspace suspended."))
    return redirect("console_tenant_detail", tenant_id=tenant.pk)


@require_POST
@staff_member_required
def tenant_reactivate(request, tenant_id: int):
    tenant = get_object_or_404(Tenant, pk=tenant_id)
    try:
        services.tenant_reactivate(tenant=tenant, actor=request.user, ip_address=_client_ip(request))
    except TenantError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Workspace reactivated."))
    return redirect("console_tenant_detail", tenant_id=tenant.pk)


@require_POST
@staff_member_required
def tenant_login_as(request, tenant_id: int, user_id: int):
    membership = get_object_or_404(
        Membership.objects.select_related("tenant", "user"), tenant_id=tenant_id, user_id=user_id, is_active=True
    )
    services.vendor_audit(actor=request.user, action="tenant.login_as", tenant=membership.tenant,
                          target_user=membership.user, ip_address=_client_ip(request))
    token = hop_token_make(user_id=membership.user_id, tenant=membership.tenant, impersonator_id=request.user.pk)
    return redirect(workspace_url(membership.tenant, f"/hop/?t={token}"))


@staff_member_required
def audit_log(request):
    entries = VendorAuditLog.objects.select_related("actor", "tenant", "target_user")
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return render(request, "console/audit_log.html", {"page": page})
