"""The trial balance, the general ledger of one account, and the cash position."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Sum, Window
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from modules.erp.accounting.models import Account, Branch, JournalLine
from modules.erp.accounting.reports.periods import ReportPeriod
from modules.erp.accounting.reports.sums import Sums, account_sums, accounts_all, lines_of
from modules.erp.accounting.reports.table import Column, Row, Table

ZERO = Decimal(0)
CASH_PREFIXES = ("111", "112")


def _split(balance: Decimal) -> tuple[Decimal, Decimal]:
    """A balance (debit positive) as its debit and credit columns."""
    return (balance, ZERO) if balance >= 0 else (ZERO, -balance)


def _facts(period: ReportPeriod, branch: Branch | None) -> list[tuple[str, str]]:
    facts = [(_("Period"), period.label())]
    if branch is not None:
        facts.append((_("Branch"), branch.name))
    return facts


# ---------------------------------------------------------------- trial balance
@dataclass
class TrialBalanceRow:
    account: Account
    sums: Sums
    is_posted: bool  # an account lines are posted to (a leaf); parents show their children's sums

    @property
    def opening(self) -> tuple[Decimal, Decimal]:
        return _split(self.sums.opening)

    @property
    def closing(self) -> tuple[Decimal, Decimal]:
        return _split(self.sums.closing)


@dataclass
class TrialBalance:
    rows: list[TrialBalanceRow]
    totals: dict[str, Decimal] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        t = self.totals
        return (t["open_debit"] == t["open_credit"] and t["debit"] == t["credit"]
                and t["close_debit"] == t["close_credit"])


def trial_balance(*, period: ReportPeriod, branch: Branch | None = None) -> TrialBalance:
    """Every account with an opening balance or movements: opening, period and closing debit and credit. Parents
    carry their children's sums; the totals add the posted accounts only (so debits equal credits). Two queries:
    the chart, and one ``GROUP BY account`` over the lines up to the period's end."""
    accounts = accounts_all()
    by_id = {account.pk: account for account in accounts}
    sums = account_sums(date_from=period.date_from, date_to=period.date_to, branch=branch)
    rolled: dict[int, Sums] = {}
    totals = dict.fromkeys(("open_debit", "open_credit", "debit", "credit", "close_debit", "close_credit"), ZERO)
    for account_id, figures in sums.items():
        opening, closing = _split(figures.opening), _split(figures.closing)
        for key, value in zip(totals, (*opening, figures.debit, figures.credit, *closing), strict=True):
            totals[key] += value
        node = by_id[account_id]
        while node is not None:
            rolled.setdefault(node.pk, Sums()).add(figures)
            node = by_id.get(node.parent_id)
    rows = [TrialBalanceRow(account=account, sums=rolled[account.pk], is_posted=account.pk in sums)
            for account in accounts if account.pk in rolled]
    rows = [row for row in rows if row.sums.opening or row.sums.debit or row.sums.credit or row.sums.closing]
    return TrialBalance(rows=rows, totals=totals)


def trial_balance_table(report: TrialBalance, *, period: ReportPeriod, branch: Branch | None, lang: str,
                        ledger_url=None) -> Table:
    money = {"kind": "money", "width": 27, "blank_zero": True}
    table = Table(key="trial_balance", title=_("Trial balance"), facts=_facts(period, branch), landscape=True,
                  columns=[Column(_("Account"), width=20), Column(_("Name"), width=0),
                           Column(_("Opening debit"), **money), Column(_("Opening credit"), **money),
                           Column(_("Debit"), **money), Column(_("Credit"), **money),
                           Column(_("Closing debit"), **money), Column(_("Closing credit"), **money)])
    for row in report.rows:
        account = row.account
        table.rows.append(Row([account.code, account.name_en if lang == "en" and account.name_en else account.name,
                               *row.opening, row.sums.debit, row.sums.credit, *row.closing],
                              level=len(account.code) - 3, style="" if row.is_posted else "strong",
                              link=ledger_url(account) if ledger_url else "", key=account.code))
    t = report.totals
    table.rows.append(Row(["", _("Grand total"), t["open_debit"], t["open_credit"], t["debit"], t["credit"],
                           t["close_debit"], t["close_credit"]], style="total", key="total"))
    table.notes.append(_("Parent accounts (in bold) show the sum of their sub-accounts; the total adds the "
                         "accounts posted to."))
    return table


# ---------------------------------------------------------------- general ledger
@dataclass
class Ledger:
    account: Account
    account_ids: list[int]
    opening: Decimal
    debit: Decimal
    credit: Decimal

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit


def general_ledger(*, account: Account, period: ReportPeriod, branch: Branch | None = None) -> Ledger:
    """The account (with its sub-accounts): balance before the period and the period's totals, in one query."""
    ids = list(Account.objects.filter(code__startswith=account.code).values_list("pk", flat=True))
    figures = account_sums(date_from=period.date_from, date_to=period.date_to, branch=branch, account_ids=ids)
    total = Sums()
    for sums in figures.values():
        total.add(sums)
    return Ledger(account=account, account_ids=ids, opening=total.opening, debit=total.debit, credit=total.credit)


