"""The ERP overview: cards and charts for what the plan has (catalog always; stock, sales and purchasing when
the plan includes them). A fixed number of queries whatever the data size."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone

from billing.entitlements import entitlements_of_request
from modules.erp.dashboard import selectors
from modules.erp.views_common import erp_view
from tenants.access import membership_allows
from tenants.roles import Access


def _url(request, name: str) -> str | None:
    """The address of a page another part of the ERP serves, or None while that part is not installed."""
    try:
        return reverse(name, urlconf=request.urlconf)
    except NoReverseMatch:
        return None


@erp_view("erp.catalog")
def dashboard(request):
    allows = entitlements_of_request(request).allows
    today = timezone.localdate()
    context = {"today": today, "can_edit": membership_allows(request.membership, "erp", Access.EDIT),
               "counts": selectors.product_counts(), "has_inventory": allows("erp.inventory"),
               "has_sales": allows("erp.sales"), "has_purchasing": allows("erp.purchasing"),
               "urls": {name: _url(request, name) for name in (
                   "erp_import_list", "sales_quotation_create", "sales_order_list", "purchase_suggestions",
                   "inventory_picking_list")}}
    if context["has_inventory"]:
        categories = selectors.stock_value_by_category()
        context.update(categories=categories, stock_value=sum(row["value"] for row in categories),
                       stock_chart=selectors.stock_value_chart(categories), low_stock=selectors.low_stock(),
                       deliveries=selectors.deliveries_due(today))
    if context["has_sales"]:
        months = selectors.sales_by_month(today)
        context.update(sales_months=months, sales_total=sum(row["amount"] for row in months),
                       sales_chart=selectors.sales_chart(months))
    if context["has_purchasing"]:
        context["suggestion_count"] = selectors.purchase_suggestion_count()
    return render(request, "erp/dashboard.html", context)


urlpatterns = [
    path("", dashboard, name="erp_dashboard"),
]
