"""What the inventory views share: the plan features, edit access, and turning service errors into messages."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from billing.entitlements import entitlements_of_request
from billing.errors import BillingError
from modules.erp.catalog.models import Product
from modules.erp.errors import ErpError
from tenants.access import membership_allows
from tenants.roles import Access

FEATURE = "erp.inventory"
MULTI = "erp.warehouses_multi"
LOTS = "erp.lots_serials"
PAGE_SIZE = 50


def can_edit(request) -> bool:
    return membership_allows(request.membership, "erp", Access.EDIT)


def lots_in_use(request) -> bool:
    """Lot fields show on Enterprise, and wherever a tracked product exists: a workspace that left Enterprise
    must still be able to move the tracked stock it holds."""
    return (entitlements_of_request(request).allows(LOTS)
            or Product.objects.filter(is_active=True).exclude(tracking=Product.Tracking.NONE).exists())


def forbidden(request):
    return render(request, "tenants/forbidden.html", {"module": "erp"}, status=403)


def form_error(form, error: ErpError | BillingError) -> None:
    """A service error on the field it names, else on the whole form (an upgrade link when the plan stops it)."""
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, billing_message(error)
                   if isinstance(error, BillingError) else error.message)


def billing_message(error: BillingError):
    """The plan's refusal, with the way out: the upgrade page of the feature, or the plans page for a limit."""
    feature = error.detail.get("feature") or (MULTI if error.detail.get("limit") == "warehouses" else None)
    url = reverse("billing_upgrade", args=[feature]) if feature else reverse("billing_overview")
    return format_html('{} <a href="{}" data-testid="upgrade-link">{}</a>', error.message, url, _("See the upgrade"))


def error_message(request, error: ErpError | BillingError) -> None:
    messages.error(request, billing_message(error) if isinstance(error, BillingError) else error.message)
