"""Payments: partial payments and one payment across invoices, refused allocations, automatic allocation oldest
first, the entries line by line (bank and cash, 131 and 331), a dollar invoice paid at a better rate (515) and in
two parts (131 cleared to the đồng), advances allocated later, reversal, lock date; the statement's running balance
against the ledger, aging buckets on a hand-made set, the party page's open balance; gates, pages, isolation and
the list's query count."""

import datetime
import io
import threading
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection, connections
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from billing.errors import BillingError
from modules.erp.accounting.models import JournalEntry, JournalLine
from modules.erp.accounting.services.setup import accounting_enable, lock_date_set
from modules.erp.errors import ErpError
from modules.erp.invoicing import selectors_payments as selectors
from modules.erp.invoicing.models import Invoice, Payment, PaymentAllocation
from modules.erp.invoicing.services.invoices import credit_note_create, invoice_create, invoice_post
from modules.erp.invoicing.services.payments import payment_allocate, payment_register, payment_reverse
from tests.conftest import client_for
from tests.crm.factories import PartyFactory
from tests.erp.factories import on_plan

D = Decimal
DAY = datetime.date(2026, 6, 30)



pytestmark = pytest.mark.usefixtures("balance_checked_per_statement")


@pytest.fixture
def books(in_a):
    """Workspace A (Growth) keeping its books on Circular 133 (cash 1111, bank 1121)."""
    accounting_enable(actor=in_a.users["owner"], chart="tt133")
    return in_a


@pytest.fixture
def scale_books(books):
    on_plan(books.tenant, "scale")
    return books


def _invoice(owner, party, total, *, day=DAY, due=None, currency="VND", rate=1, kind="out_invoice") -> Invoice:
    draft = invoice_create(actor=owner, kind=kind, party=party, date=day, due_date=due, currency=currency,
                           exchange_rate=rate, lines=[{"description": "Dịch vụ tư vấn", "quantity": 1,
                                                       "unit_price": D(total), "vat_code": "0"}])
    return invoice_post(actor=owner, invoice=draft)


def _pay(owner, party, amount, allocations=None, **fields) -> Payment:
    fields = {"kind": "inbound", "method": "bank", "date": DAY, **fields}
    return payment_register(actor=owner, party=party, amount=D(amount), allocations=allocations, **fields)


def _lines(entry) -> list[tuple]:
    return sorted((line.account.code, line.debit, line.credit, line.currency, line.amount_currency, line.party_id)
                  for line in entry.lines.select_related("account"))


def _balance(code, party, field="amount") -> Decimal:
    lines = JournalLine.objects.filter(account__code=code, party=party)
    if field == "amount_currency":
        return lines.aggregate(total=Sum("amount_currency"))["total"] or D(0)
    totals = lines.aggregate(debit=Sum("debit"), credit=Sum("credit"))
    return (totals["debit"] or D(0)) - (totals["credit"] or D(0))


def _state(invoice) -> tuple:
    invoice.refresh_from_db()
    return invoice.amount_residual, invoice.payment_state


# --- allocation ----------------------------------------------------------------------------------------------------

def test_partial_payments_and_one_payment_across_two_invoices(books):
    # given
    owner, customer = books.users["owner"], PartyFactory()
    first, second = _invoice(owner, customer, 1_000_000), _invoice(owner, customer, 500_000)
    # when
    partial = _pay(owner, customer, 600_000, {first.pk: D(600_000)})
    after_partial = _state(first)
    rest = _pay(owner, customer, 900_000, {first.pk: D(400_000), second.pk: D(500_000)})
    # then
    assert after_partial == (D(400_000), "partial")
    assert (_state(first), _state(second)) == ((D(0), "paid"), (D(0), "paid"))
    assert (partial.number, rest.number) == ("PT00001", "PT00002")
    assert (partial.amount_unallocated, rest.amount_unallocated) == (D(0), D(0))
    assert sorted(rest.allocations.values_list("invoice_id", "amount")) == [(first.pk, D(400_000)),
                                                                           (second.pk, D(500_000))]
    assert _balance("131", customer) == D(0)


