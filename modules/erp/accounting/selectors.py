"""Reads for the accounting pages: journal entries (list with filters in a fixed number of queries, detail),
the chart of accounts as a searchable tree, journals, fiscal years with their periods, branches. The reports
live in ``reports/``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import DecimalField, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from modules.erp.accounting.models import Account, Branch, FiscalYear, Journal, JournalEntry, JournalLine

MONEY = DecimalField(max_digits=20, decimal_places=2)


@dataclass(frozen=True)
class EntryFilters:
    journal: str = ""  # journal code
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    account: str = ""  # account code (its sub-accounts included)
    party_id: int | None = None  # a link from a party's page
    party: str = ""  # part of a customer's or supplier's name, or its tax code
    q: str = ""  # number, reference or memo

    @property
    def active(self) -> bool:
        return bool(self.journal or self.date_from or self.date_to or self.account or self.party_id or self.party
                    or self.q)


def entry_list(filters: EntryFilters) -> QuerySet:
    """Entries newest first with their journal, branch, total and reversal: one query per page (plus the
    paginator's count), whatever the filters."""
    lines = JournalLine.objects.filter(entry=OuterRef("pk"))
    total = lines.order_by().values("entry").annotate(total=Sum("debit")).values("total")
    entries = (JournalEntry.objects.select_related("journal", "branch", "reversal_of", "reversed_by")
               .annotate(total=Coalesce(Subquery(total, output_field=MONEY), 0, output_field=MONEY)))
    if filters.journal:
        entries = entries.filter(journal__code=filters.journal)
    if filters.date_from:
        entries = entries.filter(date__gte=filters.date_from)
    if filters.date_to:
        entries = entries.filter(date__lte=filters.date_to)
    if filters.account:
        entries = entries.filter(Exists(lines.filter(account__code__startswith=filters.account)))
    if filters.party_id:
        entries = entries.filter(Exists(lines.filter(party_id=filters.party_id)))
    if filters.party:
        entries = entries.filter(Exists(lines.filter(Q(party__name__icontains=filters.party)
                                                     | Q(party__tax_code=filters.party))))
    if filters.q:
        entries = entries.filter(Q(number__icontains=filters.q) | Q(reference__icontains=filters.q)
                                 | Q(memo__icontains=filters.q))
    return entries.order_by("-date", "-id")


def entry_for_detail(pk: int) -> JournalEntry:
    return (JournalEntry.objects.select_related("journal", "branch", "created_by", "reversal_of", "reversed_by")
            .get(pk=pk))


def entry_lines(entry: JournalEntry) -> list[JournalLine]:
    return list(entry.lines.select_related("account", "party").order_by("id"))


def source_of(entry: JournalEntry) -> tuple[str, int | None]:
    """The kind of document an entry was posted from ("invoice", "payment", "moves", "reversal", "opening") and
    its id, read from ``source``."""
    kind, _sep, rest = (entry.source or "").partition(":")
    ident = rest.split(":")[0]  # "payment:12:left:300000": an allocation made later
    return kind, int(ident) if ident.isdigit() else None


def account_tree(q: str = "") -> list[Account]:
    """The chart in code order; a search keeps the matching accounts and their parents (one query)."""
    accounts = list(Account.objects.order_by("code"))
    for account in accounts:
        account.depth = len(account.code) - 3
    q = q.strip().lower()
    if not q:
        return accounts
    by_id = {account.pk: account for account in accounts}
    keep = set()
    for account in accounts:
        if account.code.startswith(q) or q in account.name.lower() or q in account.name_en.lower():
            node = account
            while node is not None and node.pk not in keep:
                keep.add(node.pk)
                node = by_id.get(node.parent_id)
    return [account for account in accounts if account.pk in keep]


def postable_accounts() -> list[Account]:
    return list(Account.objects.filter(is_leaf=True, is_active=True).order_by("code"))


def journal_list() -> list[Journal]:
    return list(Journal.objects.select_related("account").order_by("code"))


def fiscal_years() -> list[FiscalYear]:
    return list(FiscalYear.objects.prefetch_related("periods").order_by("-date_start"))


def branch_list() -> list[Branch]:
    return list(Branch.objects.order_by("code"))
