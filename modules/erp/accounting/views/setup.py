"""Setting finance up (choosing the chart) and its settings: the lock date, the periods of each fiscal year
(lock / unlock), branches, journals, and the chart of accounts."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.entitlements import entitlements_of_request
from billing.errors import BillingError
from modules.erp.accounting import selectors
from modules.erp.accounting.forms import CHART_HELP, BranchForm, ChartForm, LockDateForm
from modules.erp.accounting.models import AccountingSettings, Period
from modules.erp.accounting.services.branches import branch_create
from modules.erp.accounting.services.setup import (
    accounting_enable,
    fiscal_year_ensure,
    lock_date_set,
    period_lock_set,
)
from modules.erp.accounting.views._common import BRANCHES, SETUP, accounting_view, can_manage
from modules.erp.errors import ErpError
from modules.erp.views_common import erp_view
from tenants.roles import Access


def _setup_page(request, form=None, status: int = 200):
    choices = [(value, label, CHART_HELP[value]) for value, label in AccountingSettings.Chart.choices]
    return render(request, "erp/accounting/setup.html", {"form": form or ChartForm(), "choices": choices},
                  status=status)


@erp_view(SETUP)
def accounting_setup(request):
    """Choose the chart once; afterwards the page says which one the books are kept on."""
    current = AccountingSettings.objects.first()
    if current is not None:
        messages.info(request, _("Accounting is set up on %(chart)s.") % {"chart": current.get_chart_display()})
        return redirect("accounting_settings")
    if not can_manage(request):
        return render(request, "erp/accounting/not_set_up.html", status=403)
    form = ChartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounting_enable(actor=request.user, chart=form.cleaned_data["chart"])
        except ErpError as error:
            form.add_error("chart", error.message)
        else:
            messages.success(request, _("Accounting is set up: chart of accounts, journals and this year's periods "
                                        "are ready."))
            return redirect("accounting_settings")
    return _setup_page(request, form, status=400 if form.errors else 200)


def _settings_page(request, *, lock_form=None, branch_form=None, status: int = 200):
    allows = entitlements_of_request(request).allows
    return render(request, "erp/accounting/settings.html", {
        "settings": request.accounting, "lock_form": lock_form or LockDateForm(
            initial={"lock_date": request.accounting.lock_date}),
        "years": selectors.fiscal_years(), "journals": selectors.journal_list(),
        "has_branches": allows(BRANCHES), "branches": selectors.branch_list() if allows(BRANCHES) else [],
        "branch_form": branch_form or BranchForm(), "can_manage": can_manage(request),
        "next_year": timezone.localdate().year + 1}, status=status)


@erp_view(SETUP)
def accounting_settings(request):
    """The settings; before finance is set up, the choice of the chart (owners and admins) or who to ask."""
    request.accounting = AccountingSettings.objects.first()
    if request.accounting is None:
        if can_manage(request):
            return _setup_page(request)
        return render(request, "erp/accounting/not_set_up.html")
    return _settings_page(request)


@require_POST
@accounting_view(SETUP, Access.MANAGE)
def lock_date_update(request):
    form = LockDateForm(request.POST)
    if form.is_valid():
        lock_date_set(actor=request.user, lock_date=form.cleaned_data["lock_date"])
        if form.cleaned_data["lock_date"]:
            messages.success(request, _("The books are locked up to %(day)s.") % {
                "day": form.cleaned_data["lock_date"].strftime("%d/%m/%Y")})
        else:
            messages.success(request, _("The lock date is removed."))
        return redirect("accounting_settings")
    return _settings_page(request, lock_form=form, status=400)


@require_POST
@accounting_view(SETUP, Access.MANAGE)
def period_lock_toggle(request, pk: int):
    period = get_object_or_404(Period, pk=pk)
    locked = request.POST.get("locked") == "1"
    period_lock_set(actor=request.user, period=period, locked=locked)
    message = _("Period %(period)s locked.") if locked else _("Period %(period)s unlocked.")
    messages.success(request, message % {"period": str(period)})
    return redirect("accounting_settings")


@require_POST
@accounting_view(SETUP, Access.MANAGE)
def fiscal_year_open(request):
    year = timezone.localdate().year + 1
    fiscal_year_ensure(year)
    messages.success(request, _("Fiscal year %(year)s opened with its twelve periods.") % {"year": year})
    return redirect("accounting_settings")


@require_POST
@accounting_view(BRANCHES, Access.MANAGE)
def branch_add(request):
    form = BranchForm(request.POST)
    if form.is_valid():
        try:
            branch = branch_create(actor=request.user, tenant=request.tenant, **form.cleaned_data)
        except ErpError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except BillingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Branch %(name)s added.") % {"name": branch.name})
            return redirect("accounting_settings")
    return _settings_page(request, branch_form=form, status=400)


@accounting_view(SETUP)
def account_list(request):
    q = request.GET.get("q", "").strip()
    return render(request, "erp/accounting/accounts.html", {
        "accounts": selectors.account_tree(q), "q": q, "settings": request.accounting})


urlpatterns = [
    path("setup/", accounting_setup, name="accounting_setup"),
    path("settings/", accounting_settings, name="accounting_settings"),
    path("settings/lock-date/", lock_date_update, name="accounting_lock_date"),
    path("settings/periods/<int:pk>/lock/", period_lock_toggle, name="accounting_period_lock"),
    path("settings/years/", fiscal_year_open, name="accounting_year_open"),
    path("settings/branches/", branch_add, name="accounting_branch_add"),
    path("accounts/", account_list, name="accounting_accounts"),
]
