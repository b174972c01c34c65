"""The deal page's ERP part: the "Create quotation" button (Growth) and the order panel it polls while the
automatic quotation (Scale) is on its way."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from modules.crm.access import get_for
from modules.crm.models import Deal
from modules.erp.errors import ErpError
from modules.erp.sales.selectors_from_deal import deal_order_panel
from modules.erp.sales.services_from_deal import sales_order_from_deal
from modules.erp.views_common import erp_view
from tenants.access import module_required
from tenants.roles import Access

FEATURE = "erp.sales"


@require_POST
@module_required("crm", Access.VIEW)
@erp_view(FEATURE, Access.EDIT)
def deal_quotation_create(request, pk: int):
    """Make the won deal's quotation (or open the one it has: a second click makes no second order)."""
    deal = get_for(Deal.objects.all(), membership=request.membership, pk=pk)
    try:
        order = sales_order_from_deal(actor=request.user, deal=deal)
    except ErpError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Quotation %(number)s is ready: check it and confirm it.") % {
            "number": order.number})
    return redirect("deal_detail", pk=deal.pk)


@module_required("crm", Access.VIEW)
@erp_view(FEATURE)
def deal_order_fragment(request, pk: int):
    """The order panel alone (htmx polls it while the quotation is on its way)."""
    deal = get_for(Deal.objects.select_related("stage"), membership=request.membership, pk=pk)
    return render(request, "erp/sales/_deal_order.html", {"panel": deal_order_panel(deal=deal, request=request)})


urlpatterns = [
    path("deals/<int:pk>/quotation/", deal_quotation_create, name="deal_quotation_create"),
    path("deals/<int:pk>/order/", deal_order_fragment, name="deal_order_fragment"),
]
