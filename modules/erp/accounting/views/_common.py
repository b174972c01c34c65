"""What the accounting views share: the plan features, finance being set up, the report filters (period and
branch) and the report's three outputs (page, XLSX, PDF)."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language

from billing.entitlements import entitlements_of_request
from modules.erp.accounting.models import AccountingSettings, Branch
from modules.erp.accounting.reports.export import XLSX_TYPE, table_pdf, table_xlsx
from modules.erp.accounting.reports.periods import QUICK_PICKS, ReportPeriod, period_from
from modules.erp.accounting.reports.table import Table
from modules.erp.views_common import erp_view
from tenants.access import membership_allows
from tenants.roles import Access

SETUP = "erp.invoicing"  # finance is set up (and its settings kept) from Growth, where invoices post
LEDGER = "erp.accounting"
STATEMENTS = "erp.financial_statements"
VAT = "erp.vat"
BRANCHES = "erp.branches"


def can_edit(request) -> bool:
    return membership_allows(request.membership, "erp", Access.EDIT)


def can_manage(request) -> bool:
    """Owners and admins: they choose the chart, lock the books and open branches."""
    return membership_allows(request.membership, "erp", Access.MANAGE)


def accounting_view(feature: str, level: Access = Access.VIEW):
    """``erp_view`` plus finance being set up: before that, owners and admins are sent to choose the chart and
    everyone else is told to ask them."""

    def decorator(view):
        @erp_view(feature, level)
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            request.accounting = AccountingSettings.objects.first()
            if request.accounting is None:
                if can_manage(request):
                    return redirect("accounting_setup")
                return render(request, "erp/accounting/not_set_up.html", status=409)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def language() -> str:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def branches_shown(request) -> list[Branch]:
    """Branches to filter by: only on a plan with branches, and only once there are some."""
    if not entitlements_of_request(request).allows(BRANCHES):
        return []
    return list(Branch.objects.order_by("code"))


def report_filters(request, *, default: str = "this_month") -> dict:
    """The period and branch a report was asked for, and what the filter bar needs to draw itself."""
    period: ReportPeriod = period_from(request.GET, timezone.localdate(), default)
    branches = branches_shown(request)
    branch = next((b for b in branches if str(b.pk) == request.GET.get("branch", "")), None)
    query = {**period.query(), **({"branch": branch.pk} if branch else {})}
    return {"period": period, "branch": branch, "branches": branches, "quick_picks": QUICK_PICKS,
            "query": urlencode(query)}


def report_response(request, table: Table, template: str, context: dict):
    """The page, or with ``?format=xlsx`` / ``?format=pdf`` the same table as a file."""
    output = request.GET.get("format", "")
    company = request.tenant.name
    name = f"{slugify(table.key)}-{context['period'].date_from:%Y%m%d}-{context['period'].date_to:%Y%m%d}"
    if output == "xlsx":
        response = HttpResponse(table_xlsx(table, company=company), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    if output == "pdf":
        response = HttpResponse(table_pdf(table, company=company, lang=language()), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        return response
    return render(request, template, {**context, "table": table, "can_edit": can_edit(request)})
