"""The ledger's guards: an unbalanced write through raw SQL is refused at COMMIT (the deferred constraint trigger), or
at once with SET CONSTRAINTS ALL IMMEDIATE, also when only one currency is off; posted lines and entries are never
updated or deleted; the lock date and locked periods refuse back-dated postings until unlocked; a source posts once,
an entry is reversed once; VND amounts are whole đồng."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django_tenants.utils import tenant_context

from modules.erp.accounting.models import FiscalYear, JournalEntry, JournalLine, Period
from modules.erp.accounting.services.posting import LineSpec, entry_post, entry_reverse
from modules.erp.accounting.services.setup import accounting_enable, fiscal_year_ensure, lock_date_set, period_lock_set
from modules.erp.errors import ErpError
from modules.erp.invoicing.models import Invoice
from modules.erp.invoicing.services.invoices import invoice_create, invoice_post
from modules.erp.invoicing.tasks import invoice_post_task
from tests.crm.factories import PartyFactory

D = Decimal
YEAR = timezone.localdate().year
DAY = datetime.date(YEAR, 3, 15)


@pytest.fixture
def books(in_a):
    """Workspace A (rolled back) keeping its books on Circular 99. The balance trigger is made immediate: checked
    at the end of each statement while A's schema is on the search path (a rolled-back test never commits)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    accounting_enable(actor=in_a.users["owner"], chart="tt99")
    return in_a


def _sale(owner, amount=D(1_000_000), *, day=DAY, source=None) -> JournalEntry:
    return entry_post(actor=owner, journal_code="BH", date=day, source=source, lines=[
        LineSpec(account="receivable", amount=amount), LineSpec(account="revenue_goods", amount=-amount)])


def _account_id(code: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM accounting_account WHERE code = %s", [code])
        return cursor.fetchone()[0]


def _raw_entry(number: str, day=DAY) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounting_journalentry (number, journal_id, date, reference, memo, posted_at) "
            "SELECT %s, id, %s, '', 'raw SQL', now() FROM accounting_journal WHERE code = 'TH' RETURNING id",
            [number, day])
        return cursor.fetchone()[0]


def _raw_line(entry_id: int, code: str, *, debit=D(0), credit=D(0), currency="VND", amount_currency=None,
              day=DAY) -> None:
    amount_currency = debit - credit if amount_currency is None else amount_currency
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounting_journalline (entry_id, account_id, label, debit, credit, currency, "
            "amount_currency, date) VALUES (%s, %s, 'raw', %s, %s, %s, %s, %s)",
            [entry_id, _account_id(code), debit, credit, currency, amount_currency, day])


