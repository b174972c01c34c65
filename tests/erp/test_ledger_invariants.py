"""Ledger invariants under random sequences of business operations (hypothesis).

Each example runs a random sequence of operations through the real services in workspace A, inside a savepoint
rolled back afterwards: quotations (random products and quantities), confirmations, full or partial deliveries,
stock move reversals, invoices from orders (by delivered or ordered quantity, posted or left as drafts), posting
again, credit notes (whole or one unit), customer payments (automatic oldest first, explicit over several invoices,
or kept as advances), refunds paid out on credit notes, advances allocated later, and payment reversals. An
operation whose preconditions fail raises ``ErpError`` and is skipped (its savepoint rolled back); any other
exception fails the test. After every operation:

- every entry balances, in VND and in each currency of its lines, and there are no entries without lines;
- the trial balance (the report's selector, and the raw sums) has debits equal to credits;
- receivables: per party, the balance of 131 = the residuals of posted customer invoices - the residuals of
  posted credit notes - what posted customer payments hold unallocated (advances). (Everything is in VND, so
  residuals are đồng; an outbound refund's advance would sit on 331, none is made here.) Each posted payment's
  unallocated amount is its amount less its allocations;
- stock: the balance of 156 = the sum of ProductValuation.value; 632 = deliveries' values less their reversals';
  each product's valuation quantity = its on-hand quantity;
- revenue and VAT: 511 and 33311 (credit balances) = untaxed amounts and VAT of posted invoices less credit notes;
  money (111 + 112) = posted customer payments less refunds paid out;
- posted once: each posted invoice has exactly one entry, with source ``invoice:<id>``, and posting it again
  returns that entry and adds none.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from modules.erp.accounting.models import JournalEntry, JournalLine
from modules.erp.accounting.reports.ledger import trial_balance
from modules.erp.accounting.reports.periods import ReportPeriod
from modules.erp.accounting.services.setup import accounting_enable
from modules.erp.catalog.models import Product
from modules.erp.errors import ErpError
from modules.erp.inventory.models import Picking, ProductValuation, StockLevel, StockMove
from modules.erp.inventory.services import move_reverse, picking_validate
from modules.erp.invoicing.models import Invoice, Payment, PaymentAllocation
from modules.erp.invoicing.services.invoices import credit_note_create, invoice_from_sales_order, invoice_post
from modules.erp.invoicing.services.payments import payment_allocate, payment_register, payment_reverse
from modules.erp.sales.models import SalesOrder
from modules.erp.sales.services import sales_order_confirm, sales_order_create
from tests.crm.factories import PartyFactory
from tests.erp.factories import goods, stock

D = Decimal
ZERO = D(0)
Kind, State = Invoice.Kind, Invoice.State


@pytest.fixture
def ledger(in_a):
    """Workspace A with four products (three goods at 10%, 5% and 0% VAT, one service), opening stock held before
    and after the books were set up (Circular 99), and three customers. The balance trigger is immediate: a
    rolled-back test never commits, so the deferred check would otherwise never run."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    owner = in_a.users["owner"]
    shirt = goods(owner, name="Áo sơ mi", price=D(12_345), vat_code="10")
    stock(owner, shirt, 20, unit_cost=D(7_777))  # before the books: posted as opening stock when they are set up
    accounting_enable(actor=owner, chart="tt99")
    fan = goods(owner, name="Quạt đứng", price=D(99_999), vat_code="5")
    stock(owner, fan, 15, unit_cost=D(45_001))
    stock(owner, fan, 4, unit_cost=D(52_500))  # a second lot of cost: the average no longer whole
    rice = goods(owner, name="Gạo xuất khẩu", price=D(250_000), vat_code="0")
    stock(owner, rice, 6, unit_cost=D(180_000))
    service = goods(owner, name="Lắp đặt", price=D(500_000), vat_code="10", kind=Product.Kind.SERVICE)
    return {"owner": owner, "products": [shirt, fan, rice, service], "parties": [PartyFactory() for _ in range(3)]}


# --- operations: each picks its object among the candidates in the database (pk order) by an index; when there is
# none yet, it first makes one through the operation that leads to it (so short sequences reach deep states) -----

def _pick(queryset, index: int, make=None):
    rows = list(queryset.order_by("pk"))
    if not rows and make is not None:
        make()
        rows = list(queryset.order_by("pk"))
    if not rows:
        raise ErpError("nothing_to_pick", "no candidate")
    return rows[index % len(rows)]