def test_over_allocation_is_refused_and_nothing_is_written(books):
    # given
    owner, customer = books.users["owner"], PartyFactory()
    first, second = _invoice(owner, customer, 300_000), _invoice(owner, customer, 300_000)
    # when
    with pytest.raises(ErpError) as above_residual:
        _pay(owner, customer, 500_000, {first.pk: D(400_000)})
    with pytest.raises(ErpError) as above_amount:
        _pay(owner, customer, 500_000, {first.pk: D(300_000), second.pk: D(300_000)})
    # then
    assert (above_residual.value.code, above_amount.value.code) == ("over_allocation", "over_allocation")
    assert (Payment.objects.count(), _state(first)) == (0, (D(300_000), "not_paid"))


@pytest.mark.parametrize(("case", "code"), [("other_party", "other_party"), ("draft", "invoice_not_posted"),
                                            ("dollars", "currency_mismatch"), ("bill", "wrong_kind")])
def test_invoices_a_payment_cannot_settle_are_refused(scale_books, case, code):
    # given
    owner, customer = scale_books.users["owner"], PartyFactory(is_supplier=True)
    targets = {
        "other_party": lambda: _invoice(owner, PartyFactory(), 100_000),
        "draft": lambda: invoice_create(actor=owner, kind="out_invoice", party=customer, date=DAY, lines=[
            {"description": "Nháp", "quantity": 1, "unit_price": D(100_000), "vat_code": "0"}]),
        "dollars": lambda: _invoice(owner, customer, 10, currency="USD", rate=25_000),
        "bill": lambda: _invoice(owner, customer, 100_000, kind="in_invoice"),
    }
    invoice = targets[case]()
    # when
    with pytest.raises(ErpError) as error:
        _pay(owner, customer, 100_000, {invoice.pk: D(100_000)})
    # then
    assert error.value.code == code
    assert not Payment.objects.exists()


def test_automatic_allocation_settles_the_oldest_invoices_first_and_keeps_the_rest_as_an_advance(books):
    # given three invoices written out of date order, one in dollars
    owner, customer = books.users["owner"], PartyFactory()
    newest = _invoice(owner, customer, 400_000, day=DAY - datetime.timedelta(days=5))
    oldest = _invoice(owner, customer, 300_000, day=DAY - datetime.timedelta(days=20))
    middle = _invoice(owner, customer, 500_000, day=DAY - datetime.timedelta(days=10))
    dollars = _invoice(owner, customer, 10, day=DAY - datetime.timedelta(days=30), currency="USD", rate=25_000)
    # when
    first = _pay(owner, customer, 600_000)
    second = _pay(owner, customer, 700_000)
    # then
    assert [_state(invoice) for invoice in (oldest, middle, newest, dollars)] == [
        (D(0), "paid"), (D(0), "paid"), (D(0), "paid"), (D(10), "not_paid")]
    assert sorted(first.allocations.values_list("invoice_id", "amount")) == sorted(
        [(oldest.pk, D(300_000)), (middle.pk, D(300_000))])
    assert (first.amount_unallocated, second.amount_unallocated) == (D(0), D(100_000))
    assert _balance("131", customer) == D(250_000) - D(100_000)  # the dollar invoice, less the advance


# --- entries -------------------------------------------------------------------------------------------------------

def test_a_bank_receipt_posts_dr_1121_cr_131(books):
    # given
    owner, customer = books.users["owner"], PartyFactory()
    invoice = _invoice(owner, customer, 2_200_000)
    # when
    payment = _pay(owner, customer, 2_000_000, {invoice.pk: D(2_000_000)}, reference="FT26180")
    # then
    assert (payment.journal.code, payment.entry.journal.code, payment.entry.source) == ("NH", "NH",
                                                                                      f"payment:{payment.pk}")
    assert _lines(payment.entry) == [
        ("1121", D(2_000_000), D(0), "VND", D(2_000_000), None),
        ("131", D(0), D(2_000_000), "VND", D(-2_000_000), customer.pk),
    ]


def test_a_cash_payment_to_a_supplier_posts_dr_331_cr_1111(scale_books):
    # given a supplier bill for a service (Dr 6422 / Cr 331)
    owner, supplier = scale_books.users["owner"], PartyFactory(is_supplier=True, is_customer=False)
    bill = _invoice(owner, supplier, 750_000, kind="in_invoice")
    # when
    payment = _pay(owner, supplier, 750_000, {bill.pk: D(750_000)}, kind="outbound", method="cash")
    # then
    assert (payment.number, payment.entry.journal.code) == ("PC00001", "TM")
    assert _lines(payment.entry) == [
        ("1111", D(0), D(750_000), "VND", D(-750_000), None),
        ("331", D(750_000), D(0), "VND", D(750_000), supplier.pk),
    ]
    assert (_state(bill), _balance("331", supplier)) == ((D(0), "paid"), D(0))


