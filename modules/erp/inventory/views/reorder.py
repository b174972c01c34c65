"""Reorder rules (định mức tồn kho, Scale): keep a product between a minimum and a maximum in a warehouse."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from modules.erp.errors import ErpError
from modules.erp.inventory import selectors_ui, services
from modules.erp.inventory.forms import ReorderRuleForm
from modules.erp.inventory.models import ReorderRule
from modules.erp.inventory.views._common import MULTI, PAGE_SIZE, can_edit, forbidden, form_error
from modules.erp.views_common import erp_view
from tenants.roles import Access


@erp_view(MULTI)
def reorder_list(request):
    form = ReorderRuleForm(request.POST or None)
    if request.method == "POST":
        if not can_edit(request):
            return forbidden(request)
        if form.is_valid():
            try:
                rule = services.reorder_rule_set(actor=request.user, **form.cleaned_data)
            except ErpError as error:
                form_error(form, error)
            else:
                messages.success(request, _("Reorder rule saved for %(product)s.") % {"product": rule.product.name})
                return redirect("inventory_reorder_list")
    page = Paginator(selectors_ui.reorder_rule_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "erp/inventory/reorder_rules.html", {
        "page": page, "form": form, "can_edit": can_edit(request)}, status=400 if form.errors else 200)


@erp_view(MULTI, Access.EDIT)
@require_POST
def reorder_delete(request, pk: int):
    rule = get_object_or_404(ReorderRule.objects.select_related("product"), pk=pk)
    services.reorder_rule_delete(actor=request.user, rule=rule)
    messages.success(request, _("Reorder rule for %(product)s deleted.") % {"product": rule.product.name})
    return redirect("inventory_reorder_list")


urlpatterns = [
    path("", reorder_list, name="inventory_reorder_list"),
    path("<int:pk>/delete/", reorder_delete, name="inventory_reorder_delete"),
]