def op_order(world, a, b, c):
    products = world["products"]
    count = 1 + b % 3
    chosen = [products[(a + i * (1 + c % 3)) % len(products)] for i in range(count)]
    lines = [{"product": product, "quantity": D(1 + (c >> i) % 4)} for i, product in enumerate(dict.fromkeys(chosen))]
    sales_order_create(actor=world["owner"], party=world["parties"][a % len(world["parties"])], lines=lines)


def op_confirm(world, a, b, c):
    order = _pick(SalesOrder.objects.filter(state__in=(SalesOrder.State.QUOTATION, SalesOrder.State.SENT)), a,
                  lambda: op_order(world, a, b, c))
    sales_order_confirm(actor=world["owner"], order=order)


def op_deliver(world, a, b, c):
    picking = _pick(Picking.objects.filter(kind=Picking.Kind.DELIVERY, state=Picking.State.READY), a,
                    lambda: op_confirm(world, a, b, c))
    done = None
    if b % 2:  # partial: half of one line (at least one unit), nothing of the others
        line = _pick(picking.lines.all(), c)
        done = {line.pk: max(D(1), (line.quantity / 2).to_integral_value())}
    picking_validate(actor=world["owner"], picking=picking, done=done)


def op_reverse_move(world, a, b, c):
    move = _pick(StockMove.objects.filter(reversal_of__isnull=True, reversed_by__isnull=True), a)
    move_reverse(actor=world["owner"], move=move)


def op_invoice(world, a, b, c, *, post: bool | None = None):
    order = _pick(SalesOrder.objects.filter(state__in=(SalesOrder.State.CONFIRMED, SalesOrder.State.DONE)), a,
                  lambda: op_deliver(world, a, b, c))
    draft = invoice_from_sales_order(actor=world["owner"], order=order, basis="delivered" if b % 2 else "ordered")
    if post if post is not None else c % 4:  # one in four stays a draft (it holds its quantities, posts nothing)
        invoice_post(actor=world["owner"], invoice=draft)


def _posted(world, a, b, c, **filters):
    return _pick(Invoice.objects.filter(state=State.POSTED, **filters), a,
                 lambda: op_invoice(world, a, b, c, post=True))


def op_post_draft(world, a, b, c):
    draft = _pick(Invoice.objects.filter(state=State.DRAFT), a, lambda: op_invoice(world, a, b, c, post=False))
    invoice_post(actor=world["owner"], invoice=draft)


def op_post_again(world, a, b, c):
    invoice = _posted(world, a, b, c)
    entries = JournalEntry.objects.count()
    again = invoice_post(actor=world["owner"], invoice=invoice)
    assert again.entry_id == invoice.entry_id
    assert JournalEntry.objects.count() == entries


def op_credit_note(world, a, b, c):
    invoice = _posted(world, a, b, c, kind=Kind.OUT_INVOICE)
    lines = None if b % 2 else [{"line": _pick(invoice.lines.all(), c), "quantity": 1}]
    credit_note_create(actor=world["owner"], invoice=invoice, lines=lines, reason="Khách trả hàng")


def _open(party, kind=Kind.OUT_INVOICE):
    return Invoice.objects.filter(party=party, kind=kind, state=State.POSTED, amount_residual__gt=0)


def op_pay(world, a, b, c, *, mode: int | None = None):
    mode = b % 3 if mode is None else mode
    party = world["parties"][a % len(world["parties"])]
    method = "cash" if c % 2 else "bank"
    if mode == 0:  # automatic, oldest first; what is left over stays as an advance
        amount, allocations = D((1 + c % 7) * 150_000), None
    elif mode == 1:  # explicit, over (up to) two open invoices, part of the second, plus a little advance
        invoice = _pick(_open(party), 0, lambda: op_invoice(world, a, b, c, post=True))
        party = invoice.party
        invoices = list(_open(party).order_by("pk")[:2])
        allocations = {invoice.pk: invoice.amount_residual if i == 0 else (invoice.amount_residual / 2).quantize(D(1))
                       for i, invoice in enumerate(invoices)}
        amount = sum(allocations.values(), ZERO) + (D(50_000) if c % 3 == 0 else ZERO)
    else:  # all of it an advance
        amount, allocations = D((1 + c % 5) * 100_000), {}
    payment_register(actor=world["owner"], kind="inbound", party=party, amount=amount, method=method,
                     allocations=allocations)


def op_pay_refund(world, a, b, c):
    refund = _pick(Invoice.objects.filter(kind=Kind.OUT_REFUND, state=State.POSTED, amount_residual__gt=0), a,
                   lambda: op_credit_note(world, a, b, c))
    amount = refund.amount_residual if b % 2 else max(D(1), (refund.amount_residual / 3).quantize(D(1)))
    payment_register(actor=world["owner"], kind="outbound", party=refund.party, amount=amount, method="bank",
                     allocations={refund.pk: amount})