def test_a_dollar_invoice_paid_at_a_better_rate_posts_the_gain_to_515_and_clears_131(books):
    # given 100 USD invoiced at 25,000
    owner, customer = books.users["owner"], PartyFactory()
    invoice = _invoice(owner, customer, 100, currency="USD", rate=25_000)
    # when paid at 25,400
    payment = _pay(owner, customer, 100, {invoice.pk: D(100)}, currency="USD", exchange_rate=D(25_400))
    # then
    assert _lines(payment.entry) == [
        ("1121", D(2_540_000), D(0), "USD", D(100), None),
        ("131", D(0), D(2_500_000), "USD", D(-100), customer.pk),
        ("515", D(0), D(40_000), "USD", D(0), None),
    ]
    assert (_balance("131", customer), _balance("131", customer, "amount_currency")) == (D(0), D(0))
    assert _state(invoice) == (D(0), "paid")


def test_a_dollar_invoice_paid_in_two_parts_at_two_rates_clears_131_to_the_dong(books):
    # given 100 USD at an odd rate: 131 holds round(2,512,345.67) = 2,512,346
    owner, customer = books.users["owner"], PartyFactory()
    invoice = _invoice(owner, customer, 100, currency="USD", rate=D("25123.4567"))
    # when a third is paid at 25,500 (a gain) and the rest at 24,900 (a loss)
    first = _pay(owner, customer, D("33.33"), {invoice.pk: D("33.33")}, currency="USD", exchange_rate=25_500)
    second = _pay(owner, customer, D("66.67"), {invoice.pk: D("66.67")}, currency="USD", exchange_rate=24_900)
    # then
    assert _balance("131", customer) == D(0)
    assert [line[:3] for line in _lines(first.entry)] == [
        ("1121", D(849_915), D(0)), ("131", D(0), D(837_365)), ("515", D(0), D(12_550))]
    assert [line[:3] for line in _lines(second.entry)] == [
        ("1121", D(1_660_083), D(0)), ("131", D(0), D(1_674_981)), ("635", D(14_898), D(0))]


def test_an_advance_is_allocated_later_with_its_exchange_difference(books):
    # given 200 USD received before any invoice, at 25,400
    owner, customer = books.users["owner"], PartyFactory()
    advance = _pay(owner, customer, 200, {}, currency="USD", exchange_rate=25_400)
    invoice = _invoice(owner, customer, 150, currency="USD", rate=25_000)
    # when
    payment_allocate(actor=owner, payment=advance, allocations={invoice.pk: D(150)}, date=DAY)
    # then
    advance.refresh_from_db()
    later = JournalEntry.objects.get(source=f"payment:{advance.pk}:left:50.00")
    assert _lines(later) == [
        ("131", D(0), D(3_750_000), "USD", D(-150), customer.pk),
        ("131", D(3_810_000), D(0), "USD", D(150), customer.pk),
        ("515", D(0), D(60_000), "USD", D(0), None),
    ]
    assert (advance.amount_unallocated, _state(invoice)) == (D(50), (D(0), "paid"))
    assert _balance("131", customer) == -D(50) * 25_400


def test_a_vnd_advance_allocated_later_posts_nothing_more(books):
    # given
    owner, customer = books.users["owner"], PartyFactory()
    advance = _pay(owner, customer, 1_000_000, {})
    invoice = _invoice(owner, customer, 700_000)
    entries_before = JournalEntry.objects.count()
    # when
    payment_allocate(actor=owner, payment=advance, allocations={invoice.pk: D(700_000)})
    with pytest.raises(ErpError) as error:
        payment_allocate(actor=owner, payment=advance, allocations={invoice.pk: D(1)})
    # then
    advance.refresh_from_db()
    assert (advance.amount_unallocated, _state(invoice)) == (D(300_000), (D(0), "paid"))
    assert error.value.code == "over_allocation"
    assert JournalEntry.objects.count() == entries_before
    assert _balance("131", customer) == D(-300_000)


