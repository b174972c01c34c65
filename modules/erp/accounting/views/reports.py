"""Report pages, each filtered by period (and branch where there are branches) and exported with
``?format=xlsx`` or ``?format=pdf``: trial balance, general ledger, income statement, balance sheet, VAT
summaries, cash position; and the list of them."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import urlencode

from billing.entitlements import entitlements_of_request
from modules.erp.accounting.models import Account
from modules.erp.accounting.reports import ledger, statements, vat
from modules.erp.accounting.views._common import (
    LEDGER,
    STATEMENTS,
    VAT,
    accounting_view,
    language,
    report_filters,
    report_response,
)

LEDGER_PAGE = 100


def _ledger_query(filters: dict, code: str) -> str:
    """The general ledger of ``code`` over the same period and branch."""
    branch = {"branch": filters["branch"].pk} if filters["branch"] else {}
    return urlencode({"account": code, **filters["period"].query(), **branch})


@accounting_view(LEDGER)
def report_index(request):
    allows = entitlements_of_request(request).allows
    return render(request, "erp/accounting/reports.html", {
        "ledger": allows(LEDGER), "statements": allows(STATEMENTS), "vat": allows(VAT)})


@accounting_view(LEDGER)
def trial_balance(request):
    filters = report_filters(request)
    report = ledger.trial_balance(period=filters["period"], branch=filters["branch"])
    base = reverse("accounting_general_ledger")
    table = ledger.trial_balance_table(
        report, period=filters["period"], branch=filters["branch"], lang=language(),
        ledger_url=lambda account: f"{base}?{_ledger_query(filters, account.code)}")
    return report_response(request, table, "erp/accounting/report.html", {**filters, "report": report})


@accounting_view(LEDGER)
def general_ledger(request):
    filters = report_filters(request)
    code = request.GET.get("account", "").strip()
    account = Account.objects.filter(code=code).first() if code else None
    context = {**filters, "account_code": code, "accounts": Account.objects.order_by("code")}
    if account is None:
        return render(request, "erp/accounting/general_ledger.html", {**context, "table": None,
                                                                      "unknown": bool(code)})
    report = ledger.general_ledger(account=account, period=filters["period"], branch=filters["branch"])
    lines = ledger.ledger_lines(report, period=filters["period"], branch=filters["branch"])
    exporting = request.GET.get("format") in ("xlsx", "pdf")
    page = None
    if not exporting:
        page = Paginator(lines, LEDGER_PAGE).get_page(request.GET.get("page"))
        lines = page.object_list
    table = ledger.general_ledger_table(report, lines, period=filters["period"], branch=filters["branch"],
                                        lang=language(),
                                        entry_url=lambda pk: reverse("accounting_entry_detail", args=[pk]))
    return report_response(request, table, "erp/accounting/general_ledger.html", {
        **context, "account": account, "report": report, "page": page, "account_fields": [("account", account.code)],
        "export_query": _ledger_query(filters, account.code)})


@accounting_view(STATEMENTS)
def income_statement(request):
    filters = report_filters(request, default="this_year")
    chart = request.accounting.chart
    statement = statements.income_statement(chart=chart, period=filters["period"], branch=filters["branch"])
    table = statements.income_statement_table(statement, period=filters["period"], branch=filters["branch"],
                                              lang=language())
    return report_response(request, table, "erp/accounting/report.html", {**filters, "statement": statement})


@accounting_view(STATEMENTS)
def balance_sheet(request):
    filters = report_filters(request, default="this_year")
    chart = request.accounting.chart
    statement = statements.balance_sheet(chart=chart, period=filters["period"], branch=filters["branch"])
    table = statements.balance_sheet_table(statement, period=filters["period"], branch=filters["branch"],
                                           lang=language())
    return report_response(request, table, "erp/accounting/report.html", {**filters, "statement": statement})


def _vat(request, side: str):
    filters = report_filters(request)
    summary = vat.vat_summary(side=side, period=filters["period"], branch=filters["branch"])
    table = vat.vat_table(summary, period=filters["period"], branch=filters["branch"], lang=language())
    return report_response(request, table, "erp/accounting/report.html", {**filters, "summary": summary,
                                                                         "vat_side": side})


@accounting_view(VAT)
def vat_output(request):
    return _vat(request, "output")


@accounting_view(VAT)
def vat_input(request):
    return _vat(request, "input")


@accounting_view(LEDGER)
def cash_position(request):
    filters = report_filters(request)
    report = ledger.cash_position(period=filters["period"], branch=filters["branch"])
    table = ledger.cash_position_table(report, period=filters["period"], branch=filters["branch"], lang=language())
    return report_response(request, table, "erp/accounting/report.html", {
        **filters, "report": report, "chart": ledger.cash_chart(report) if report.rows else None})


urlpatterns = [
    path("reports/", report_index, name="accounting_reports"),
    path("reports/trial-balance/", trial_balance, name="accounting_trial_balance"),
    path("reports/ledger/", general_ledger, name="accounting_general_ledger"),
    path("reports/income-statement/", income_statement, name="accounting_income_statement"),
    path("reports/balance-sheet/", balance_sheet, name="accounting_balance_sheet"),
    path("reports/vat/output/", vat_output, name="accounting_vat_output"),
    path("reports/vat/input/", vat_input, name="accounting_vat_input"),
    path("reports/cash/", cash_position, name="accounting_cash_position"),
]