def _lines_of(entry_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM accounting_journalline WHERE entry_id = %s", [entry_id])
        return cursor.fetchone()[0]


# --- at commit: a real COMMIT in a committed workspace ----------------------------------------------------------

def test_an_unbalanced_raw_sql_insert_is_accepted_by_its_statements_and_refused_at_commit(committed_workspace):
    # given: a committed workspace with its books set up
    ws = committed_workspace("growth")
    owner = ws.users["owner"]
    with tenant_context(ws.tenant):
        accounting_enable(actor=owner, chart="tt99")
        seen = {}
        # when: an entry and two lines that do not balance (Dr 131 1,000,000 / Cr 511 900,000), then COMMIT
        with pytest.raises(IntegrityError, match="does not balance: debits <> credits"), transaction.atomic():
            entry_id = _raw_entry("RAW-1")
            _raw_line(entry_id, "131", debit=D(1_000_000))
            _raw_line(entry_id, "511", credit=D(900_000))
            seen["lines"] = _lines_of(entry_id)  # the INSERTs themselves went through
        # then: the statements were accepted, the commit was not, and nothing of it is left
        assert seen == {"lines": 2}
        assert not JournalEntry.objects.filter(number="RAW-1").exists()
        assert not JournalLine.objects.filter(entry_id=entry_id).exists()
    connection.set_schema_to_public()


def test_a_balanced_raw_sql_insert_commits_and_one_off_in_a_currency_does_not(committed_workspace):
    # given
    ws = committed_workspace("growth")
    owner = ws.users["owner"]
    with tenant_context(ws.tenant):
        accounting_enable(actor=owner, chart="tt99")
        # when: a balanced entry written line by line (unbalanced between the statements), then committed
        with transaction.atomic():
            balanced = _raw_entry("RAW-OK")
            _raw_line(balanced, "131", debit=D(1_100_000))
            _raw_line(balanced, "511", credit=D(1_000_000))
            _raw_line(balanced, "33311", credit=D(100_000))
        # and: one balanced in VND whose dollar lines do not balance (USD 40.00 against 41.00)
        with pytest.raises(IntegrityError, match="does not balance in one of its currencies"), transaction.atomic():
            dollars = _raw_entry("RAW-USD")
            _raw_line(dollars, "131", debit=D(1_000_000), currency="USD", amount_currency=D("40.00"))
            _raw_line(dollars, "511", credit=D(1_000_000), currency="USD", amount_currency=D("-41.00"))
        # then: the first stands, the second left nothing
        assert JournalLine.objects.filter(entry_id=balanced).aggregate(d=Sum("debit"), c=Sum("credit")) == {
            "d": D(1_100_000), "c": D(1_100_000)}
        assert not JournalEntry.objects.filter(number="RAW-USD").exists()
    connection.set_schema_to_public()


# --- the same, made immediate inside a rolled-back test ---------------------------------------------------------

def test_with_constraints_immediate_an_unbalanced_line_is_refused_by_its_own_statement(books):
    # given: constraints immediate (the books fixture) and an entry header
    entry_id = _raw_entry("RAW-2")
    # when / then: its first line alone leaves the entry unbalanced at the end of the statement
    with pytest.raises(IntegrityError, match="does not balance: debits <> credits"), transaction.atomic():
        _raw_line(entry_id, "131", debit=D(500_000))
    assert _lines_of(entry_id) == 0


def test_with_constraints_immediate_a_currency_imbalance_is_refused(books):
    # given
    entry_id = _raw_entry("RAW-3")
    # when / then: one statement writes both lines, balanced in VND, not in USD
    statement = ("INSERT INTO accounting_journalline (entry_id, account_id, label, debit, credit, currency, "
                 "amount_currency, date) VALUES (%s, %s, '', 250000, 0, 'USD', 10.00, %s), "
                 "(%s, %s, '', 0, 250000, 'USD', -9.99, %s)")
    values = [entry_id, _account_id("131"), DAY, entry_id, _account_id("511"), DAY]
    with pytest.raises(IntegrityError, match="does not balance in one of its currencies"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(statement, values)
    assert _lines_of(entry_id) == 0


def test_the_service_refuses_an_entry_off_in_one_currency(books):
    # given
    owner = books.users["owner"]
    # when / then: debits equal credits in VND, but the dollar amounts differ
    with pytest.raises(ErpError) as refused:
        entry_post(actor=owner, journal_code="TH", date=DAY, lines=[
            LineSpec(account="receivable", amount=D(250_000), currency="USD", amount_currency=D("10.00")),
            LineSpec(account="revenue_goods", amount=D(-250_000), currency="USD", amount_currency=D("-9.99"))])
    assert refused.value.code == "unbalanced_currency"
    with pytest.raises(ErpError) as unbalanced:
        entry_post(actor=owner, journal_code="TH", date=DAY, lines=[
            LineSpec(account="receivable", amount=D(250_000)), LineSpec(account="revenue_goods", amount=D(-1))])
    assert unbalanced.value.code == "unbalanced"
    assert not JournalEntry.objects.filter(journal__code="TH").exists()


# --- immutability -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("statement", [
    "UPDATE accounting_journalline SET debit = debit + 1 WHERE entry_id = %s",
    "UPDATE accounting_journalline SET label = 'edited' WHERE entry_id = %s",
    "DELETE FROM accounting_journalline WHERE entry_id = %s",
    "UPDATE accounting_journalentry SET memo = 'edited' WHERE id = %s",
    "UPDATE accounting_journalentry SET date = date + 1 WHERE id = %s",
    "DELETE FROM accounting_journalentry WHERE id = %s",
])
def test_posted_lines_and_entries_are_never_updated_or_deleted(books, statement):
    # given: a posted entry
    entry = _sale(books.users["owner"])
    # when / then
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [entry.pk])
    assert sorted(entry.lines.values_list("debit", "credit", "label")) == [
        (D(0), D(1_000_000), ""), (D(1_000_000), D(0), "")]


