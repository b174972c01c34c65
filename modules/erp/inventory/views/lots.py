"""Lot and serial traceability (Enterprise): the lots with a search, and one lot's trace through the move ledger:
upstream (receipts: supplier, purchase order, date) and downstream (deliveries: customer, sales order)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import path

from modules.erp.inventory import selectors_ui
from modules.erp.inventory.models import Lot
from modules.erp.inventory.views._common import LOTS, PAGE_SIZE
from modules.erp.views_common import erp_view


@erp_view(LOTS)
def lot_list(request):
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors_ui.lot_list(q=q), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "erp/inventory/lot_list.html", {"page": page, "q": q})


@erp_view(LOTS)
def lot_detail(request, pk: int):
    lot = get_object_or_404(Lot.objects.select_related("product__base_unit"), pk=pk)
    return render(request, "erp/inventory/lot_detail.html", {"trace": selectors_ui.lot_trace(lot), "lot": lot})


urlpatterns = [
    path("", lot_list, name="inventory_lot_list"),
    path("<int:pk>/", lot_detail, name="inventory_lot_detail"),
]