def test_reversal_restores_the_residuals_and_the_ledger(books):
    # given one payment settling two invoices
    owner, customer = books.users["owner"], PartyFactory()
    first, second = _invoice(owner, customer, 400_000), _invoice(owner, customer, 600_000)
    payment = _pay(owner, customer, 800_000, {first.pk: D(400_000), second.pk: D(400_000)})
    # when
    payment_reverse(actor=owner, payment=payment, date=DAY)
    with pytest.raises(ErpError) as again:
        payment_reverse(actor=owner, payment=payment)
    # then
    payment.refresh_from_db()
    assert (_state(first), _state(second)) == ((D(400_000), "not_paid"), (D(600_000), "not_paid"))
    assert (payment.state, PaymentAllocation.objects.filter(payment=payment).exists()) == ("reversed", False)
    assert payment.entry.reversed_by.source == f"reversal:{payment.entry.pk}"
    assert _balance("131", customer) == D(1_000_000)
    assert again.value.code == "payment_reversed"


def test_a_payment_dated_on_or_before_the_lock_date_is_refused(books):
    # given
    owner, customer = books.users["owner"], PartyFactory()
    invoice = _invoice(owner, customer, 100_000)
    lock_date_set(actor=owner, lock_date=DAY)
    # when
    with pytest.raises(ErpError) as error:
        _pay(owner, customer, 100_000, {invoice.pk: D(100_000)}, date=DAY)
    # then
    assert error.value.code == "period_locked"
    assert (Payment.objects.count(), _state(invoice)) == (0, (D(100_000), "not_paid"))


def test_without_accounting_a_payment_asks_for_the_chart_first(in_a):
    with pytest.raises(ErpError) as error:
        _pay(in_a.users["owner"], PartyFactory(), 100_000, {})
    assert error.value.code == "accounting_off"


def test_two_cashiers_paying_the_same_invoice_at_once_settle_it_once(committed_workspace):
    # given a committed invoice of 1,000,000
    ws = committed_workspace("growth")
    owner = ws.users["owner"]
    with tenant_context(ws.tenant):
        accounting_enable(actor=owner, chart="tt133")
        customer = PartyFactory()
        invoice = _invoice(owner, customer, 1_000_000)
    barrier, errors = threading.Barrier(2), []

    def pay(_index):
        try:
            with tenant_context(ws.tenant):
                barrier.wait()
                _pay(owner, customer, 1_000_000, {invoice.pk: D(1_000_000)})
        except ErpError as error:
            errors.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(index,)) for index in range(2)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    with tenant_context(ws.tenant):
        assert errors == ["over_allocation"]
        assert list(Payment.objects.values_list("number", flat=True)) == ["PT00001"]
        assert (_state(invoice), _balance("131", customer)) == ((D(0), "paid"), D(0))
    connection.set_schema_to_public()


# --- statement, aging, party balance -------------------------------------------------------------------------------

def test_the_statement_runs_its_balance_and_closes_on_the_ledger(books):
    # given
    owner, customer = books.users["owner"], PartyFactory()
    january = _invoice(owner, customer, 1_000_000, day=datetime.date(2026, 1, 10))
    _pay(owner, customer, 400_000, {january.pk: D(400_000)}, date=datetime.date(2026, 1, 20))
    february = _invoice(owner, customer, 300_000, day=datetime.date(2026, 2, 5))
    credit_note_create(actor=owner, invoice=february, reason="Hàng lỗi", date=datetime.date(2026, 2, 8))
    _pay(owner, customer, 100_000, {}, date=datetime.date(2026, 3, 2))  # after the period
    # when
    statement = selectors.party_statement(party=customer, date_from=datetime.date(2026, 1, 15),
                                          date_to=datetime.date(2026, 2, 28))
    # then
    assert statement.opening == D(1_000_000)
    assert [(row.date.day, row.debit, row.credit, row.balance) for row in statement.rows] == [
        (20, D(0), D(400_000), D(600_000)), (5, D(300_000), D(0), D(900_000)), (8, D(0), D(300_000), D(600_000))]
    assert [row.document[0] for row in statement.rows] == ["payment", "invoice", "invoice"]
    assert statement.closing == D(600_000)
    whole = selectors.party_statement(party=customer, date_from=datetime.date(2026, 1, 1),
                                      date_to=datetime.date(2026, 12, 31))
    assert whole.closing == _balance("131", customer) == D(500_000)
    assert selectors.party_balance(customer, today=DAY).receivable_net == D(500_000)