def test_the_orm_cannot_edit_or_delete_posted_rows_either(books):
    # given
    entry = _sale(books.users["owner"])
    # when / then
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        JournalLine.objects.filter(entry=entry).update(label="edited")
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        JournalLine.objects.filter(entry=entry).delete()
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).update(memo="edited")
    assert JournalLine.objects.filter(entry=entry).count() == 2


# --- lock date and locked periods ---------------------------------------------------------------------------------

def test_the_lock_date_refuses_postings_on_or_before_it_and_accepts_them_once_moved(books):
    # given: the books locked up to the 15th
    owner = books.users["owner"]
    lock_date_set(actor=owner, lock_date=DAY)
    # when / then: on the lock date and before it, refused; the day after, accepted
    for day in (DAY, DAY - datetime.timedelta(days=40)):
        with pytest.raises(ErpError) as refused:
            _sale(owner, day=day)
        assert refused.value.code == "period_locked"
        assert refused.value.field == "date"
    after = _sale(owner, day=DAY + datetime.timedelta(days=1))
    # and: unlocked, the back-dated posting goes through
    lock_date_set(actor=owner, lock_date=None)
    back_dated = _sale(owner, day=DAY)
    assert (after.date, back_dated.date) == (DAY + datetime.timedelta(days=1), DAY)
    assert JournalEntry.objects.filter(journal__code="BH").count() == 2


def test_a_locked_period_refuses_postings_inside_it_only_until_unlocked(books):
    # given: March locked (the fiscal year's periods are months)
    owner = books.users["owner"]
    fiscal_year_ensure(YEAR)
    march = Period.objects.get(date_start=datetime.date(YEAR, 3, 1))
    period_lock_set(actor=owner, period=march, locked=True)
    # when / then: its first and last day refused, the days around it accepted
    for day in (datetime.date(YEAR, 3, 1), datetime.date(YEAR, 3, 31)):
        with pytest.raises(ErpError) as refused:
            _sale(owner, day=day)
        assert refused.value.code == "period_locked"
    _sale(owner, day=datetime.date(YEAR, 2, 28))
    _sale(owner, day=datetime.date(YEAR, 4, 1))
    # and: unlocked, March takes postings again
    period_lock_set(actor=owner, period=march, locked=False)
    _sale(owner, day=datetime.date(YEAR, 3, 31))
    assert sorted(JournalEntry.objects.values_list("date", flat=True)) == [
        datetime.date(YEAR, 2, 28), datetime.date(YEAR, 3, 31), datetime.date(YEAR, 4, 1)]
    assert FiscalYear.objects.filter(name=str(YEAR)).count() == 1


def test_an_invoice_dated_in_a_locked_period_is_not_posted(books):
    # given: a draft invoice dated before the lock date
    owner = books.users["owner"]
    draft = invoice_create(actor=owner, kind="out_invoice", party=PartyFactory(), date=DAY, lines=[
        {"description": "Tư vấn", "quantity": 1, "unit_price": D(2_000_000), "vat_code": "10"}])
    lock_date_set(actor=owner, lock_date=DAY)
    # when / then: refused, the draft stays a draft with no number and no entry
    with pytest.raises(ErpError) as refused:
        invoice_post(actor=owner, invoice=draft)
    draft.refresh_from_db()
    assert refused.value.code == "period_locked"
    assert (draft.state, draft.number, draft.entry_id) == (Invoice.State.DRAFT, None, None)
    # and: once the lock date moves back, it posts
    lock_date_set(actor=owner, lock_date=DAY - datetime.timedelta(days=1))
    posted = invoice_post(actor=owner, invoice=draft)
    assert posted.state == Invoice.State.POSTED and posted.entry.date == DAY


