"""Sales forecast: weighted pipeline and the projection from history, by month, owner and team."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from modules.crm.access import scope
from modules.crm.models import Deal
from modules.crm.selectors import forecast as selectors
from modules.crm.views.common import crm_view


@crm_view("crm.forecasting")
def forecast(request):
    deals = scope(Deal.objects.all(), membership=request.membership)
    result = selectors.forecast(deals=deals)
    chart = result.chart(weighted_label=_("Weighted pipeline"), projected_label=_("Projection from history"),
                         no_date_label=_("No date"))
    return render(request, "crm/forecast/forecast.html", {
        "forecast": result, "chart": chart, "currency": selectors.CURRENCY})


urlpatterns = [
    path("forecast/", forecast, name="forecast"),
]
