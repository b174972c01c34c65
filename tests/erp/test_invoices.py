"""Invoices: drafts from a sales order by delivered or ordered quantity (never the same quantity twice), posting
(Dr 131 / Cr 511x / Cr 33311, VAT at the rate of the invoice date rounded once per rate, foreign-currency rounding
to 711 / 811), gap-free numbers under concurrency, a posting task that runs twice, credit notes (mirror entry,
residuals matched), supplier bills (only VAT for received goods), plan gates, pages, PDF and isolation."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from billing.errors import BillingError
from modules.erp.accounting.charts import ROLE_ACCOUNTS
from modules.erp.accounting.models import JournalEntry, JournalLine
from modules.erp.accounting.services.setup import accounting_enable, lock_date_set
from modules.erp.catalog.models import Product, Unit, VatRate
from modules.erp.catalog.services import product_create
from modules.erp.common.company import company_profile_update
from modules.erp.errors import ErpError
from modules.erp.inventory.models import ProductValuation
from modules.erp.inventory.services import picking_validate
from modules.erp.invoicing.models import Invoice, InvoiceSymbol
from modules.erp.invoicing.pdf import Seller, invoice_document, seller_of
from modules.erp.invoicing.services import (
    bill_from_purchase_order,
    credit_note_create,
    invoice_cancel,
    invoice_create,
    invoice_from_sales_order,
    invoice_post,
    invoice_update,
)
from modules.erp.invoicing.tasks import invoice_post_task
from modules.erp.purchasing import services as purchasing
from tests.conftest import client_for
from tests.crm.factories import PartyFactory
from tests.erp.factories import delivery_of, goods, in_threads, on_plan, order, stock

TT99 = ROLE_ACCOUNTS["tt99"]
TT133 = ROLE_ACCOUNTS["tt133"]
ZERO = Decimal(0)



pytestmark = pytest.mark.usefixtures("balance_checked_per_statement")


@pytest.fixture
def books(in_a):
    """Workspace A with its books on Circular 99."""
    accounting_enable(actor=in_a.users["owner"], chart="tt99")
    return in_a


def _service(actor, price, vat_code="10", name="Lắp đặt"):
    return product_create(actor=actor, sku=f"S-{name}-{price}-{vat_code}", name=name, kind=Product.Kind.SERVICE,
                          base_unit=Unit.objects.get(code="chiec"), sale_price=Decimal(price), vat_code=vat_code)


def _sides(entry) -> list[tuple[str, Decimal, Decimal]]:
    """(account, debit, credit) of each line, debits first."""
    return sorted(((line.account.code, line.debit, line.credit) for line in entry.lines.select_related("account")),
                  key=lambda side: (-side[1], side[0], side[2]))


def _by_account(entry) -> dict[str, Decimal]:
    """Account -> debit - credit over the entry."""
    result = {}
    for code, debit, credit in _sides(entry):
        result[code] = result.get(code, ZERO) + debit - credit
    return result


def _manual(owner, party, lines, **fields):
    return invoice_create(actor=owner, kind=Invoice.Kind.OUT_INVOICE, party=party, lines=lines, **fields)


def _deliver(owner, sales_order, quantity):
    picking = delivery_of(sales_order)
    return picking_validate(actor=owner, picking=picking, done={picking.lines.get().pk: Decimal(quantity)})


# --- drafts from a sales order ------------------------------------------------------------------------------------

def test_delivered_then_ordered_quantities_are_invoiced_once(books):
    # given an order of 10, 4 delivered
    owner = books.users["owner"]
    product = goods(owner, price=Decimal(100000))
    stock(owner, product, 10)
    sales_order = order(owner, [(product, 10)])
    _deliver(owner, sales_order, 4)
    # when
    delivered = invoice_from_sales_order(actor=owner, order=sales_order, basis="delivered")
    with pytest.raises(ErpError) as nothing_delivered:
        invoice_from_sales_order(actor=owner, order=sales_order, basis="delivered")
    ordered = invoice_from_sales_order(actor=owner, order=sales_order, basis="ordered")
    with pytest.raises(ErpError) as nothing_ordered:
        invoice_from_sales_order(actor=owner, order=sales_order, basis="ordered")
    # then
    assert [line.quantity for line in delivered.lines.all()] == [Decimal(4)]
    assert [line.quantity for line in ordered.lines.all()] == [Decimal(6)]
    assert (delivered.state, delivered.amount_untaxed, delivered.amount_tax, delivered.amount_total) == (
        "draft", Decimal(400000), Decimal(40000), Decimal(440000))
    assert nothing_delivered.value.code == nothing_ordered.value.code == "nothing_to_invoice"


def test_services_count_as_delivered_and_a_cancelled_draft_gives_its_quantity_back(books):
    # given an order of goods (nothing delivered yet) and a service
    owner = books.users["owner"]
    product = goods(owner)
    stock(owner, product, 5)
    sales_order = order(owner, [(product, 5), (_service(owner, 300000), 1)])
    # when
    first = invoice_from_sales_order(actor=owner, order=sales_order)
    invoice_cancel(actor=owner, invoice=first)
    again = invoice_from_sales_order(actor=owner, order=sales_order)
    # then
    assert [line.description for line in first.lines.all()] == ["Lắp đặt"]
    assert Invoice.objects.get(pk=first.pk).state == "cancelled"
    assert [line.quantity for line in again.lines.all()] == [Decimal(1)]


def test_a_quotation_is_not_invoiced(books):
    owner = books.users["owner"]
    quotation = order(owner, [(_service(owner, 1000), 1)], confirm=False)
    with pytest.raises(ErpError) as error:
        invoice_from_sales_order(actor=owner, order=quotation, basis="ordered")
    assert error.value.code == "order_not_confirmed"


def test_a_draft_cannot_take_more_than_the_order_left(books):
    # given two drafts sharing an order of 3
    owner = books.users["owner"]
    sales_order = order(owner, [(_service(owner, 1000), 3)])
    draft = invoice_from_sales_order(actor=owner, order=sales_order, basis="ordered")
    line = draft.lines.get()
    # when
    with pytest.raises(ErpError) as error:
        invoice_update(actor=owner, invoice=draft, lines=[{
            "product": line.product, "quantity": 4, "unit_price": line.unit_price, "sales_line": line.sales_line}])
    # then
    assert error.value.code == "quantity_exceeds_order"


# --- posting ------------------------------------------------------------------------------------------------------

def test_posting_takes_the_next_number_and_posts_131_511_33311(books):
    # given
    owner, customer = books.users["owner"], PartyFactory()
    draft = _manual(owner, customer, [{"product": _service(owner, 1000000), "quantity": 2}])
    # when
    posted = invoice_post(actor=owner, invoice=draft)
    # then
    assert (posted.state, posted.symbol.symbol, posted.number) == ("posted", f"1C{timezone.localdate():%y}TAA", 1)
    assert posted.display_number.endswith("-00000001")
    assert (posted.amount_residual, posted.payment_state) == (Decimal(2200000), "not_paid")
    assert posted.entry.journal.code == "BH" and posted.entry.source == f"invoice:{posted.pk}"
    assert _sides(posted.entry) == [(TT99["receivable"], Decimal(2200000), ZERO),
                                    (TT99["output_vat"], ZERO, Decimal(200000)),
                                    (TT99["revenue_services"], ZERO, Decimal(2000000))]
    assert set(posted.entry.lines.values_list("party_id", flat=True)) == {customer.pk}


def test_goods_and_services_go_to_5111_and_5113_on_circular_133(in_a):
    # given the books on Circular 133, where goods and services revenue have their own accounts
    owner = in_a.users["owner"]
    accounting_enable(actor=owner, chart="tt133")
    product = goods(owner, price=Decimal(50000), vat_code="8")
    stock(owner, product, 3)
    sales_order = order(owner, [(product, 3), (_service(owner, 200000), 1)])
    _deliver(owner, sales_order, 3)
    # when
    posted = invoice_post(actor=owner, invoice=invoice_from_sales_order(actor=owner, order=sales_order))
    # then
    assert _sides(posted.entry) == [("131", Decimal(382000), ZERO), ("33311", ZERO, Decimal(12000)),
                                    ("33311", ZERO, Decimal(20000)), ("5111", ZERO, Decimal(150000)),
                                    ("5113", ZERO, Decimal(200000))]


def test_vnd_invoice_with_many_lines_at_mixed_rates_rounds_vat_once_per_rate(books):
    # given 15 lines at 10%, 8%, 5%, 0% and exempt whose own VAT roundings do not add up to the rate's
    owner, customer = books.users["owner"], PartyFactory()
    prices = {"10": [10005, 20015, 30025], "8": [1006, 2006, 3006, 4006], "5": [1010, 1010, 1010, 1010],
              "0": [12345, 67890], "exempt": [55555, 44444]}
    lines = [{"description": f"Dòng {code} {index}", "quantity": 1, "unit_price": Decimal(price), "vat_code": code}
             for code, amounts in prices.items() for index, price in enumerate(amounts)]
    # when
    posted = invoice_post(actor=owner, invoice=_manual(owner, customer, lines))
    # then: one tax per rate on the rate's sum, rounded half up once
    expected_tax = {"10": Decimal(6005), "8": Decimal(802), "5": Decimal(202), "0": ZERO, "exempt": ZERO}
    line_taxes = {code: sum((line.amount_tax for line in posted.lines.filter(vat_code=code)), ZERO)
                  for code in prices}
    vat_credits = sorted(line.credit for line in posted.entry.lines.filter(account__code=TT99["output_vat"]))
    untaxed = sum((sum(map(Decimal, amounts)) for amounts in prices.values()), ZERO)
    assert [line_taxes[code] for code in ("10", "8", "5")] == [Decimal(6006), Decimal(800), Decimal(204)]
    assert posted.amount_tax == sum(expected_tax.values()) == Decimal(7009)
    assert vat_credits == [Decimal(202), Decimal(802), Decimal(6005)]
    assert (posted.amount_untaxed, posted.amount_total) == (untaxed, untaxed + Decimal(7009))
    assert _by_account(posted.entry) == {TT99["receivable"]: posted.amount_total,
                                         TT99["revenue_services"]: -untaxed, TT99["output_vat"]: -Decimal(7009)}


def test_vat_is_recomputed_at_the_rate_valid_on_the_invoice_date(books):
    # given a draft written at 7%, and a new 9% valid from today on entered before posting
    owner, today = books.users["owner"], timezone.localdate()
    VatRate.objects.create(code="T", name="Test 7%", rate=Decimal(7), valid_from=datetime.date(2020, 1, 1))
    draft = _manual(owner, PartyFactory(), [{"description": "Tư vấn", "quantity": 1, "unit_price": 100000,
                                             "vat_code": "T"}])
    VatRate.objects.filter(code="T").update(valid_to=today - datetime.timedelta(days=1))
    VatRate.objects.create(code="T", name="Test 9%", rate=Decimal(9), valid_from=today)
    # when
    posted = invoice_post(actor=owner, invoice=draft)
    # then
    assert draft.amount_tax == Decimal(7000)
    assert (posted.amount_tax, posted.lines.get().vat_rate) == (Decimal(9000), Decimal(9))
    assert _by_account(posted.entry)[TT99["output_vat"]] == -Decimal(9000)


def test_usd_invoice_posts_the_rounding_difference_to_711_or_811(books):
    # given three USD lines whose VND roundings do not add up to the total's
    owner, rate = books.users["owner"], Decimal("25345.67")
    lines = [{"description": f"Service {index}", "quantity": 1, "unit_price": Decimal(price), "vat_code": "10"}
             for index, price in enumerate(["10.01", "20.03", "30.05"])]
    draft = _manual(owner, PartyFactory(), lines, currency="USD", exchange_rate=rate)

    def vnd(amount):
        return (amount * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)

    # when
    posted = invoice_post(actor=owner, invoice=draft)
    # then
    gap = vnd(posted.amount_total) - sum(vnd(line.amount_untaxed) for line in posted.lines.all()) \
        - vnd(posted.amount_tax)
    sides = _by_account(posted.entry)
    rounding = sides.get(TT99["rounding_gain"], ZERO) + sides.get(TT99["rounding_loss"], ZERO)
    lines_usd = posted.entry.lines.filter(currency="USD")
    assert (posted.amount_total, gap) == (Decimal("66.10"), Decimal(1))
    assert sides[TT99["receivable"]] == vnd(Decimal("66.10")) and rounding == -gap
    assert sum(sides.values()) == 0
    assert lines_usd.count() == posted.entry.lines.count()
    assert sum(line.amount_currency for line in lines_usd) == 0
    assert posted.entry.lines.get(account__code=TT99["receivable"]).amount_currency == Decimal("66.10")


def test_posting_needs_the_books_set_up(in_a):
    owner = in_a.users["owner"]
    draft = _manual(owner, PartyFactory(), [{"description": "Tư vấn", "quantity": 1, "unit_price": 1000}])
    with pytest.raises(ErpError) as error:
        invoice_post(actor=owner, invoice=draft)
    assert error.value.code == "accounting_off"
    assert Invoice.objects.get(pk=draft.pk).state == "draft"


def test_the_posting_task_run_twice_posts_once(books):
    # given
    owner = books.users["owner"]
    draft = _manual(owner, PartyFactory(), [{"description": "Tư vấn", "quantity": 1, "unit_price": 500000}])
    # when
    first = invoice_post_task.apply(args=[draft.pk, owner.pk]).get()
    second = invoice_post_task.apply(args=[draft.pk, owner.pk]).get()
    # then
    assert first == second == Invoice.objects.get(pk=draft.pk).entry_id
    assert JournalEntry.objects.filter(source=f"invoice:{draft.pk}").count() == 1
    assert InvoiceSymbol.objects.get(is_default=True).next_number == 2


def test_twenty_invoices_posted_at_once_twice_each_take_numbers_1_to_20(committed_workspace):
    # given 20 committed drafts, and 4 more that fail after taking a number (dated on the lock date)
    ws = committed_workspace("growth")
    owner, today = ws.users["owner"], timezone.localdate()
    with tenant_context(ws.tenant):
        accounting_enable(actor=owner, chart="tt99")
        customer = PartyFactory()
        drafts = [_manual(owner, customer, [{"description": f"Tư vấn {index}", "quantity": 1,
                                              "unit_price": 100000 + index}]) for index in range(20)]
        locked = [_manual(owner, customer, [{"description": "Cũ", "quantity": 1, "unit_price": 1000}],
                          date=today - datetime.timedelta(days=1)) for _ in range(4)]
        lock_date_set(actor=owner, lock_date=today - datetime.timedelta(days=1))
    # when: each draft posted by two workers at once (a retried task), beside the failing ones
    errors = in_threads(ws.tenant, lambda draft: invoice_post_task.apply(args=[draft.pk]).get(),
                         drafts + drafts + locked)
    # then
    with tenant_context(ws.tenant):
        numbers = sorted(Invoice.objects.filter(state="posted").values_list("number", flat=True))
        assert sorted(getattr(error, "code", "") for error in errors) == ["period_locked"] * 4
        assert numbers == list(range(1, 21))
        assert InvoiceSymbol.objects.get(is_default=True).next_number == 21
        assert JournalEntry.objects.filter(source__startswith="invoice:").count() == 20
        assert Invoice.objects.filter(pk__in=[draft.pk for draft in locked], state="draft").count() == 4
    connection.set_schema_to_public()


# --- credit notes -------------------------------------------------------------------------------------------------

def test_a_credit_note_posts_the_mirror_and_lowers_both_residuals(books):
    # given an invoice of 5 delivered units, posted
    owner = books.users["owner"]
    product = goods(owner, price=Decimal(200000))
    stock(owner, product, 5)
    sales_order = order(owner, [(product, 5)])
    _deliver(owner, sales_order, 5)
    invoice = invoice_post(actor=owner, invoice=invoice_from_sales_order(actor=owner, order=sales_order))
    # when 2 units come back
    refund = credit_note_create(actor=owner, invoice=invoice, reason="Trả lại 2 chiếc",
                                lines=[{"line": invoice.lines.get(), "quantity": 2}])
    invoice.refresh_from_db()
    # then
    assert (refund.kind, refund.state, refund.number, refund.refund_of_id) == ("out_refund", "posted", 2, invoice.pk)
    assert refund.amount_total == Decimal(440000)
    assert _sides(refund.entry) == [(TT99["revenue_goods"], Decimal(400000), ZERO),
                                    (TT99["output_vat"], Decimal(40000), ZERO),
                                    (TT99["receivable"], ZERO, Decimal(440000))]
    assert (invoice.amount_residual, invoice.payment_state) == (Decimal(660000), "partial")
    assert (refund.amount_residual, refund.payment_state) == (ZERO, "paid")


def test_credit_notes_never_exceed_the_invoice_and_reopen_the_order_quantity(books):
    # given an invoice of 3 services credited 1 then the rest
    owner = books.users["owner"]
    sales_order = order(owner, [(_service(owner, 100000), 3)])
    invoice = invoice_post(actor=owner, invoice=invoice_from_sales_order(actor=owner, order=sales_order))
    line = invoice.lines.get()
    credit_note_create(actor=owner, invoice=invoice, reason="Giảm 1", lines=[{"line": line, "quantity": 1}])
    # when
    with pytest.raises(ErpError) as too_much:
        credit_note_create(actor=owner, invoice=invoice, reason="Quá", lines=[{"line": line, "quantity": 3}])
    rest = credit_note_create(actor=owner, invoice=invoice, reason="Hủy phần còn lại")
    with pytest.raises(ErpError) as nothing:
        credit_note_create(actor=owner, invoice=invoice, reason="Lần nữa")
    again = invoice_from_sales_order(actor=owner, order=sales_order, basis="ordered")
    invoice.refresh_from_db()
    # then
    assert too_much.value.code == "credit_exceeds_invoice" and nothing.value.code == "nothing_to_credit"
    assert rest.lines.get().quantity == Decimal(2)
    assert (invoice.amount_residual, invoice.payment_state) == (ZERO, "paid")
    assert again.lines.get().quantity == Decimal(3)


# --- supplier bills -----------------------------------------------------------------------------------------------

@pytest.fixture
def scale_books(books):
    on_plan(books.tenant, "scale")
    return books


def _supplier():
    return PartyFactory(name="Nhà cung cấp Minh Long", is_supplier=True, is_customer=False)


def _purchase(owner, supplier, lines, **fields):
    rfq = purchasing.purchase_order_create(actor=owner, supplier=supplier, lines=lines, **fields)
    return purchasing.purchase_order_confirm(actor=owner, order=rfq)


def test_a_bill_of_received_goods_posts_only_its_vat(scale_books):
    # given 10 units at 50,000 received (the receipt posted Dr 156 / Cr 331 500,000)
    owner, supplier = scale_books.users["owner"], _supplier()
    product = goods(owner)
    purchase = _purchase(owner, supplier, [{"product": product, "quantity": 10, "unit_price": 50000}])
    picking_validate(actor=owner, picking=purchase.pickings.get())
    # when
    bill = invoice_post(actor=owner, invoice=bill_from_purchase_order(actor=owner, order=purchase,
                                                                      supplier_reference="1C26TMN-123"))
    # then
    payable = JournalLine.objects.filter(account__code=TT99["payable"], party=supplier)
    inventory = JournalLine.objects.filter(account__code=TT99["inventory"])
    valuation = ProductValuation.objects.get(product=product).value
    assert (bill.kind, bill.amount_total, bill.supplier_reference, bill.entry.journal.code) == (
        "in_invoice", Decimal(550000), "1C26TMN-123", "MH")
    assert _sides(bill.entry) == [(TT99["input_vat"], Decimal(50000), ZERO), (TT99["payable"], ZERO, Decimal(50000))]
    assert sum(line.credit - line.debit for line in payable) == bill.amount_total
    assert sum(line.debit - line.credit for line in inventory) == valuation == Decimal(500000)


def test_a_bill_posts_services_to_an_expense_and_names_itself_when_the_supplier_number_is_missing(scale_books):
    # given a purchase order of one service (nothing to receive)
    owner, supplier = scale_books.users["owner"], _supplier()
    purchase = _purchase(owner, supplier, [{"product": _service(owner, 0), "quantity": 2, "unit_price": 150000}])
    # when
    bill = invoice_post(actor=owner, invoice=bill_from_purchase_order(actor=owner, order=purchase))
    # then
    assert bill.supplier_reference.startswith("HDM")
    assert _sides(bill.entry) == [("6427", Decimal(300000), ZERO), (TT99["input_vat"], Decimal(30000), ZERO),
                                  (TT99["payable"], ZERO, Decimal(330000))]


def test_a_dollar_bill_of_received_goods_leaves_its_total_at_its_rate_on_331(scale_books):
    # given 3 units at 10.01 USD and a freight line, received at 25,400.5 VND per dollar (valued in VND)
    owner, supplier, rate = scale_books.users["owner"], _supplier(), Decimal("25400.5")
    product = goods(owner)
    purchase = _purchase(owner, supplier, [{"product": product, "quantity": 3, "unit_price": Decimal("10.01")},
                                           {"description": "Phí vận chuyển", "quantity": 1,
                                            "unit_price": Decimal("5.55"), "vat_code": "8"}],
                         currency="USD", exchange_rate=rate)
    picking_validate(actor=owner, picking=purchase.pickings.get())
    # when
    bill = invoice_post(actor=owner, invoice=bill_from_purchase_order(actor=owner, order=purchase))
    # then: 331 holds the bill's total at its rate; 156 still equals the valuation; the entry balances in USD too
    payable = JournalLine.objects.filter(account__code=TT99["payable"], party=supplier)
    inventory = JournalLine.objects.filter(account__code=TT99["inventory"])
    usd = bill.entry.lines.filter(currency="USD")
    assert bill.amount_total == Decimal("30.03") + Decimal("5.55") + Decimal("3.00") + Decimal("0.44")
    assert sum(line.credit - line.debit for line in payable) == (bill.amount_total * rate).quantize(
        Decimal(1), rounding=ROUND_HALF_UP)
    assert sum(line.debit - line.credit for line in inventory) == ProductValuation.objects.get(product=product).value
    assert sum(line.debit - line.credit for line in bill.entry.lines.all()) == 0
    assert sum(line.amount_currency for line in usd) == 0 and usd.count() == bill.entry.lines.count()


def test_a_supplier_refund_mirrors_the_bill_and_settles_it(scale_books):
    # given a posted bill for a service
    owner, supplier = scale_books.users["owner"], _supplier()
    bill = invoice_post(actor=owner, invoice=invoice_create(
        actor=owner, kind=Invoice.Kind.IN_INVOICE, party=supplier, supplier_reference="0000123",
        lines=[{"description": "Thuê kho tháng 11", "quantity": 1, "unit_price": 2000000}]))
    # when
    refund = credit_note_create(actor=owner, invoice=bill, reason="Giảm giá thuê kho",
                                lines=[{"line": bill.lines.get(), "quantity": 1, "unit_price": 500000}])
    bill.refresh_from_db()
    # then
    assert (refund.kind, refund.symbol_id, refund.entry.journal.code) == ("in_refund", None, "MH")
    assert _sides(refund.entry) == [(TT99["payable"], Decimal(550000), ZERO),
                                    (TT99["input_vat"], ZERO, Decimal(50000)), ("6427", ZERO, Decimal(500000))]
    assert (bill.amount_residual, refund.amount_residual) == (Decimal(1650000), ZERO)


def test_goods_not_received_cannot_be_billed(scale_books):
    # given an order of goods not received yet
    owner, supplier = scale_books.users["owner"], _supplier()
    product = goods(owner)
    purchase = _purchase(owner, supplier, [{"product": product, "quantity": 5, "unit_price": 1000}])
    # when
    with pytest.raises(ErpError) as from_order:
        bill_from_purchase_order(actor=owner, order=purchase)
    with pytest.raises(ErpError) as by_hand:
        invoice_create(actor=owner, kind=Invoice.Kind.IN_INVOICE, party=supplier,
                       lines=[{"product": product, "quantity": 5, "unit_price": 1000}])
    # then
    assert (from_order.value.code, by_hand.value.code) == ("nothing_to_invoice", "goods_not_received")


def test_the_bills_tab_drafts_a_bill_from_a_received_order(scale_books):
    # given a received purchase order
    owner, supplier = scale_books.users["owner"], _supplier()
    purchase = _purchase(owner, supplier, [{"product": goods(owner), "quantity": 2, "unit_price": 70000}])
    picking_validate(actor=owner, picking=purchase.pickings.get())
    client = client_for(scale_books, scale_books.users["member"], lang="en")
    # when
    tab = client.get("/erp/invoicing/?tab=bills").content.decode()
    made = client.post("/erp/invoicing/from-purchase-order/", {"order": purchase.pk, "supplier_reference": "AB-7"})
    # then
    with tenant_context(scale_books.tenant):
        bill = Invoice.objects.get(purchase_order=purchase)
    assert f'<option value="{purchase.pk}">' in tab
    assert made.status_code == 302 and made["Location"] == f"/erp/invoicing/{bill.pk}/"
    assert (bill.kind, bill.supplier_reference, bill.amount_total) == ("in_invoice", "AB-7", Decimal(154000))


def test_bills_need_the_ledger_plan(books):
    owner, supplier = books.users["owner"], _supplier()
    with pytest.raises(BillingError) as error:
        invoice_create(actor=owner, kind=Invoice.Kind.IN_INVOICE, party=supplier,
                       lines=[{"description": "Thuê kho", "quantity": 1, "unit_price": 1000}])
    assert error.value.code == "feature_not_in_plan"


# --- pages --------------------------------------------------------------------------------------------------------

def test_plans_gate_the_pages(ws_a):
    # given A on Starter, then Growth, then Scale
    client = client_for(ws_a, ws_a.users["owner"], lang="en")
    on_plan(ws_a.tenant, "starter")
    starter = client.get("/erp/invoicing/").status_code
    on_plan(ws_a.tenant, "growth")
    growth = (client.get("/erp/invoicing/").status_code, client.get("/erp/invoicing/?tab=bills").status_code,
              client.get("/erp/invoicing/new/?kind=in_invoice").status_code)
    menu = client.get("/").content.decode()
    on_plan(ws_a.tenant, "scale")
    scale = (client.get("/erp/invoicing/?tab=bills").status_code,
             client.get("/erp/invoicing/new/?kind=in_invoice").status_code)
    # then
    assert starter == 402
    assert growth == (200, 402, 402)
    assert 'href="/erp/invoicing/"' in menu
    assert scale == (200, 200)


def test_a_viewer_reads_but_does_not_post(books):
    # given
    draft = _manual(books.users["owner"], PartyFactory(), [{"description": "Tư vấn", "quantity": 1,
                                                            "unit_price": 1000}])
    client = client_for(books, books.users["viewer"], lang="en")
    # when
    page = client.get(f"/erp/invoicing/{draft.pk}/")
    post = client.post(f"/erp/invoicing/{draft.pk}/post/")
    # then
    assert page.status_code == 200 and 'data-testid="invoice-post"' not in page.content.decode()
    assert post.status_code == 403
    with tenant_context(books.tenant):
        assert Invoice.objects.get(pk=draft.pk).state == "draft"


def test_an_invoice_is_made_from_the_order_page_posted_and_shown_with_its_entry(books):
    # given a confirmed order of a service
    owner = books.users["owner"]
    sales_order = order(owner, [(_service(owner, 250000), 2)])
    client = client_for(books, books.users["member"], lang="en")
    # when
    order_page = client.get(f"/erp/sales/{sales_order.pk}/").content.decode()
    made = client.post(f"/erp/invoicing/from-sales-order/{sales_order.pk}/", {"basis": "ordered"})
    with tenant_context(books.tenant):
        invoice = Invoice.objects.get(sales_order=sales_order)
    posted = client.post(f"/erp/invoicing/{invoice.pk}/post/")
    detail = client.get(f"/erp/invoicing/{invoice.pk}/").content.decode()
    order_after = client.get(f"/erp/sales/{sales_order.pk}/").content.decode()
    # then
    assert 'data-testid="invoice-order"' in order_page
    assert made.status_code == 302 and made["Location"] == f"/erp/invoicing/{invoice.pk}/"
    assert posted.status_code == 302
    assert 'data-account="131"' in detail and 'data-account="33311"' in detail
    assert f'data-invoice="{invoice.pk}"' in order_after


def test_a_manual_invoice_through_the_form_keeps_errors_on_their_row(books):
    # given
    customer = PartyFactory()
    client = client_for(books, books.users["member"], lang="en")
    form = {"party": customer.pk, "date": timezone.localdate().isoformat(), "currency": "VND", "exchange_rate": "1",
            "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0",
            "lines-0-description": "Bảo trì", "lines-0-quantity": "2", "lines-0-unit_price": "150000",
            "lines-0-vat_code": "10", "lines-1-description": "Đào tạo", "lines-1-quantity": "1",
            "lines-1-unit_price": "100000", "lines-1-account": "9999"}
    # when
    refused = client.post("/erp/invoicing/new/", form)
    form["lines-1-account"] = ""
    saved = client.post("/erp/invoicing/new/", form)
    # then
    assert refused.status_code == 400 and "9999" in refused.content.decode()
    assert saved.status_code == 302
    with tenant_context(books.tenant):
        invoice = Invoice.objects.get(party=customer)
        assert (invoice.state, invoice.amount_total) == ("draft", Decimal(440000))


def test_the_credit_note_page_posts_a_credit_note(books):
    # given
    owner = books.users["owner"]
    invoice = invoice_post(actor=owner, invoice=_manual(owner, PartyFactory(), [
        {"description": "Tư vấn", "quantity": 4, "unit_price": 100000}]))
    line = invoice.lines.get()
    client = client_for(books, books.users["member"], lang="en")
    # when
    too_much = client.post(f"/erp/invoicing/{invoice.pk}/credit-note/", {
        "reason": "Giảm", "date": timezone.localdate().isoformat(), f"qty-{line.pk}": "5"})
    done = client.post(f"/erp/invoicing/{invoice.pk}/credit-note/", {
        "reason": "Giảm", "date": timezone.localdate().isoformat(), f"qty-{line.pk}": "1"})
    # then
    assert too_much.status_code == 400
    assert done.status_code == 302
    with tenant_context(books.tenant):
        assert Invoice.objects.get(pk=invoice.pk).amount_residual == Decimal(330000)


def test_a_draft_from_an_order_is_changed_through_the_form_and_keeps_its_order_line(books):
    # given a draft for 3 of an order of 3
    owner = books.users["owner"]
    sales_order = order(owner, [(_service(owner, 100000), 3)])
    draft = invoice_from_sales_order(actor=owner, order=sales_order, basis="ordered")
    line = draft.lines.get()
    client = client_for(books, books.users["member"], lang="en")
    form = {"party": draft.party_id, "date": draft.date.isoformat(), "due_date": draft.due_date.isoformat(),
            "currency": "VND", "exchange_rate": "1", "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1",
            "lines-0-product": line.product_id, "lines-0-quantity": "4", "lines-0-unit_price": "100000",
            "lines-0-vat_code": "10", "lines-0-sales_line": line.sales_line_id}
    # when
    page = client.get(f"/erp/invoicing/{draft.pk}/edit/")
    too_many = client.post(f"/erp/invoicing/{draft.pk}/edit/", form)
    form["lines-0-quantity"] = "2"
    saved = client.post(f"/erp/invoicing/{draft.pk}/edit/", form)
    # then
    assert page.status_code == 200
    assert too_many.status_code == 400 and "only 3 left to invoice" in too_many.content.decode()
    assert saved.status_code == 302
    with tenant_context(books.tenant):
        changed = Invoice.objects.get(pk=draft.pk).lines.get()
        assert (changed.quantity, changed.sales_line_id) == (Decimal(2), line.sales_line_id)
        assert invoice_from_sales_order(actor=owner, order=sales_order, basis="ordered").lines.get().quantity == 1


def test_a_manual_invoice_cannot_claim_an_order_line(books):
    owner = books.users["owner"]
    sales_order = order(owner, [(_service(owner, 100000), 3)])
    with pytest.raises(ErpError) as error:
        _manual(owner, sales_order.party, [{"description": "X", "quantity": 1, "unit_price": 1,
                                            "sales_line": sales_order.lines.get()}])
    assert error.value.code == "line_not_of_order"


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/erp/invoicing/?q=&state=posted").status_code == 200
    return len(queries)


def test_the_list_takes_the_same_queries_for_2_or_12_invoices(books):
    # given
    owner = books.users["owner"]
    client = client_for(books, owner, lang="en")
    for index in range(2):
        invoice_post(actor=owner, invoice=_manual(owner, PartyFactory(), [{"description": f"A{index}",
                                                                           "quantity": 1, "unit_price": 1000}]))
    client.get("/erp/invoicing/")  # warm caches (entitlements, session)
    few = _list_queries(client)
    with tenant_context(books.tenant):
        sales_order = order(owner, [(_service(owner, 1000), 1)])
        invoice_post(actor=owner, invoice=invoice_from_sales_order(actor=owner, order=sales_order))
        for index in range(9):
            invoice_post(actor=owner, invoice=_manual(owner, PartyFactory(), [{"description": f"B{index}",
                                                                               "quantity": 1, "unit_price": 1000}]))
    # when
    many = _list_queries(client)
    # then
    assert many == few


def test_the_list_filters_by_payment_state_and_searches_by_number(books):
    # given one invoice credited in full (paid) and one open
    owner = books.users["owner"]
    paid = invoice_post(actor=owner, invoice=_manual(owner, PartyFactory(name="Công ty Bình Minh"), [
        {"description": "A", "quantity": 1, "unit_price": 1000}]))
    credit_note_create(actor=owner, invoice=paid, reason="Hủy")
    open_one = invoice_post(actor=owner, invoice=_manual(owner, PartyFactory(name="Công ty Hoàng Hà"), [
        {"description": "B", "quantity": 1, "unit_price": 1000}]))
    client = client_for(books, owner, lang="en")
    # when
    by_state = client.get("/erp/invoicing/?payment=not_paid").content.decode()
    by_number = client.get(f"/erp/invoicing/?q={open_one.display_number}").content.decode()
    by_party = client.get("/erp/invoicing/?q=binh minh").content.decode()
    # then
    assert f'data-invoice="{open_one.pk}"' in by_state and f'data-invoice="{paid.pk}"' not in by_state
    assert f'data-invoice="{open_one.pk}"' in by_number and f'data-invoice="{paid.pk}"' not in by_number
    assert f'data-invoice="{paid.pk}"' in by_party and f'data-invoice="{open_one.pk}"' not in by_party


def test_workspace_b_invoices_are_not_found_on_a(ws_a, ws_b):
    # given an invoice in B, none in A
    with tenant_context(ws_b.tenant):
        theirs = _manual(ws_b.users["owner"], PartyFactory(), [{"description": "B", "quantity": 1,
                                                                "unit_price": 1000}])
    client = client_for(ws_a, ws_a.users["owner"], lang="en")
    # when
    answers = [client.get(f"/erp/invoicing/{theirs.pk}/").status_code,
               client.get(f"/erp/invoicing/{theirs.pk}/pdf/").status_code,
               client.post(f"/erp/invoicing/{theirs.pk}/cancel/").status_code]
    # then
    assert answers == [404, 404, 404]
    with tenant_context(ws_b.tenant):
        assert Invoice.objects.get(pk=theirs.pk).state == "draft"


# --- PDF ----------------------------------------------------------------------------------------------------------

def test_the_invoice_pdf_has_the_seller_tax_code_symbol_rates_and_amount_in_words(books):
    # given
    owner = books.users["owner"]
    customer = PartyFactory(name="Công ty Ánh Dương", tax_code="0100109106")
    invoice = invoice_post(actor=owner, invoice=_manual(owner, customer, [
        {"description": "Tư vấn", "quantity": 1, "unit_price": 1000000, "vat_code": "10"},
        {"description": "Sách", "quantity": 2, "unit_price": 100000, "vat_code": "5"}]))
    lines = list(invoice.lines.all())
    seller = Seller(name="Công ty Alpha", tax_code="0312345678", address="12 Lê Lợi, TP. Hồ Chí Minh")
    client = client_for(books, owner, lang="en")
    # when
    vi = invoice_document(invoice=invoice, lines=lines, seller=seller, address="", lang="vi")
    en = invoice_document(invoice=invoice, lines=lines, seller=seller, address="", lang="en")
    response = client.get(f"/erp/invoicing/{invoice.pk}/pdf/?lang=en")
    # then
    assert vi.title == "HÓA ĐƠN GIÁ TRỊ GIA TĂNG" and en.title == "VAT INVOICE"
    assert vi.seller == ["Công ty Alpha", "Mã số thuế: 0312345678", "Địa chỉ: 12 Lê Lợi, TP. Hồ Chí Minh"]
    assert ("Ký hiệu", invoice.symbol.symbol) in vi.facts and ("Số", "00000001") in vi.facts
    assert "Mã số thuế: 0100109106" in vi.buyer
    assert [row[6] for row in vi.rows] == ["10%", "5%"]
    assert ("Tiền thuế GTGT 10%", "100.000 ₫") in vi.totals and ("Tiền thuế GTGT 5%", "10.000 ₫") in vi.totals
    assert vi.words == "Số tiền viết bằng chữ: Một triệu ba trăm mười nghìn đồng"
    assert en.words == "Amount in words: One million three hundred and ten thousand dong"
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_seller_is_the_workspace_company(books):
    # given the company details filled in
    company_profile_update(actor=books.users["owner"], legal_name="Công ty TNHH An Phát", tax_code="0100233488",
                           address="1 Tràng Tiền, Hà Nội", bank_account="0011004299999 - Vietcombank")
    # when
    seller = seller_of(books.tenant)
    # then
    assert seller == Seller(name="Công ty TNHH An Phát", tax_code="0100233488", address="1 Tràng Tiền, Hà Nội",
                            bank_account="0011004299999 - Vietcombank")


def test_a_credit_note_pdf_names_the_invoice_it_corrects(books):
    owner = books.users["owner"]
    invoice = invoice_post(actor=owner, invoice=_manual(owner, PartyFactory(), [
        {"description": "Tư vấn", "quantity": 1, "unit_price": 1000}]))
    refund = credit_note_create(actor=owner, invoice=invoice, reason="Sai giá")
    document = invoice_document(invoice=refund, lines=list(refund.lines.all()), seller=Seller(name="A"),
                                address="", lang="vi")
    assert document.title == "HÓA ĐƠN ĐIỀU CHỈNH GIẢM"
    assert document.note.startswith(f"Điều chỉnh cho hóa đơn {invoice.display_number}")



def test_an_invoice_of_next_year_takes_the_symbol_of_that_year_with_its_own_numbers(books):
    # given: the default symbol is this year's
    owner = books.users["owner"]
    default = InvoiceSymbol.objects.get(is_default=True)
    next_year = datetime.date(int("20" + default.symbol[2:4]) + 1, 1, 5)
    draft = _manual(owner, PartyFactory(), [{"product": _service(owner, 1000), "quantity": 1}], date=next_year)
    # when
    invoice = invoice_post(actor=owner, invoice=draft)
    # then
    assert invoice.symbol.symbol == f"{default.symbol[:2]}{next_year:%y}{default.symbol[4:]}"
    assert invoice.number == 1
