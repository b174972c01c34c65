"""Warehouses and their locations: the list, a new warehouse (a second one needs Scale: the service's refusal is
shown with the upgrade path), a new location."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from billing.entitlements import entitlements_of_request
from billing.errors import BillingError
from modules.erp.errors import ErpError
from modules.erp.inventory import selectors_ui, services
from modules.erp.inventory.forms import LocationForm, WarehouseForm
from modules.erp.inventory.views._common import FEATURE, MULTI, can_edit, form_error
from modules.erp.views_common import erp_view
from tenants.roles import Access


def _page(request, *, warehouse_form=None, location_form=None, status: int = 200):
    return render(request, "erp/inventory/warehouses.html", {
        "warehouses": selectors_ui.warehouse_list(), "can_edit": can_edit(request),
        "multi": entitlements_of_request(request).allows(MULTI), "multi_feature": MULTI,
        "warehouse_form": warehouse_form or WarehouseForm(prefix="warehouse"),
        "location_form": location_form or LocationForm(prefix="location")}, status=status)


@erp_view(FEATURE)
def warehouse_list(request):
    return _page(request)


@erp_view(FEATURE, Access.EDIT)
def warehouse_create(request):
    if request.method != "POST":
        return redirect("inventory_warehouse_list")
    form = WarehouseForm(request.POST, prefix="warehouse")
    status = 400
    if form.is_valid():
        try:
            warehouse = services.warehouse_create(actor=request.user, tenant=request.tenant, **form.cleaned_data)
        except BillingError as error:  # a second warehouse below Scale: say so, with the upgrade path
            form_error(form, error)
            status = 402
        except ErpError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Warehouse %(name)s created with its default location.") % {
                "name": warehouse.name})
            return redirect("inventory_warehouse_list")
    return _page(request, warehouse_form=form, status=status)


@erp_view(FEATURE, Access.EDIT)
def location_create(request):
    if request.method != "POST":
        return redirect("inventory_warehouse_list")
    form = LocationForm(request.POST, prefix="location")
    if form.is_valid():
        try:
            location = services.location_create(actor=request.user, **form.cleaned_data)
        except ErpError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Location %(code)s added.") % {"code": location.code})
            return redirect("inventory_warehouse_list")
    return _page(request, location_form=form, status=400)


urlpatterns = [
    path("", warehouse_list, name="inventory_warehouse_list"),
    path("new/", warehouse_create, name="inventory_warehouse_create"),
    path("locations/new/", location_create, name="inventory_location_create"),
]
