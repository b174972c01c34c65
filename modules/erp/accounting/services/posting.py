"""Posting journal entries: the one door into the ledger.

``entry_post`` checks what the database will check again at commit (balance per entry and per currency),
refuses dates on or before the lock date or inside a locked period, rounds every amount to its currency, and
posts an entry with a ``source`` once: a second call (a retried task, a duplicate event) returns the first.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from modules.erp.accounting.models import (
    Account,
    AccountingSettings,
    Branch,
    Journal,
    JournalEntry,
    JournalLine,
    Period,
)
from modules.erp.catalog.money import money_round
from modules.erp.common.numbering import sequence_next
from modules.erp.errors import ErpError

COMPANY_CURRENCY = "VND"
ZERO = Decimal(0)


@dataclass
class LineSpec:
    """One side of an entry: ``account`` is a code ("131") or a role ("receivable") of the chart in use;
    ``amount`` is signed, debit positive, in the company currency; ``amount_currency`` likewise in ``currency``
    (defaults to ``amount`` when the currency is the company's)."""

    account: str
    amount: Decimal
    party_id: int | None = None
    label: str = ""
    currency: str = COMPANY_CURRENCY
    amount_currency: Decimal | None = None
    extra: dict = field(default_factory=dict)


def accounting_settings() -> AccountingSettings | None:
    return AccountingSettings.objects.first()


def accounting_required() -> AccountingSettings:
    settings_row = accounting_settings()
    if settings_row is None:
        raise ErpError("accounting_off", _("Set up accounting first: choose a chart of accounts."), field="chart")
    return settings_row


def role_accounts(chart: str) -> dict[str, str]:
    from modules.erp.accounting.charts import ROLE_ACCOUNTS

    return ROLE_ACCOUNTS[chart]


def accounts_by_code(codes: set[str]) -> dict[str, Account]:
    accounts = {account.code: account for account in Account.objects.filter(code__in=codes)}
    missing = codes - set(accounts)
    if missing:
        raise ErpError("account_missing", _("Accounts missing from the chart: %(codes)s") % {
            "codes": ", ".join(sorted(missing))}, field="account")
    not_leaf = [code for code, account in accounts.items() if not account.is_leaf]
    if not_leaf:
        raise ErpError("account_not_leaf", _("Post to detail accounts only, not to %(codes)s.") % {
            "codes": ", ".join(sorted(not_leaf))}, field="account")
    return accounts


def date_check(day: datetime.date, settings_row: AccountingSettings) -> None:
    """Refuse a date on or before the lock date, or inside a locked period."""
    if settings_row.lock_date and day <= settings_row.lock_date:
        raise ErpError("period_locked", _("The books are locked up to %(day)s: choose a later date.") % {
            "day": settings_row.lock_date.strftime("%d/%m/%Y")}, field="date")
    if Period.objects.filter(date_start__lte=day, date_end__gte=day, is_locked=True).exists():
        raise ErpError("period_locked", _("The period of %(day)s is locked.") % {"day": day.strftime("%d/%m/%Y")},
                       field="date")


def _balanced(specs: list[LineSpec]) -> None:
    if sum((spec.amount for spec in specs), ZERO) != 0:
        raise ErpError("unbalanced", _("Debits and credits differ."), field="lines")
    per_currency: dict[str, Decimal] = {}
    for spec in specs:
        per_currency[spec.currency] = per_currency.get(spec.currency, ZERO) + spec.amount_currency
    if any(total != 0 for total in per_currency.values()):
        raise ErpError("unbalanced_currency", _("Debits and credits differ in %(currency)s.") % {
            "currency": ", ".join(code for code, total in per_currency.items() if total != 0)}, field="lines")


def entry_post(*, actor, journal_code: str, date: datetime.date, lines: list[LineSpec], source: str | None = None,
               reference: str = "", memo: str = "", branch: Branch | None = None,
               reversal_of: JournalEntry | None = None) -> JournalEntry:
    """Post a balanced entry (lines with a zero amount are left out). With ``source``, posted once."""
    settings_row = accounting_required()
    if source:
        existing = JournalEntry.objects.filter(source=source).first()
        if existing is not None:
            return existing
    date_check(date, settings_row)
    roles = role_accounts(settings_row.chart)
    specs = []
    for spec in lines:
        spec.amount = money_round(spec.amount, COMPANY_CURRENCY)
        if spec.currency == COMPANY_CURRENCY:
            spec.amount_currency = spec.amount
        else:
            spec.amount_currency = money_round(spec.amount_currency or ZERO, spec.currency)
        if spec.amount or spec.amount_currency:
            specs.append(spec)
    if not specs:
        raise ErpError("entry_empty", _("Nothing to post."), field="lines")
    _balanced(specs)
    accounts = accounts_by_code({roles.get(spec.account, spec.account) for spec in specs})
    journal = Journal.objects.get(code=journal_code)
    entry = JournalEntry(number=sequence_next(f"accounting.{journal.code}"), journal=journal, date=date,
                         reference=reference[:100], memo=memo[:255], source=source or None, branch=branch,
                         reversal_of=reversal_of, posted_at=timezone.now(),
                         created_by=actor if getattr(actor, "pk", None) else None)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:  # the same source posted concurrently: the first one stands
        existing = JournalEntry.objects.filter(source=source).first() if source else None
        if existing is None:
            raise
        return existing
    JournalLine.objects.bulk_create([JournalLine(
        entry=entry, account=accounts[roles.get(spec.account, spec.account)], party_id=spec.party_id,
        label=spec.label[:255], debit=max(spec.amount, ZERO), credit=max(-spec.amount, ZERO), currency=spec.currency,
        amount_currency=spec.amount_currency, date=date, branch=branch) for spec in specs])
    return entry


@transaction.atomic
def entry_reverse(*, actor, entry: JournalEntry, date: datetime.date | None = None, memo: str = "") -> JournalEntry:
    """The mirror entry (debits become credits), dated ``date`` (today by default); once per entry."""
    if entry.reversal_of_id is not None:
        raise ErpError("reversal_of_reversal", _("A reversal cannot be reversed."), field="entry")
    if JournalEntry.objects.filter(reversal_of=entry).exists():
        raise ErpError("already_reversed", _("This entry is already reversed."), field="entry")
    lines = [LineSpec(account=line.account.code, amount=line.credit - line.debit, party_id=line.party_id,
                      label=line.label, currency=line.currency, amount_currency=-line.amount_currency)
             for line in entry.lines.select_related("account")]
    return entry_post(actor=actor, journal_code=entry.journal.code, date=date or timezone.localdate(), lines=lines,
                      source=f"reversal:{entry.pk}", reference=entry.number,
                      memo=memo or _("Reversal of %(number)s") % {"number": entry.number}, branch=entry.branch,
                      reversal_of=entry)
