"""Ledger sums in SQL: one ``GROUP BY`` per question, never a journal line loaded into Python.

``account_sums`` is the workhorse: per account (and party, when asked) the debits and credits before the period
(the opening) and inside it, in one statement (``SUM ... FILTER``). The balance sheet and the trial balance read
every line up to the period's end once; the income statement reads only the result accounts' lines of the
period through the ``(account, date)`` index.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from modules.erp.accounting.models import Account, Branch, JournalLine

ZERO = Decimal(0)
RESULT_KINDS = (Account.Kind.REVENUE, Account.Kind.COGS, Account.Kind.EXPENSE, Account.Kind.OTHER_INCOME,
                Account.Kind.OTHER_EXPENSE, Account.Kind.CLOSING)


@dataclass
class Sums:
    """Debits and credits of one account (or account and party): before the period, and inside it."""

    open_debit: Decimal = ZERO
    open_credit: Decimal = ZERO
    debit: Decimal = ZERO
    credit: Decimal = ZERO

    @property
    def opening(self) -> Decimal:
        """Opening balance, debit positive."""
        return self.open_debit - self.open_credit

    @property
    def movement(self) -> Decimal:
        return self.debit - self.credit

    @property
    def closing(self) -> Decimal:
        return self.opening + self.movement

    def add(self, other: Sums) -> None:
        self.open_debit += other.open_debit
        self.open_credit += other.open_credit
        self.debit += other.debit
        self.credit += other.credit


def lines_of(*, date_to: datetime.date, date_from: datetime.date | None = None, branch: Branch | None = None,
             account_ids=None):
    lines = JournalLine.objects.filter(date__lte=date_to)
    if date_from is not None:
        lines = lines.filter(date__gte=date_from)
    if branch is not None:
        lines = lines.filter(branch=branch)
    if account_ids is not None:
        lines = lines.filter(account_id__in=list(account_ids))
    return lines


def closing_entries(closing_account_ids) -> Q:
    """Lines of entries that close the result accounts into 911: left out of the income statement, which shows
    what the period earned and spent, not the year-end transfers."""
    closing = JournalLine.objects.filter(account_id__in=list(closing_account_ids)).values("entry_id")
    return Q(entry_id__in=closing)


def account_sums(*, date_from: datetime.date | None, date_to: datetime.date, branch: Branch | None = None,
                 account_ids=None, by_party: bool = False, opening: bool = True,
                 exclude_closing_of=None) -> dict:
    """``{account_id: Sums}`` (``{(account_id, party_id): Sums}`` with ``by_party``) of the lines dated up to
    ``date_to``: before ``date_from`` in the opening columns, from it on in the period's (everything is "period"
    when ``date_from`` is None). Without ``opening`` only the period's lines are read."""
    lines = lines_of(date_to=date_to, date_from=None if opening else date_from, branch=branch,
                     account_ids=account_ids)
    if exclude_closing_of:
        lines = lines.exclude(closing_entries(exclude_closing_of))
    keys = ["account_id", "party_id"] if by_party else ["account_id"]
    split = opening and date_from is not None
    before, inside = Q(date__lt=date_from), Q(date__gte=date_from)
    # (the names differ from the columns': an annotation may not shadow the field it sums)
    aggregates = {"sum_debit": Coalesce(Sum("debit", filter=inside if split else None), ZERO),
                  "sum_credit": Coalesce(Sum("credit", filter=inside if split else None), ZERO)}
    if split:
        aggregates.update(open_debit=Coalesce(Sum("debit", filter=before), ZERO),
                          open_credit=Coalesce(Sum("credit", filter=before), ZERO))
    rows = lines.order_by().values(*keys).annotate(**aggregates)
    result = {}
    for row in rows:
        key = (row["account_id"], row["party_id"]) if by_party else row["account_id"]
        result[key] = Sums(open_debit=row.get("open_debit", ZERO), open_credit=row.get("open_credit", ZERO),
                           debit=row["sum_debit"], credit=row["sum_credit"])
    return result


def accounts_all() -> list[Account]:
    """The chart (a few hundred rows), read once per report: prefixes and parents are resolved in Python."""
    return list(Account.objects.only("id", "code", "name", "name_en", "kind", "normal", "parent_id", "is_leaf")
                .order_by("code"))


def ids_with_prefix(accounts: list[Account], *prefixes: str) -> list[int]:
    return [account.pk for account in accounts if account.code.startswith(prefixes)]
