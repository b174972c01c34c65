"""Posting journal entries: the one door into the ledger.

``entry_post`` checks what the database will check again at commit (balance per entry and per currency),
refuses dates on or before the lock date or inside a locked period, rounds every amount to its currency, and
posts an entry with a ``source`` once: a second call (a retried task, a duplicate event) returns the first.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Exists
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
from modules.erp.common.numbering import sequence_give_back, sequence_next
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


# (schema, settings row id) -> {account code: (id, is_leaf)} and {journal code: id}. Accounts and journals are
# only ever added (PROTECT keeps them), so a code once read stays right; a code not yet seen is read again. The
# settings row's id in the key keeps a rolled-back setup (tests) from leaving ids that no longer exist.
_ACCOUNTS: dict[tuple[str, int], dict[str, tuple[int, bool]]] = {}
_JOURNALS: dict[tuple[str, int], dict[str, int]] = {}


def _cache_key(settings_row: AccountingSettings) -> tuple[str, int]:
    return (connection.schema_name, settings_row.pk)


def accounts_by_code(codes: set[str], settings_row: AccountingSettings) -> dict[str, int]:
    """Account code -> id for detail accounts of the chart; a missing or summary account is an error."""
    known = _ACCOUNTS.setdefault(_cache_key(settings_row), {})
    unseen = codes - set(known)
    if unseen:
        known.update({code: (pk, leaf) for code, pk, leaf in
                      Account.objects.filter(code__in=unseen).values_list("code", "pk", "is_leaf")})
    missing = codes - set(known)
    if missing:
        raise ErpError("account_missing", _("Accounts missing from the chart: %(codes)s") % {
            "codes": ", ".join(sorted(missing))}, field="account")
    not_leaf = [code for code in codes if not known[code][1]]
    if not_leaf:
        raise ErpError("account_not_leaf", _("Post to detail accounts only, not to %(codes)s.") % {
            "codes": ", ".join(sorted(not_leaf))}, field="account")
    return {code: known[code][0] for code in codes}


def journal_id(code: str, settings_row: AccountingSettings) -> int:
    known = _JOURNALS.setdefault(_cache_key(settings_row), {})
    if code not in known:
        known[code] = Journal.objects.values_list("pk", flat=True).get(code=code)
    return known[code]


def posting_context(day: datetime.date) -> AccountingSettings:
    """The settings row, read with whether ``day``'s period is locked (one query); refuses a date on or before
    the lock date or inside a locked period, and a workspace without accounting."""
    settings_row = (AccountingSettings.objects.annotate(period_locked=Exists(Period.objects.filter(
        date_start__lte=day, date_end__gte=day, is_locked=True))).first())
    if settings_row is None:
        raise ErpError("accounting_off", _("Set up accounting first: choose a chart of accounts."), field="chart")
    if settings_row.lock_date and day <= settings_row.lock_date:
        raise ErpError("period_locked", _("The books are locked up to %(day)s: choose a later date.") % {
            "day": settings_row.lock_date.strftime("%d/%m/%Y")}, field="date")
    if settings_row.period_locked:
        raise ErpError("period_locked", _("The period of %(day)s is locked.") % {"day": day.strftime("%d/%m/%Y")},
                       field="date")
    return settings_row


def _balanced(specs: list[LineSpec]) -> None:
    if sum((spec.amount for spec in specs), ZERO) != 0:
        raise ErpError("unbalanced", _("Debits and credits differ."), field="lines")
    per_currency: dict[str, Decimal] = {}
    for spec in specs:
        per_currency[spec.currency] = per_currency.get(spec.currency, ZERO) + spec.amount_currency
    if any(total != 0 for total in per_currency.values()):
        raise ErpError("unbalanced_currency", _("Debits and credits differ in %(currency)s.") % {
            "currency": ", ".join(code for code, total in per_currency.items() if total != 0)}, field="lines")


_INSERT_ENTRY = """
INSERT INTO accounting_journalentry (number, journal_id, date, reference, memo, source, reversal_of_id, branch_id,
                                     posted_at, created_by_id)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (source) DO NOTHING
RETURNING id
"""


def entry_post(*, actor, journal_code: str, date: datetime.date, lines: list[LineSpec], source: str | None = None,
               reference: str = "", memo: str = "", branch: Branch | None = None,
               reversal_of: JournalEntry | None = None) -> JournalEntry:
    """Post a balanced entry (lines with a zero amount are left out). With ``source``, posted once: a second
    call returns the first entry. Four statements when the chart's accounts are known: the settings with the
    period check, the journal's number, the entry, its lines."""
    settings_row = posting_context(date)
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
    accounts = accounts_by_code({roles.get(spec.account, spec.account) for spec in specs}, settings_row)
    journal = journal_id(journal_code, settings_row)
    entry = JournalEntry(number=sequence_next(f"accounting.{journal_code}"), journal_id=journal, date=date,
                         reference=reference[:100], memo=memo[:255], source=source or None, branch=branch,
                         reversal_of=reversal_of, posted_at=timezone.now(),
                         created_by_id=actor.pk if getattr(actor, "pk", None) else None)
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_ENTRY, [entry.number, journal, date, entry.reference, entry.memo, entry.source,
                                       reversal_of.pk if reversal_of else None, branch.pk if branch else None,
                                       entry.posted_at, entry.created_by_id])
        row = cursor.fetchone()
    if row is None:  # this source is posted already: give the number back (its counter row is still ours)
        sequence_give_back(f"accounting.{journal_code}")
        return JournalEntry.objects.get(source=source)
    entry.pk = row[0]
    JournalLine.objects.bulk_create([JournalLine(
        entry=entry, account_id=accounts[roles.get(spec.account, spec.account)], party_id=spec.party_id,
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