def test_aging_puts_each_open_amount_in_its_bucket(scale_books):
    # given, on 30/06/2026, a hand-made set of invoices by due date
    owner = scale_books.users["owner"]
    an, binh, supplier = PartyFactory(name="An"), PartyFactory(name="Bình"), PartyFactory(is_supplier=True)

    def due(days_past, total, party=an, **fields):
        due_date = DAY - datetime.timedelta(days=days_past)
        return _invoice(owner, party, total, day=min(due_date, DAY) - datetime.timedelta(days=1), due=due_date,
                        **fields)

    due(-5, 100_000)  # not due yet: 0-30
    due(30, 200_000)  # 0-30
    due(31, 300_000)  # 31-60
    partly = due(75, 400_000)  # 61-90, 150,000 paid before the day
    later = due(91, 500_000)  # over 90, paid after the day: still open on the day
    due(45, 10, party=binh, currency="USD", rate=25_000)  # 250,000 VND in 31-60
    due(10, 999_000, party=supplier, kind="in_invoice")  # payables: not in the receivables
    _pay(owner, an, 150_000, {partly.pk: D(150_000)}, date=DAY - datetime.timedelta(days=3))
    _pay(owner, an, 500_000, {later.pk: D(500_000)}, date=DAY + datetime.timedelta(days=1))
    _pay(owner, binh, 50_000, {}, date=DAY - datetime.timedelta(days=1))  # an advance
    # when
    with CaptureQueriesContext(connection) as queries:
        report = selectors.aging(side="customer", as_of=DAY)
    # then
    rows = {row.party_name: (row.buckets, row.advance, row.total) for row in report.rows}
    assert rows == {
        "An": ([D(300_000), D(300_000), D(250_000), D(500_000)], D(0), D(1_350_000)),
        "Bình": ([D(0), D(250_000), D(0), D(0)], D(50_000), D(200_000)),
    }
    assert (report.totals, report.total) == ([D(300_000), D(550_000), D(250_000), D(500_000)], D(1_550_000))
    assert len(queries) == 2
    payables = selectors.aging(side="supplier", as_of=DAY)
    assert [(row.party_name, row.buckets[0]) for row in payables.rows] == [(supplier.name, D(999_000))]


def test_the_party_balance_costs_two_queries(books):
    # given
    owner, customer = books.users["owner"], PartyFactory()
    paid, open_ = _invoice(owner, customer, 100_000), _invoice(owner, customer, 300_000, day=DAY, due=DAY)
    _pay(owner, customer, 150_000, {paid.pk: D(100_000), open_.pk: D(50_000)})
    # when
    with CaptureQueriesContext(connection) as queries:
        balance = selectors.party_balance(customer, today=DAY + datetime.timedelta(days=1))
    # then
    assert len(queries) == 2
    assert (balance.receivable, balance.overdue_receivable, balance.receivable_net) == (
        D(250_000), D(250_000), D(250_000))
    assert (balance.not_paid, balance.partial, balance.paid) == (0, 1, 1)
    assert [invoice.pk for invoice in balance.invoices] == [open_.pk, paid.pk]


# --- pages, gates, isolation ---------------------------------------------------------------------------------------

def _seed(ws, count, party=None):
    with tenant_context(ws.tenant):
        owner = ws.users["owner"]
        accounting_enable(actor=owner, chart="tt133")
        party = party or PartyFactory()
        for _index in range(count):
            invoice = _invoice(owner, party, 100_000)
            _pay(owner, party, 100_000, {invoice.pk: D(100_000)})
        return party


def test_the_party_page_shows_the_open_balance_and_the_payment_status(ws_a):
    # given
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        accounting_enable(actor=owner, chart="tt133")
        customer = PartyFactory(name="Công ty Hòa Bình")
        invoice = _invoice(owner, customer, 1_200_000)
        _pay(owner, customer, 200_000, {invoice.pk: D(200_000)})
    # when
    page = client_for(ws_a, owner).get(f"/parties/{customer.pk}/").content.decode()
    on_plan(ws_a.tenant, "starter")
    on_starter = client_for(ws_a, owner).get(f"/parties/{customer.pk}/").content.decode()
    # then
    assert 'data-testid="party-balance"' in page
    assert 'data-testid="party-receivable">1.000.000 ₫<' in page
    assert 'data-payment-state="partial"' in page
    assert 'data-testid="party-balance"' not in on_starter


