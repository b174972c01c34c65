"""The income statement (B02-DN shape) and the balance sheet (B01-DN shape), from the chart's layout tables
(``layouts``) and one SQL aggregate each."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from modules.erp.accounting.models import Account, Branch
from modules.erp.accounting.reports import layouts
from modules.erp.accounting.reports.periods import ReportPeriod
from modules.erp.accounting.reports.sums import RESULT_KINDS, Sums, account_sums, accounts_all
from modules.erp.accounting.reports.table import Column, Row, Table

ZERO = Decimal(0)


@dataclass
class Statement:
    """Line code -> amount per column, the layout it follows, and the accounts it could not place."""

    lines: list[layouts.Line]
    columns: list[dict[str, Decimal]]
    unmapped: list[Account] = field(default_factory=list)
    caught: list[Account] = field(default_factory=list)

    def amount(self, code: str, column: int = 0) -> Decimal:
        return self.columns[column].get(code, ZERO)


def _totals(lines: list[layouts.Line], values: dict[str, Decimal]) -> dict[str, Decimal]:
    """Fill the formula lines (a line may sum lines defined after it: resolved on demand)."""
    by_code = {line.code: line for line in lines}

    def value(code: str) -> Decimal:
        line = by_code[code]
        if line.formula and code not in values:
            values[code] = sum((sign * value(part) for part, sign in line.formula), ZERO)
        return values.get(code, ZERO)

    for line in lines:
        value(line.code)
    return values


def _income_rule(rule: str, sums: Sums) -> Decimal:
    return {"cr": sums.credit - sums.debit, "dr": sums.debit - sums.credit, "credit": sums.credit,
            "debit": sums.debit}[rule]


def income_statement(*, chart: str, period: ReportPeriod, branch: Branch | None = None) -> Statement:
    """What the period earned and spent, closing entries (those touching 911) left out. Two queries."""
    accounts = accounts_all()
    result = [account for account in accounts if account.kind in RESULT_KINDS and account.kind != Account.Kind.CLOSING]
    closing = [account.pk for account in accounts if account.kind == Account.Kind.CLOSING]
    sums = account_sums(date_from=period.date_from, date_to=period.date_to, branch=branch,
                        account_ids=[account.pk for account in result], opening=False, exclude_closing_of=closing)
    sources = layouts.INCOME_SOURCES[chart]
    values: dict[str, Decimal] = defaultdict(lambda: ZERO)
    unmapped = []
    for account in result:
        figures = sums.get(account.pk)
        if figures is None:
            continue
        matched = layouts.sources_for(account.code, sources)
        if not matched and (figures.debit or figures.credit):
            unmapped.append(account)
        for source in matched:
            values[source.line] += _income_rule(source.rule, figures)
    return Statement(lines=layouts.INCOME_STATEMENT, columns=[_totals(layouts.INCOME_STATEMENT, dict(values))],
                     unmapped=unmapped)


def _balance_rule(rule: str, balance: Decimal) -> Decimal:
    if rule == "dr":
        return balance
    if rule == "cr":
        return -balance
    if rule.startswith("dr+"):
        return max(balance, ZERO)
    return max(-balance, ZERO)


def balance_sheet(*, chart: str, period: ReportPeriod, branch: Branch | None = None) -> Statement:
    """Balances at the end of the period and at the end of the day before it (columns 0 and 1). One query over
    the lines up to the period's end, grouped by account and party."""
    accounts = {account.pk: account for account in accounts_all()}
    sums = account_sums(date_from=period.date_from, date_to=period.date_to, branch=branch, by_party=True)
    sources = layouts.BALANCE_SOURCES[chart]
    # per account: its balances (closing, opening) and its balances party by party
    per_account: dict[int, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for (account_id, _party_id), figures in sums.items():
        per_account[account_id].append((figures.closing, figures.opening))
    closing_values: dict[str, Decimal] = defaultdict(lambda: ZERO)
    opening_values: dict[str, Decimal] = defaultdict(lambda: ZERO)
    caught = []
    for account_id, balances in per_account.items():
        account = accounts[account_id]
        if account.kind == Account.Kind.OFF_BALANCE:
            continue
        if account.kind in RESULT_KINDS:
            matched = [layouts.Source("", layouts.RESULT_LINE, "cr")]
        else:
            matched = layouts.sources_for(account.code, sources)
            if not matched:
                matched = [layouts.CATCH_ALL[account.kind]]
                if any(closing or opening for closing, opening in balances):
                    caught.append(account)
        for source in matched:
            if source.rule.endswith("p"):  # party by party
                closing_values[source.line] += sum((_balance_rule(source.rule, b[0]) for b in balances), ZERO)
                opening_values[source.line] += sum((_balance_rule(source.rule, b[1]) for b in balances), ZERO)
            else:
                closing_values[source.line] += _balance_rule(source.rule, sum((b[0] for b in balances), ZERO))
                opening_values[source.line] += _balance_rule(source.rule, sum((b[1] for b in balances), ZERO))
    lines = layouts.BALANCE_SHEET
    return Statement(lines=lines, columns=[_totals(lines, dict(closing_values)), _totals(lines, dict(opening_values))],
                     caught=sorted(caught, key=lambda account: account.code))


def _facts(period: ReportPeriod, branch: Branch | None) -> list[tuple[str, str]]:
    facts = [(_("Period"), period.label())]
    if branch is not None:
        facts.append((_("Branch"), branch.name))
    return facts


def _account_list(accounts: list[Account]) -> str:
    return ", ".join(f"{account.code} {account.name}" for account in accounts)


def income_statement_table(statement: Statement, *, period: ReportPeriod, branch: Branch | None,
                           lang: str) -> Table:
    table = Table(key="income_statement", title=_("Income statement"), facts=_facts(period, branch), columns=[
        Column(_("Item"), width=0), Column(_("Code"), width=14), Column(_("This period"), "money", width=40)])
    for line in statement.lines:
        table.rows.append(Row([line.name(lang), line.code, statement.amount(line.code)], level=line.level,
                              style="strong" if line.strong else "", key=line.code))
    table.notes.append(_("Form B02-DN. Entries closing the result into account 911 are left out."))
    if statement.unmapped:
        table.notes.append(_("Not in any line (costs to be transferred first, e.g. production costs): %(accounts)s")
                           % {"accounts": _account_list(statement.unmapped)})
    return table


def balance_sheet_table(statement: Statement, *, period: ReportPeriod, branch: Branch | None, lang: str) -> Table:
    facts = _facts(period, branch)
    table = Table(key="balance_sheet", title=_("Balance sheet"), facts=facts, columns=[
        Column(_("Item"), width=0), Column(_("Code"), width=14),
        Column(_("At %(day)s") % {"day": period.date_to.strftime("%d/%m/%Y")}, "money", width=36),
        Column(_("At %(day)s") % {"day": period.opening_day.strftime("%d/%m/%Y")}, "money", width=36)])
    for line in statement.lines:
        table.rows.append(Row([line.name(lang), line.code, statement.amount(line.code), statement.amount(line.code, 1)],
                              level=line.level, style="total" if line.code in (layouts.ASSET_TOTAL,
                                                                               layouts.SOURCES_TOTAL)
                              else "strong" if line.strong else "", key=line.code))
    table.notes.append(_("Form B01-DN. Line 421 includes the result of the year not yet closed (revenue less "
                         "costs). Receivables and payables are shown gross, customer by customer and supplier by "
                         "supplier. Amounts marked (*) are deducted."))
    if statement.caught:
        table.notes.append(_("Accounts without a line of their own, shown as other assets (155), other payables "
                             "(319) or other capital (414): %(accounts)s") % {
            "accounts": _account_list(statement.caught)})
    return table
