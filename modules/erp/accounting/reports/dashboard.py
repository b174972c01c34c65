"""The finance dashboard's figures: revenue and gross margin per month, receivables, payables and the cash
balance at each month's end, over twelve months. Three queries whatever the ledger's size (the chart, the
balances, the monthly movements)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import F, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext as _

from modules.erp.accounting.models import Account
from modules.erp.accounting.reports.sums import account_sums, accounts_all, closing_entries, lines_of

ZERO = Decimal(0)
REVENUE, DEDUCTIONS, COGS, CASH = ("511",), ("521",), ("632",), ("111", "112")
RECEIVABLE, PAYABLE = ("131",), ("331",)


@dataclass
class Month:
    month: datetime.date
    revenue: Decimal
    cogs: Decimal
    cash: Decimal  # balance at the end of the month

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cogs


@dataclass
class FinanceOverview:
    months: list[Month]
    receivables: Decimal
    payables: Decimal
    cash: Decimal

    @property
    def revenue(self) -> Decimal:
        return sum((month.revenue for month in self.months), ZERO)

    @property
    def margin(self) -> Decimal:
        return sum((month.margin for month in self.months), ZERO)

    @property
    def margin_percent(self) -> Decimal | None:
        return None if not self.revenue else (self.margin * 100 / self.revenue).quantize(Decimal("0.1"))


def finance_overview(today: datetime.date, months: int = 12) -> FinanceOverview:
    accounts = accounts_all()

    def ids(prefixes):
        return {account.pk for account in accounts if account.code.startswith(prefixes)}

    revenue, deductions, cogs, cash = ids(REVENUE), ids(DEDUCTIONS), ids(COGS), ids(CASH)
    receivable, payable = ids(RECEIVABLE), ids(PAYABLE)
    start = today.replace(day=1) - relativedelta(months=months - 1)
    balances = account_sums(date_from=start, date_to=today, account_ids=cash | receivable | payable)
    cash_before = sum((balances[pk].opening for pk in cash if pk in balances), ZERO)
    closing = [account.pk for account in accounts if account.kind == Account.Kind.CLOSING]
    moves = (lines_of(date_from=start, date_to=today, account_ids=revenue | deductions | cogs | cash)
             .exclude(closing_entries(closing)).annotate(month=TruncMonth("date")).order_by()
             .values("month", "account_id").annotate(net=Coalesce(Sum(F("debit") - F("credit")), ZERO)))
    per_month: dict[str, dict[str, Decimal]] = {}
    for row in moves:
        figures = per_month.setdefault(row["month"].strftime("%Y-%m"), {"revenue": ZERO, "cogs": ZERO, "cash": ZERO})
        if row["account_id"] in revenue or row["account_id"] in deductions:
            figures["revenue"] -= row["net"]
        elif row["account_id"] in cogs:
            figures["cogs"] += row["net"]
        else:
            figures["cash"] += row["net"]
    result, balance = [], cash_before
    for offset in range(months):
        month = start + relativedelta(months=offset)
        figures = per_month.get(month.strftime("%Y-%m"), {})
        balance += figures.get("cash", ZERO)
        result.append(Month(month=month, revenue=figures.get("revenue", ZERO), cogs=figures.get("cogs", ZERO),
                            cash=balance))
    receivables = sum((balances[pk].closing for pk in receivable if pk in balances), ZERO)
    payables = -sum((balances[pk].closing for pk in payable if pk in balances), ZERO)
    return FinanceOverview(months=result, receivables=receivables, payables=payables, cash=balance)


def revenue_chart(overview: FinanceOverview) -> dict:
    return {"type": "bar", "currency": "VND", "labels": [m.month.strftime("%m/%Y") for m in overview.months],
            "datasets": [{"label": _("Revenue"), "data": [float(m.revenue) for m in overview.months],
                          "color": "#1e5eff"},
                         {"label": _("Gross margin"), "data": [float(m.margin) for m in overview.months],
                          "color": "#2e9d5b"}]}


def cash_trend_chart(overview: FinanceOverview) -> dict:
    return {"type": "line", "currency": "VND", "labels": [m.month.strftime("%m/%Y") for m in overview.months],
            "datasets": [{"label": _("Cash and bank at month end"), "data": [float(m.cash) for m in overview.months],
                          "color": "#0ea5b7"}]}