def test_the_register_form_opens_from_an_invoice_with_its_residual_and_pays_it(ws_a):
    # given
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        accounting_enable(actor=owner, chart="tt133")
        customer = PartyFactory()
        invoice = _invoice(owner, customer, 900_000)
        _pay(owner, customer, 300_000, {invoice.pk: D(300_000)})
    client = client_for(ws_a, ws_a.users["member"])
    # when
    form = client.get(f"/erp/invoicing/payments/new/?invoice={invoice.pk}").content.decode()
    saved = client.post(f"/erp/invoicing/payments/new/?invoice={invoice.pk}", {
        "kind": "inbound", "party": customer.pk, "method": "cash", "date": "2026-06-30", "amount": "600000",
        "currency": "VND", "exchange_rate": "1", "invoice": invoice.pk})
    # then
    assert 'name="amount" value="600000"' in form
    assert saved.status_code == 302
    with tenant_context(ws_a.tenant):
        assert _state(invoice) == (D(0), "paid")
        payment = Payment.objects.get(method="cash")
    detail = client.get(f"/erp/invoicing/payments/{payment.pk}/").content.decode()
    assert 'data-line-account="1111"' in detail and f'data-allocation="{invoice.pk}"' in detail


def test_the_register_form_shows_a_currency_mismatch_on_its_field(ws_a):
    # given
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        accounting_enable(actor=owner, chart="tt133")
        customer = PartyFactory()
        invoice = _invoice(owner, customer, 100_000, currency="USD", rate=25_000)
    # when a VND amount is posted against a dollar invoice
    response = client_for(ws_a, owner).post("/erp/invoicing/payments/new/", {
        "kind": "inbound", "party": customer.pk, "method": "bank", "date": "2026-06-30", "amount": "100000",
        "currency": "VND", "exchange_rate": "1", "invoice": invoice.pk})
    # then
    assert response.status_code == 400 and 'data-error="currency"' in response.content.decode()


def test_the_payment_button_appears_on_an_open_posted_invoice_only():
    from django.template.loader import render_to_string

    open_invoice = Invoice(pk=7, state="posted", amount_residual=D(5), amount_total=D(5))
    paid = Invoice(pk=8, state="posted", amount_residual=D(0), amount_total=D(5))
    shown = render_to_string("erp/invoicing/_payment_button.html", {"invoice": open_invoice, "can_edit": True})
    hidden = render_to_string("erp/invoicing/_payment_button.html", {"invoice": paid, "can_edit": True})
    viewer = render_to_string("erp/invoicing/_payment_button.html", {"invoice": open_invoice, "can_edit": False})
    assert "?invoice=7" in shown and 'data-testid="register-payment"' not in hidden + viewer


def test_reversing_and_allocating_through_the_detail_page(ws_a):
    # given an advance and an open invoice
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        accounting_enable(actor=owner, chart="tt133")
        customer = PartyFactory()
        advance = _pay(owner, customer, 500_000, {})
        invoice = _invoice(owner, customer, 200_000)
    client = client_for(ws_a, owner)
    # when
    page = client.get(f"/erp/invoicing/payments/{advance.pk}/").content.decode()
    allocated = client.post(f"/erp/invoicing/payments/{advance.pk}/allocate/", {f"alloc-{invoice.pk}": "200000"})
    after_allocation = _state_in(ws_a, invoice)
    reversed_ = client.post(f"/erp/invoicing/payments/{advance.pk}/reverse/")
    # then
    assert 'data-testid="payment-allocate"' in page and f'name="alloc-{invoice.pk}"' in page
    assert (allocated.status_code, reversed_.status_code) == (302, 302)
    assert after_allocation == (D(0), "paid")
    assert _state_in(ws_a, invoice) == (D(200_000), "not_paid")


def _state_in(ws, invoice):
    with tenant_context(ws.tenant):
        return _state(invoice)


