"""Stock levels: every stocked product's on hand, reserved and available (in one warehouse or all), its average
cost and stock value, flagged when below its reorder minimum; and the opening stock form."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from modules.erp.catalog.money import money_round
from modules.erp.errors import ErpError
from modules.erp.inventory import selectors, services
from modules.erp.inventory.forms import OpeningStockForm
from modules.erp.inventory.models import ProductValuation, Warehouse
from modules.erp.inventory.views._common import FEATURE, PAGE_SIZE, can_edit, form_error, lots_in_use
from modules.erp.views_common import erp_view
from tenants.roles import Access


def _valued(products, *, whole_company: bool) -> None:
    """Average cost (workspace-wide, weighted) and the value of what is on hand in the page's scope."""
    for product in products:
        try:
            valuation = product.valuation
        except ProductValuation.DoesNotExist:
            valuation = None
        product.average_cost = valuation.average_cost if valuation else 0
        if whole_company and valuation is not None:
            product.stock_value = valuation.value
        else:
            product.stock_value = money_round(product.on_hand * product.average_cost, "VND")
        product.is_low = product.reorder_min is not None and product.available < product.reorder_min


def _page(request, *, opening_form=None, status: int = 200):
    warehouses = list(Warehouse.objects.filter(is_active=True))
    chosen = request.GET.get("warehouse", "")
    warehouse = next((w for w in warehouses if str(w.pk) == chosen), None)
    filters = {"q": request.GET.get("q", "").strip(), "warehouse": str(warehouse.pk) if warehouse else "",
               "low": "1" if request.GET.get("low") else ""}
    products = selectors.stock_level_list(warehouse=warehouse, q=filters["q"], low_only=bool(filters["low"]))
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    _valued(page.object_list, whole_company=warehouse is None)
    editable = can_edit(request)
    if opening_form is None and editable:
        opening_form = OpeningStockForm(prefix="opening", lots=lots_in_use(request))
    return render(request, "erp/inventory/stock_list.html", {
        "page": page, "filters": filters, "filtered": any(filters.values()), "warehouses": warehouses,
        "warehouse": warehouse, "can_edit": editable, "opening_form": opening_form}, status=status)


@erp_view(FEATURE)
def stock_list(request):
    return _page(request)


@erp_view(FEATURE, Access.EDIT)
@require_POST
def opening_set(request):
    form = OpeningStockForm(request.POST, prefix="opening", lots=lots_in_use(request))
    if form.is_valid():
        try:
            services.stock_opening_set(actor=request.user, **form.cleaned_data)
        except ErpError as error:
            form_error(form, error)
        else:
            data = form.cleaned_data
            messages.success(request, _("Opening stock recorded: %(quantity)s %(unit)s of %(product)s at %(location)s.")
                             % {"quantity": f"{data['quantity'].normalize():f}", "unit": data["product"].base_unit.name,
                                "product": data["product"].name, "location": data["location"].code})
            return redirect("inventory_stock")
    return _page(request, opening_form=form, status=400)


urlpatterns = [
    path("", stock_list, name="inventory_stock"),
    path("opening/", opening_set, name="inventory_opening_set"),
]