def ledger_lines(ledger: Ledger, *, period: ReportPeriod, branch: Branch | None = None):
    """The period's lines, oldest first, each with ``running`` (the balance after it, debit positive, computed
    in SQL over the whole period so any page of it is right)."""
    lines = lines_of(date_from=period.date_from, date_to=period.date_to, branch=branch, account_ids=ledger.account_ids)
    return (lines.select_related("entry", "entry__journal", "account", "party")
            .annotate(running=Window(Sum(F("debit") - F("credit")), order_by=[F("date").asc(), F("id").asc()]))
            .order_by("date", "id"))


def counter_accounts(lines) -> dict[int, str]:
    """For each line shown, the other accounts of its entry ("TK đối ứng"): one query for a page of lines."""
    entry_ids = {line.entry_id for line in lines}
    others: dict[int, list[tuple[int, str]]] = {}
    for entry_id, line_id, code in (JournalLine.objects.filter(entry_id__in=entry_ids).order_by("id")
                                    .values_list("entry_id", "id", "account__code")):
        others.setdefault(entry_id, []).append((line_id, code))
    result = {}
    for line in lines:
        codes = [code for line_id, code in others.get(line.entry_id, []) if line_id != line.pk
                 and code != line.account.code]
        result[line.pk] = ", ".join(dict.fromkeys(codes))
    return result


def general_ledger_table(ledger: Ledger, lines, *, period: ReportPeriod, branch: Branch | None, lang: str,
                         entry_url=None) -> Table:
    money = {"kind": "money", "width": 26, "blank_zero": True}
    account = ledger.account
    name = account.name_en if lang == "en" and account.name_en else account.name
    table = Table(key="general_ledger", title=_("General ledger: %(account)s") % {"account": f"{account.code} {name}"},
                  facts=_facts(period, branch), landscape=True,
                  columns=[Column(_("Date"), "date", width=20), Column(_("Entry"), width=26),
                           Column(_("Description"), width=0), Column(_("Counter account"), width=24),
                           Column(_("Debit"), **money), Column(_("Credit"), **money),
                           Column(_("Balance debit"), **money), Column(_("Balance credit"), **money)])
    table.rows.append(Row(["", "", _("Opening balance"), "", "", "", *_split(ledger.opening)], style="strong",
                          key="opening"))
    lines = list(lines)
    counters = counter_accounts(lines)
    for line in lines:
        label = line.label or line.entry.memo
        if line.party_id:
            label = f"{label} — {line.party.name}" if label else line.party.name
        table.rows.append(Row([line.date, line.entry.number, label, counters.get(line.pk, ""), line.debit, line.credit,
                               *_split(ledger.opening + line.running)], key=f"line-{line.pk}",
                              link=entry_url(line.entry_id) if entry_url else "", link_cell=1))
    table.rows.append(Row(["", "", _("Total for the period"), "", ledger.debit, ledger.credit, "", ""],
                          style="strong", key="period"))
    table.rows.append(Row(["", "", _("Closing balance"), "", "", "", *_split(ledger.closing)], style="total",
                          key="closing"))
    return table


# ---------------------------------------------------------------- cash position
@dataclass
class CashPosition:
    rows: list[tuple[Account, Sums]]
    total: Sums
    days: list[tuple[datetime.date, Decimal]]  # balance at the end of each day of the period


def cash_position(*, period: ReportPeriod, branch: Branch | None = None) -> CashPosition:
    """Cash on hand and in banks (111, 112): per account opening, in, out and closing; and the balance at the
    end of every day of the period. Three queries (the chart, the sums, the day totals)."""
    accounts = [account for account in accounts_all() if account.code.startswith(CASH_PREFIXES) and account.is_leaf]
    ids = [account.pk for account in accounts]
    sums = account_sums(date_from=period.date_from, date_to=period.date_to, branch=branch, account_ids=ids)
    rows = [(account, sums[account.pk]) for account in accounts if account.pk in sums]
    total = Sums()
    for _account, figures in rows:
        total.add(figures)
    per_day = dict(lines_of(date_from=period.date_from, date_to=period.date_to, branch=branch, account_ids=ids)
                   .order_by().values("date").annotate(net=Coalesce(Sum(F("debit") - F("credit")), ZERO))
                   .values_list("date", "net"))
    days, balance, day = [], total.opening, period.date_from
    while day <= period.date_to:
        balance += per_day.get(day, ZERO)
        days.append((day, balance))
        day += datetime.timedelta(days=1)
    return CashPosition(rows=rows, total=total, days=days)


def cash_position_table(report: CashPosition, *, period: ReportPeriod, branch: Branch | None, lang: str) -> Table:
    money = {"kind": "money", "width": 32}
    table = Table(key="cash_position", title=_("Cash position"), facts=_facts(period, branch),
                  columns=[Column(_("Account"), width=20), Column(_("Name"), width=0), Column(_("Opening"), **money),
                           Column(_("Money in"), **money), Column(_("Money out"), **money),
                           Column(_("Closing"), **money)])
    for account, sums in report.rows:
        table.rows.append(Row([account.code, account.name_en if lang == "en" and account.name_en else account.name,
                               sums.opening, sums.debit, sums.credit, sums.closing], key=account.code))
    t = report.total
    table.rows.append(Row(["", _("Grand total"), t.opening, t.debit, t.credit, t.closing], style="total", key="total"))
    return table


def cash_chart(report: CashPosition) -> dict:
    return {"type": "line", "currency": "VND", "labels": [day.strftime("%d/%m") for day, _balance in report.days],
            "datasets": [{"label": _("Cash and bank balance"), "color": "#1e5eff",
                          "data": [float(balance) for _day, balance in report.days]}]}