def op_allocate(world, a, b, c):
    invoice = _posted(world, a, b, c, kind=Kind.OUT_INVOICE, amount_residual__gt=0)
    advances = Payment.objects.filter(kind="inbound", state=Payment.State.POSTED, amount_unallocated__gt=0,
                                      party=invoice.party)
    payment = _pick(advances, b, lambda: payment_register(
        actor=world["owner"], kind="inbound", party=invoice.party, amount=D((1 + c % 5) * 100_000), method="bank",
        allocations={}))
    amount = min(payment.amount_unallocated, invoice.amount_residual)
    payment_allocate(actor=world["owner"], payment=payment, allocations={invoice.pk: amount})


def op_reverse_payment(world, a, b, c):
    payment = _pick(Payment.objects.filter(state=Payment.State.POSTED), a, lambda: op_pay(world, a, b, c))
    payment_reverse(actor=world["owner"], payment=payment)


OPERATIONS = {name.removeprefix("op_"): function for name, function in globals().items() if name.startswith("op_")}


# --- the invariants -------------------------------------------------------------------------------------------------

def _balance(code: str, **filters) -> Decimal:
    return JournalLine.objects.filter(account__code=code, **filters).aggregate(
        balance=Coalesce(Sum("debit"), ZERO) - Coalesce(Sum("credit"), ZERO))["balance"]


def _sum(queryset, expression) -> Decimal:
    return queryset.aggregate(total=Coalesce(Sum(expression), ZERO))["total"]


def _nonzero(pairs) -> dict:
    totals = {}
    for key, value in pairs:
        totals[key] = totals.get(key, ZERO) + value
    return {key: value for key, value in totals.items() if value}


def invariants_check() -> None:
    # every entry balances, per currency too, and has lines
    assert not JournalLine.objects.values("entry_id").annotate(d=Sum("debit"), c=Sum("credit")).exclude(
        d=F("c")).exists()
    assert not JournalLine.objects.values("entry_id", "currency").annotate(a=Sum("amount_currency")).exclude(
        a=0).exists()
    assert not JournalEntry.objects.filter(lines__isnull=True).exists()
    # the trial balance sums to zero
    today = timezone.localdate()
    raw = JournalLine.objects.aggregate(d=Coalesce(Sum("debit"), ZERO), c=Coalesce(Sum("credit"), ZERO))
    assert raw["d"] == raw["c"]
    report = trial_balance(period=ReportPeriod(date_from=datetime.date(today.year, 1, 1), date_to=today))
    assert report.balanced and report.totals["close_debit"] == report.totals["close_credit"]
    # receivables per party: open invoices - open credit notes - advances
    posted = Invoice.objects.filter(state=State.POSTED)
    expected = _nonzero(
        [(row["party_id"], row["amount_residual"]) for row in posted.filter(kind=Kind.OUT_INVOICE).values(
            "party_id", "amount_residual")]
        + [(row["party_id"], -row["amount_residual"]) for row in posted.filter(kind=Kind.OUT_REFUND).values(
            "party_id", "amount_residual")]
        + [(row["party_id"], -row["amount_unallocated"]) for row in Payment.objects.filter(
            kind="inbound", state=Payment.State.POSTED).values("party_id", "amount_unallocated")])
    receivable = _nonzero(JournalLine.objects.filter(account__code="131").values("party_id").annotate(
        b=Sum("debit") - Sum("credit")).values_list("party_id", "b"))
    assert receivable == expected
    assert not Payment.objects.filter(state=Payment.State.POSTED).annotate(
        allocated=Coalesce(Sum("allocations__amount"), ZERO)).exclude(
        amount_unallocated=F("amount") - F("allocated")).exists()
    assert not PaymentAllocation.objects.filter(payment__state=Payment.State.REVERSED).exists()
    # stock: 156 = the valuation, 632 = what deliveries took out less what their reversals brought back
    assert _balance("156") == _sum(ProductValuation.objects.all(), "value")
    deliveries = StockMove.objects.filter(kind=StockMove.Kind.DELIVERY)
    assert _balance("632") == (_sum(deliveries.filter(location_to__isnull=True), "value")
                               - _sum(deliveries.filter(location_from__isnull=True), "value"))
    on_hand = dict(StockLevel.objects.values("product_id").annotate(q=Sum("on_hand")).values_list("product_id", "q"))
    assert {pk: q for pk, q in ProductValuation.objects.values_list("product_id", "quantity")} == on_hand
    # revenue, output VAT and money
    invoiced = posted.filter(kind=Kind.OUT_INVOICE)
    credited = posted.filter(kind=Kind.OUT_REFUND)
    assert -_balance("511") == _sum(invoiced, "amount_untaxed") - _sum(credited, "amount_untaxed")
    assert -_balance("33311") == _sum(invoiced, "amount_tax") - _sum(credited, "amount_tax")
    live = Payment.objects.filter(state=Payment.State.POSTED)
    assert _balance("111") + _balance("112") == (_sum(live.filter(kind="inbound"), "amount")
                                                 - _sum(live.filter(kind="outbound"), "amount"))
    # posted once: one entry per posted invoice, named after it; drafts have none
    assert not posted.filter(entry__isnull=True).exists()
    sources = list(posted.values_list("pk", "entry__source"))
    assert all(source == f"invoice:{pk}" for pk, source in sources)
    assert JournalEntry.objects.filter(source__startswith="invoice:").count() == len(sources)
    assert not Invoice.objects.filter(state=State.DRAFT, entry__isnull=False).exists()