def test_statement_page_and_its_xlsx(ws_a):
    # given
    customer = _seed(ws_a, 2)
    client = client_for(ws_a, ws_a.users["viewer"])
    query = f"?party={customer.pk}&from=2026-01-01&to=2026-12-31"
    # when
    page = client.get(f"/erp/invoicing/statements/{query}")
    xlsx = client.get(f"/erp/invoicing/statements/{query}&format=xlsx")
    # then
    assert page.status_code == 200 and page.content.decode().count("data-statement-row=") == 4
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert (sheet.max_row, sheet["F10"].value, sheet["G10"].value, sheet["H10"].value) == (10, 200_000, 200_000, 0)


def test_aging_page_is_scale_and_draws_its_chart(ws_a):
    # given
    _seed(ws_a, 1)
    client = client_for(ws_a, ws_a.users["member"])
    # when
    on_growth = client.get("/erp/invoicing/aging/")
    on_plan(ws_a.tenant, "scale")
    on_scale = client.get("/erp/invoicing/aging/?side=customer&date=2026-06-30")
    # then
    assert on_growth.status_code == 402
    assert on_scale.status_code == 200


def test_aging_page_with_open_invoices_draws_the_stacked_chart(ws_a):
    # given
    owner = ws_a.users["owner"]
    on_plan(ws_a.tenant, "scale")
    with tenant_context(ws_a.tenant):
        accounting_enable(actor=owner, chart="tt133")
        _invoice(owner, PartyFactory(name="Khách nợ"), 400_000, due=DAY)
    # when
    page = client_for(ws_a, owner).get("/erp/invoicing/aging/?date=2026-07-15").content.decode()
    # then
    assert 'data-chart="erp-aging-chart"' in page and '"stacked": true' in page and "Khách nợ" in page


def test_starter_gets_the_upgrade_page_and_the_service_refuses(ws_a):
    # given
    on_plan(ws_a.tenant, "starter")
    client = client_for(ws_a, ws_a.users["owner"])
    # when
    pages = [client.get(path).status_code for path in ("/erp/invoicing/payments/", "/erp/invoicing/statements/")]
    with tenant_context(ws_a.tenant), pytest.raises(BillingError) as error:
        _pay(ws_a.users["owner"], PartyFactory(), 1, {})
    # then
    assert pages == [402, 402]
    assert error.value.code == "feature_not_in_plan"


def test_a_viewer_reads_the_payments_but_cannot_register_or_reverse(ws_a):
    # given
    _seed(ws_a, 1)
    with tenant_context(ws_a.tenant):
        payment = Payment.objects.get()
    client = client_for(ws_a, ws_a.users["viewer"])
    # when
    listing = client.get("/erp/invoicing/payments/")
    form = client.get("/erp/invoicing/payments/new/")
    reverse = client.post(f"/erp/invoicing/payments/{payment.pk}/reverse/")
    # then
    assert listing.status_code == 200 and payment.number in listing.content.decode()
    assert (form.status_code, reverse.status_code) == (403, 403)


def test_workspace_b_payments_are_not_found_on_a(ws_a, ws_b):
    # given a payment in B
    _seed(ws_b, 1)
    with tenant_context(ws_b.tenant):
        theirs = Payment.objects.get()
    client = client_for(ws_a, ws_a.users["owner"])
    # when
    detail = client.get(f"/erp/invoicing/payments/{theirs.pk}/")
    reverse = client.post(f"/erp/invoicing/payments/{theirs.pk}/reverse/")
    # then
    assert (detail.status_code, reverse.status_code) == (404, 404)
    with tenant_context(ws_b.tenant):
        assert Payment.objects.get(pk=theirs.pk).state == "posted"


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/erp/invoicing/payments/").status_code == 200
    return len(queries)


def test_the_payment_list_costs_the_same_queries_for_2_or_12_payments(ws_a):
    # given
    party = _seed(ws_a, 2)
    client = client_for(ws_a, ws_a.users["owner"])
    client.get("/erp/invoicing/payments/")  # warm caches (entitlements, session)
    few = _list_queries(client)
    with tenant_context(ws_a.tenant):
        owner = ws_a.users["owner"]
        for _index in range(10):
            _pay(owner, PartyFactory(), 50_000, {})
        _pay(owner, party, 1, {}, kind="outbound", method="cash")
    # when
    many = _list_queries(client)
    # then
    assert many == few