# --- once ---------------------------------------------------------------------------------------------------------

def test_a_source_is_posted_once(books):
    # given
    owner = books.users["owner"]
    first = _sale(owner, source="invoice:999")
    # when: posted again with the same source (a retried task), even with other amounts
    again = _sale(owner, amount=D(5), source="invoice:999")
    # then
    assert again.pk == first.pk
    assert JournalEntry.objects.filter(source="invoice:999").count() == 1
    assert JournalLine.objects.filter(entry=first).aggregate(total=Sum("debit"))["total"] == D(1_000_000)


def test_the_posting_task_run_twice_posts_once(books):
    # given: a draft invoice
    owner = books.users["owner"]
    draft = invoice_create(actor=owner, kind="out_invoice", party=PartyFactory(), date=DAY, lines=[
        {"description": "Tư vấn", "quantity": 2, "unit_price": D(1_500_000), "vat_code": "10"}])
    # when: the task runs twice (a redelivered message)
    first = invoice_post_task.run(draft.pk, owner.pk)
    second = invoice_post_task.run(draft.pk, owner.pk)
    # then: one entry, one number
    draft.refresh_from_db()
    assert first == second == draft.entry_id
    assert JournalEntry.objects.filter(source=f"invoice:{draft.pk}").count() == 1
    assert draft.number == 1


def test_an_entry_is_reversed_once_and_a_reversal_is_not_reversed(books):
    # given
    owner = books.users["owner"]
    entry = _sale(owner)
    # when
    reversal = entry_reverse(actor=owner, entry=entry, date=DAY)
    # then: the mirror, once
    assert sorted(reversal.lines.values_list("account__code", "debit", "credit")) == [
        ("131", D(0), D(1_000_000)), ("511", D(1_000_000), D(0))]
    with pytest.raises(ErpError) as again:
        entry_reverse(actor=owner, entry=entry, date=DAY)
    assert again.value.code == "already_reversed"
    with pytest.raises(ErpError) as of_reversal:
        entry_reverse(actor=owner, entry=reversal, date=DAY)
    assert of_reversal.value.code == "reversal_of_reversal"
    assert JournalEntry.objects.filter(reversal_of=entry).count() == 1
    assert JournalLine.objects.filter(account__code="131").aggregate(
        net=Sum("debit") - Sum("credit"))["net"] == 0


# --- whole đồng ---------------------------------------------------------------------------------------------------

def test_vnd_amounts_are_whole_dong_and_dollars_keep_their_cents(books):
    # given
    owner = books.users["owner"]
    # when: amounts with fractions of a đồng (half up: 1,000,000.5 -> 1,000,001) and dollar cents
    entry = entry_post(actor=owner, journal_code="TH", date=DAY, lines=[
        LineSpec(account="receivable", amount=D("1000000.5"), currency="USD", amount_currency=D("40.005")),
        LineSpec(account="revenue_goods", amount=D("-1000000.5"), currency="USD", amount_currency=D("-40.005"))])
    # then
    lines = sorted(entry.lines.values_list("debit", "credit", "amount_currency"))
    assert lines == [(D(0), D(1_000_001), D("-40.01")), (D(1_000_001), D(0), D("40.01"))]
    assert all(value == value.to_integral_value() for line in lines for value in line[:2])


def test_fractions_that_round_apart_are_refused_not_posted_unbalanced(books):
    # given: three lines whose đồng fractions balance only before rounding (100.4 + 100.4 = 200.8)
    owner = books.users["owner"]
    entries = JournalEntry.objects.count()
    # when / then: rounded each to whole đồng (100 + 100 against 201) they do not balance
    with pytest.raises(ErpError) as refused:
        entry_post(actor=owner, journal_code="TH", date=DAY, lines=[
            LineSpec(account="receivable", amount=D("100.4")), LineSpec(account="receivable", amount=D("100.4")),
            LineSpec(account="revenue_goods", amount=D("-200.8"))])
    assert refused.value.code == "unbalanced"
    assert JournalEntry.objects.count() == entries