OPERATION = st.tuples(st.sampled_from(sorted(OPERATIONS)), st.integers(0, 99), st.integers(0, 99),
                      st.integers(0, 99))


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations=st.lists(OPERATION, min_size=1, max_size=15))
def test_random_sequences_of_operations_keep_the_ledger_invariants(ledger, operations):
    # given: the workspace of the fixture, and a savepoint this example is rolled back to
    savepoint = transaction.savepoint()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        invariants_check()
        for name, a, b, c in operations:
            # when: the operation, through the real services (refused ones leave nothing behind)
            try:
                with transaction.atomic():
                    OPERATIONS[name](ledger, a, b, c)
                event(f"{name}: done")
            except ErpError as refused:
                event(f"{name}: refused ({refused.code})")  # --hypothesis-show-statistics lists them
            # then
            invariants_check()
    finally:
        transaction.savepoint_rollback(savepoint)


def test_a_fixed_sequence_touches_every_operation(ledger):
    """The same checks on one sequence that surely reaches every operation (hypothesis may draw fewer)."""
    # given
    owner, parties = ledger["owner"], ledger["parties"]
    shirt, fan, rice, service = ledger["products"]
    order = sales_order_create(actor=owner, party=parties[0], lines=[
        {"product": shirt, "quantity": D(3)}, {"product": fan, "quantity": D(2)}, {"product": service,
                                                                                  "quantity": D(1)}])
    # when
    sales_order_confirm(actor=owner, order=order)
    delivery = Picking.objects.get(sales_order=order, state=Picking.State.READY)
    shirt_line = delivery.lines.get(product=shirt)
    backorder = picking_validate(actor=owner, picking=delivery, done={shirt_line.pk: D(2)})
    first = invoice_post(actor=owner, invoice=invoice_from_sales_order(actor=owner, order=order, basis="delivered"))
    picking_validate(actor=owner, picking=backorder)
    move_reverse(actor=owner, move=StockMove.objects.filter(picking=backorder, product=fan).get())
    second = invoice_post(actor=owner, invoice=invoice_from_sales_order(actor=owner, order=order, basis="ordered"))
    invoice_post(actor=owner, invoice=second)  # again: the same entry
    payment = payment_register(actor=owner, kind="inbound", party=parties[0], method="bank", allocations=None,
                               amount=first.amount_total + second.amount_total + 70_000)
    refund = credit_note_create(actor=owner, invoice=second, lines=None, reason="Khách trả hàng")  # paid: refunded
    payout = payment_register(actor=owner, kind="outbound", party=parties[0], amount=refund.amount_residual,
                              method="bank", allocations={refund.pk: refund.amount_residual})
    advance = payment_register(actor=owner, kind="inbound", party=parties[0], amount=D(40_000), method="cash",
                               allocations={})
    other = sales_order_create(actor=owner, party=parties[0], lines=[{"product": rice, "quantity": D(1)}])
    sales_order_confirm(actor=owner, order=other)
    third = invoice_post(actor=owner, invoice=invoice_from_sales_order(actor=owner, order=other, basis="ordered"))
    payment_allocate(actor=owner, payment=advance, allocations={third.pk: D(40_000)})
    payment_reverse(actor=owner, payment=payment)
    # then
    invariants_check()
    first.refresh_from_db()
    third.refresh_from_db()
    assert first.payment_state == Invoice.PaymentState.NOT_PAID  # its payment was reversed
    assert third.amount_residual == third.amount_total - 40_000
    assert (payout.amount_unallocated, Payment.objects.get(pk=payment.pk).state) == (ZERO, Payment.State.REVERSED)
    assert JournalEntry.objects.filter(reversal_of__isnull=False).count() == 1  # the payment's entry, once
