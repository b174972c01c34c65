"""Marketing campaigns: the list with ROI, a campaign's results, cost ledger and monthly chart, create and edit.

Campaigns have an owner and no team: owners, admins and viewers see every campaign, managers and members
the campaigns they own (record rules, ``scope`` with ``team_field=None``).
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from modules.crm.access import get_for, scope
from modules.crm.errors import CrmError
from modules.crm.forms.campaigns import CampaignCostForm, CampaignForm
from modules.crm.models import Campaign
from modules.crm.selectors import campaigns as selectors
from modules.crm.services import campaigns as services
from modules.crm.views.common import crm_view
from tenants.roles import Access

FEATURE = "crm.campaigns"


def _visible(request):
    return scope(Campaign.objects.all(), membership=request.membership, team_field=None)


def _get(request, pk: int) -> Campaign:
    return get_for(Campaign.objects.all(), membership=request.membership, pk=pk, team_field=None)


def _form_error(form, error: CrmError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@crm_view(FEATURE)
def campaign_list(request):
    basis = selectors.revenue_basis()
    rows = selectors.campaign_rows(_visible(request), basis)
    return render(request, "crm/campaigns/list.html", {"rows": rows, "invoiced": basis == selectors.INVOICED})


@crm_view(FEATURE, Access.EDIT)
def campaign_create(request):
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, **form.cleaned_data)
        except CrmError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Campaign created."))
            return redirect("campaign_detail", pk=campaign.pk)
    return render(request, "crm/campaigns/form.html", {"form": form, "campaign": None},
                  status=400 if form.errors else 200)


@crm_view(FEATURE, Access.EDIT)
def campaign_edit(request, pk: int):
    campaign = _get(request, pk)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(campaign=campaign, actor=request.user, **form.cleaned_data)
        except CrmError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("campaign_detail", pk=campaign.pk)
    return render(request, "crm/campaigns/form.html", {"form": form, "campaign": campaign},
                  status=400 if form.errors else 200)


def _detail(request, campaign: Campaign, cost_form: CampaignCostForm, status: int = 200):
    basis = selectors.revenue_basis()
    invoiced = basis == selectors.INVOICED
    campaign = selectors.with_results(Campaign.objects.filter(pk=campaign.pk), basis).get()
    points = selectors.campaign_by_month(campaign, basis)
    chart = selectors.campaign_chart(points, cost_label=_("Cost"),
                                     revenue_label=_("Invoiced revenue") if invoiced else _("Won revenue"),
                                     currency=campaign.currency)
    return render(request, "crm/campaigns/detail.html", {
        "campaign": campaign,
        "results": selectors.results_of(campaign, basis),
        "invoiced": invoiced,
        "costs": selectors.campaign_costs(campaign),
        "points": points,
        "chart": chart,
        "other_currency": selectors.other_currency_deals(campaign, basis),
        "cost_form": cost_form,
    }, status=status)


@crm_view(FEATURE)
def campaign_detail(request, pk: int):
    campaign = _get(request, pk)
    return _detail(request, campaign, CampaignCostForm(initial={"spent_on": timezone.localdate()}))


@require_POST
@crm_view(FEATURE, Access.EDIT)
def campaign_cost_add(request, pk: int):
    campaign = _get(request, pk)
    form = CampaignCostForm(request.POST)
    if form.is_valid():
        try:
            services.campaign_cost_add(campaign=campaign, actor=request.user, **form.cleaned_data)
        except CrmError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Cost recorded."))
            return redirect("campaign_detail", pk=campaign.pk)
    return _detail(request, campaign, form, status=400)


urlpatterns = [
    path("campaigns/", campaign_list, name="campaign_list"),
    path("campaigns/new/", campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/costs/", campaign_cost_add, name="campaign_cost_add"),
]
