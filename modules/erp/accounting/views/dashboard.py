"""The finance dashboard at /erp/accounting/: revenue, gross margin, receivables, payables and the cash trend
over twelve months, in a fixed number of queries."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from billing.entitlements import entitlements_of_request
from modules.erp.accounting.reports import dashboard as figures
from modules.erp.accounting.views._common import LEDGER, STATEMENTS, VAT, accounting_view, can_edit


@accounting_view(LEDGER)
def finance_dashboard(request):
    overview = figures.finance_overview(timezone.localdate())
    allows = entitlements_of_request(request).allows
    return render(request, "erp/accounting/dashboard.html", {
        "overview": overview, "revenue_chart": figures.revenue_chart(overview),
        "cash_chart": figures.cash_trend_chart(overview), "settings": request.accounting,
        "can_edit": can_edit(request), "statements": allows(STATEMENTS), "vat": allows(VAT)})


urlpatterns = [
    path("", finance_dashboard, name="accounting_dashboard"),
]
