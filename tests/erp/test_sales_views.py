"""The sales pages: writing a quotation through the form (field errors keep the input), the htmx line pieces
(stock and list price while writing), confirming, the gates and isolation, the list's query count, the PDF and
the customer's orders on its party page."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from modules.erp.catalog.models import Unit
from modules.erp.catalog.services import price_list_create, price_list_item_set, product_unit_add
from modules.erp.inventory.models import Picking
from modules.erp.inventory.services import picking_validate
from modules.erp.sales import selectors
from modules.erp.sales.models import SalesOrder
from modules.erp.sales.pdf import pdf_document
from modules.erp.sales.services import sales_order_create
from tests.conftest import client_for
from tests.crm.factories import PartyFactory
from tests.erp.factories import goods, on_plan, order, stock

MANAGEMENT = {"lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
              "lines-MAX_NUM_FORMS": "1000"}



def _line(index, **values):
    return {f"lines-{index}-{name}": value for name, value in values.items()}


@pytest.fixture
def water(ws_a):
    """Water at 5,000 a piece, 10 in stock; sold by the box of 12 too; dealers pay 4,000 from 24 pieces on."""
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        product = goods(owner, sku="NUOC-500", name="Nước suối 500ml", price=Decimal(5000))
        product_unit_add(product=product, unit=Unit.objects.get(code="hop"), factor=12, actor=owner)
        dealers = price_list_create(name="Đại lý", customer_tag="dai-ly", actor=owner)
        price_list_item_set(price_list=dealers, product=product, price=4500, actor=owner)
        price_list_item_set(price_list=dealers, product=product, price=4000, min_quantity=24, actor=owner)
        stock(owner, product, 10)
        customer = PartyFactory(name="Công ty Đông Á", tags=["dai-ly"], is_customer=True, tax_code="0101234567")
    return product, customer


def test_bad_input_shows_field_errors_and_keeps_what_was_typed(ws_a, water):
    # given
    product, _customer = water
    client = client_for(ws_a, ws_a.users["member"], lang="en")
    # when: no customer, a quantity that is not a number, a free line with no quantity
    response = client.post("/erp/sales/new/", {
        **MANAGEMENT, "party": "", "party_q": "Đông", "currency": "VND", "order_date": "2026-11-27",
        **_line(0, product=product.pk, quantity="abc", unit_price="", discount_percent="5"),
        **_line(1, description="Lắp đặt tận nơi", quantity="")})
    # then
    body = response.content.decode()
    assert response.status_code == 400
    assert 'data-error="party"' in body and 'data-error="lines-0-quantity"' in body
    assert 'data-error="lines-1-quantity"' in body
    assert 'value="Lắp đặt tận nơi"' in body and 'value="abc"' in body and 'value="Đông"' in body
    assert "NUOC-500 Nước suối 500ml" in body  # the chosen product stays chosen
    with tenant_context(ws_a.tenant):
        assert SalesOrder.objects.count() == 0


def test_a_unit_the_product_is_not_sold_in_is_an_error_on_that_line(ws_a, water):
    # given
    product, customer = water
    with tenant_context(ws_a.tenant):
        crate = Unit.objects.get(code="thung")
    # when
    response = client_for(ws_a, ws_a.users["member"], lang="en").post("/erp/sales/new/", {
        **MANAGEMENT, "lines-TOTAL_FORMS": "1", "party": customer.pk, "currency": "VND", "order_date": "2026-11-27",
        **_line(0, product=product.pk, unit=crate.pk, quantity="1")})
    # then
    assert response.status_code == 400
    assert 'data-error="lines-0-unit"' in response.content.decode()


def test_a_quotation_written_through_the_form_takes_the_customers_list_price(ws_a, water):
    # given
    product, customer = water
    with tenant_context(ws_a.tenant):
        box = Unit.objects.get(code="hop")
    client = client_for(ws_a, ws_a.users["member"], lang="en")
    # when: 2 boxes (24 pieces: the dealers' 4,000 break) with the price left to the list, and a free line
    response = client.post("/erp/sales/new/", {
        **MANAGEMENT, "party": customer.pk, "currency": "VND", "order_date": "2026-11-27",
        "validity_date": "2026-12-27", "note": "Giao giờ hành chính",
        **_line(0, product=product.pk, unit=box.pk, quantity="2", unit_price="54000", price_auto="1"),
        **_line(1, description="Phí vận chuyển", quantity="1", unit_price="30000", vat_code="10")})
    # then
    assert response.status_code == 302
    with tenant_context(ws_a.tenant):
        sales_order = SalesOrder.objects.get()
        lines = list(sales_order.lines.order_by("position"))
    assert response["Location"] == f"/erp/sales/{sales_order.pk}/"
    assert (sales_order.state, sales_order.party_id, sales_order.note) == ("quotation", customer.pk,
                                                                          "Giao giờ hành chính")
    assert (lines[0].quantity_base, lines[0].unit_price) == (24, 48000)
    assert (lines[1].description, lines[1].amount_untaxed) == ("Phí vận chuyển", 30000)
    assert sales_order.amount_total == Decimal(126000) * Decimal("1.10")
    page = client.get(response["Location"]).content.decode()
    assert sales_order.number in page and 'data-testid="confirm-order"' in page


def test_a_dollar_quotation_keeps_its_exchange_rate(ws_a, water):
    # given: a price typed in dollars (the product has no USD price)
    product, customer = water
    # when
    response = client_for(ws_a, ws_a.users["member"], lang="en").post("/erp/sales/new/", {
        **MANAGEMENT, "lines-TOTAL_FORMS": "1", "party": customer.pk, "currency": "USD", "exchange_rate": "25400",
        "order_date": "2026-11-27", **_line(0, product=product.pk, quantity="10", unit_price="0.25")})
    # then
    assert response.status_code == 302
    with tenant_context(ws_a.tenant):
        dollars = SalesOrder.objects.get()
    assert (dollars.currency, dollars.exchange_rate, dollars.amount_untaxed) == ("USD", 25400, Decimal("2.50"))


def test_a_quotation_is_edited_through_the_same_form(ws_a, water):
    # given
    product, customer = water
    with tenant_context(ws_a.tenant):
        quotation = sales_order_create(actor=ws_a.users["owner"], party=customer,
                                       lines=[{"product": product, "quantity": 1}])
    client = client_for(ws_a, ws_a.users["member"], lang="en")
    form = client.get(f"/erp/sales/{quotation.pk}/edit/")
    # when
    response = client.post(f"/erp/sales/{quotation.pk}/edit/", {
        **MANAGEMENT, "lines-TOTAL_FORMS": "1", "party": customer.pk, "currency": "VND", "order_date": "2026-11-27",
        **_line(0, product=product.pk, quantity="3", unit_price="4700")})
    # then
    assert form.status_code == 200 and 'value="NUOC-500 Nước suối 500ml"' in form.content.decode()
    assert response.status_code == 302
    with tenant_context(ws_a.tenant):
        line = SalesOrder.objects.get(pk=quotation.pk).lines.get()
    assert (line.quantity, line.unit_price) == (3, 4700)


def test_confirming_reserves_the_stock_and_the_page_shows_the_delivery(ws_a, water):
    # given
    product, customer = water
    with tenant_context(ws_a.tenant):
        quotation = sales_order_create(actor=ws_a.users["owner"], party=customer,
                                       lines=[{"product": product, "quantity": 4}])
    client = client_for(ws_a, ws_a.users["member"], lang="en")
    # when
    response = client.post(f"/erp/sales/{quotation.pk}/confirm/")
    # then
    with tenant_context(ws_a.tenant):
        confirmed = SalesOrder.objects.get(pk=quotation.pk)
        picking = confirmed.pickings.get(kind=Picking.Kind.DELIVERY)
    assert response.status_code == 302 and confirmed.state == "confirmed"
    page = client.get(f"/erp/sales/{quotation.pk}/").content.decode()
    assert picking.number in page and 'data-col="reserved">4<' in page and 'data-col="left">4<' in page


def test_a_viewer_reads_orders_but_cannot_write_or_confirm(ws_a, water):
    # given
    product, customer = water
    with tenant_context(ws_a.tenant):
        quotation = sales_order_create(actor=ws_a.users["owner"], party=customer,
                                       lines=[{"product": product, "quantity": 1}])
    client = client_for(ws_a, ws_a.users["viewer"], lang="en")
    # when
    listing = client.get("/erp/sales/")
    detail = client.get(f"/erp/sales/{quotation.pk}/")
    confirm = client.post(f"/erp/sales/{quotation.pk}/confirm/")
    new = client.get("/erp/sales/new/")
    # then
    assert (listing.status_code, detail.status_code, confirm.status_code, new.status_code) == (200, 200, 403, 403)
    assert 'data-testid="confirm-order"' not in detail.content.decode()
    with tenant_context(ws_a.tenant):
        assert SalesOrder.objects.get(pk=quotation.pk).state == "quotation"


def test_starter_gets_402_and_a_locked_menu_entry(ws_a):
    # given
    client = client_for(ws_a, ws_a.users["owner"], lang="en")
    growth_menu = client.get("/").content.decode()
    # when
    on_plan(ws_a.tenant, "starter")
    on_starter = client.get("/erp/sales/")
    # then
    assert 'data-nav="sales"' in growth_menu and 'data-locked="sales"' not in growth_menu
    assert on_starter.status_code == 402
    assert 'data-locked="sales"' in client.get("/").content.decode()


def test_an_order_of_workspace_b_is_not_found_on_as_host(ws_a, ws_b):
    # given
    with tenant_context(ws_b.tenant):
        product = goods(ws_b.users["owner"])
        theirs = sales_order_create(actor=ws_b.users["owner"], party=PartyFactory(),
                                    lines=[{"product": product, "quantity": 1}])
    client = client_for(ws_a, ws_a.users["owner"], lang="en")
    # when
    pages = [client.get(f"/erp/sales/{theirs.pk}/"), client.get(f"/erp/sales/{theirs.pk}/pdf/"),
             client.post(f"/erp/sales/{theirs.pk}/confirm/")]
    # then
    assert [page.status_code for page in pages] == [404, 404, 404]
    with tenant_context(ws_b.tenant):
        assert SalesOrder.objects.get(pk=theirs.pk).state == "quotation"


def _list_queries(client, path="/erp/sales/") -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_order_list_costs_the_same_queries_for_2_or_12_orders(ws_a):
    # given
    owner = ws_a.users["owner"]
    client = client_for(ws_a, owner, lang="en")
    with tenant_context(ws_a.tenant):
        product = goods(owner)
        stock(owner, product, 100)
        for _index in range(2):
            order(owner, [(product, 1)])
    client.get("/erp/sales/")  # warm caches (entitlements, session)
    few = _list_queries(client)
    with tenant_context(ws_a.tenant):
        for index in range(10):
            order(owner, [(product, 2)], confirm=bool(index % 2))
    # when
    many = _list_queries(client)
    # then
    assert many == few


def test_tabs_and_search_by_customer_without_accents_and_delivery_status(ws_a, water):
    # given: an order to deliver for Đông Á, a quotation for someone else
    product, customer = water
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        to_deliver = order(owner, [(product, 4)], party=customer)
        quotation = order(owner, [(product, 1)], party=PartyFactory(name="Cửa hàng Minh"), confirm=False)
    client = client_for(ws_a, owner, lang="en")
    # when
    by_name = client.get("/erp/sales/?q=dong a").content.decode()
    quotations = client.get("/erp/sales/?tab=quotations").content.decode()
    deliveries = client.get("/erp/sales/?tab=to_deliver").content.decode()
    # then
    assert to_deliver.number in by_name and quotation.number not in by_name
    assert quotation.number in quotations and to_deliver.number not in quotations
    assert to_deliver.number in deliveries and 'data-delivery="none"' in deliveries


def test_the_check_shows_stock_available_and_the_price_for_the_quantity(ws_a, water):
    # given: 10 in stock, 4 reserved by a confirmed order
    product, customer = water
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        order(owner, [(product, 4)])
        box = Unit.objects.get(code="hop")
    client = client_for(ws_a, ws_a.users["member"], lang="en")
    # when
    enough = client.get("/erp/sales/lines/check/", {"product": product.pk, "quantity": "5", "party": customer.pk})
    two_boxes = client.get("/erp/sales/lines/check/", {
        "product": product.pk, "quantity": "2", "unit": box.pk, "party": customer.pk})
    # then
    assert enough.status_code == 200
    assert 'data-available="6.000"' in enough.content.decode() and 'data-short=""' in enough.content.decode()
    assert 'data-price="4500"' in enough.content.decode()
    body = two_boxes.content.decode()
    assert 'data-short="1"' in body and 'data-price="48000"' in body  # 24 pieces: 4,000 each, 48,000 a box


def test_a_line_redrawn_for_its_product_takes_the_list_price_and_the_products_units(ws_a, water):
    # given
    product, customer = water
    client = client_for(ws_a, ws_a.users["member"], lang="en")
    # when: the product was just chosen on the second line
    response = client.post("/erp/sales/lines/row/", {
        **MANAGEMENT, "row": "1", "party": customer.pk, "currency": "VND",
        **_line(0, description="Khác", quantity="1"), **_line(1, product=product.pk, quantity="30")})
    # then
    body = response.content.decode()
    assert response.status_code == 200 and 'id="line-1"' in body
    assert 'name="lines-1-unit_price" id="id_lines-1-unit_price" value="4000' in body
    assert 'data-available="10.000"' in body and "Hộp" in body


def test_a_quantity_change_redraws_only_the_lines_check(ws_a, water):
    # given
    product, customer = water
    # when
    response = client_for(ws_a, ws_a.users["member"], lang="en").post("/erp/sales/lines/row/", {
        **MANAGEMENT, "lines-TOTAL_FORMS": "1", "row": "0", "part": "check", "party": customer.pk,
        "currency": "VND", **_line(0, product=product.pk, quantity="24", unit_price="4500", price_auto="1")})
    # then
    body = response.content.decode()
    assert 'data-price="4000"' in body and 'data-short="1"' in body and "<input" not in body


def test_a_typed_price_is_kept_when_the_line_is_redrawn(ws_a, water):
    product, customer = water
    response = client_for(ws_a, ws_a.users["member"], lang="en").post("/erp/sales/lines/row/", {
        **MANAGEMENT, "lines-TOTAL_FORMS": "1", "row": "0", "party": customer.pk, "currency": "VND",
        **_line(0, product=product.pk, quantity="30", unit_price="3900", price_auto="")})
    assert 'id="id_lines-0-unit_price" value="3900"' in response.content.decode()


def test_add_line_numbers_the_new_row_after_the_last(ws_a):
    client = client_for(ws_a, ws_a.users["member"], lang="en")
    response = client.get("/erp/sales/lines/new/", {"lines-TOTAL_FORMS": "3"})
    body = response.content.decode()
    assert 'id="line-3"' in body and 'name="lines-3-quantity"' in body
    assert 'id="id_lines-TOTAL_FORMS" value="4" hx-swap-oob="true"' in body


def test_the_pickers_find_customers_and_products_without_accents(ws_a, water):
    client = client_for(ws_a, ws_a.users["member"], lang="en")
    customers = client.get("/erp/sales/pick/customers/", {"party_q": "dong a"}).content.decode()
    products = client.get("/erp/sales/pick/products/", {"lines-0-product_q": "nuoc suoi"}).content.decode()
    assert "Công ty Đông Á" in customers and "NUOC-500 Nước suối 500ml" in products


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_pdf_is_served_with_the_unicode_font(ws_a, water, lang):
    # given
    product, customer = water
    with tenant_context(ws_a.tenant):
        quotation = sales_order_create(actor=ws_a.users["owner"], party=customer,
                                       lines=[{"product": product, "quantity": 3}])
    # when
    response = client_for(ws_a, ws_a.users["viewer"], lang="en").get(f"/erp/sales/{quotation.pk}/pdf/?lang={lang}")
    # then
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"DejaVuSans" in response.content
    assert f"{quotation.number}-{lang}.pdf" in response["Content-Disposition"]


def test_the_pdf_says_the_total_in_words_with_vat_per_rate(in_a):
    # given: 1,000,000 at 10% and 100,000 exempt-free at 0%... one rate each
    owner = in_a.users["owner"]
    ten, five = goods(owner, vat_code="10"), goods(owner, vat_code="5")
    customer = PartyFactory(name="Công ty Đông Á", tax_code="0101234567")
    quotation = sales_order_create(actor=owner, party=customer, lines=[
        {"product": ten, "quantity": 1, "unit_price": 1_000_000}, {"product": five, "quantity": 1,
                                                                   "unit_price": 0}])
    lines = selectors.order_lines(quotation)
    # when
    vi = pdf_document(order=quotation, lines=lines, seller_name="Workspace alpha", address="", lang="vi")
    en = pdf_document(order=quotation, lines=lines, seller_name="Workspace alpha", address="", lang="en")
    # then
    assert vi.words == "Bằng chữ: Một triệu một trăm nghìn đồng"
    assert en.words == "Say: One million one hundred thousand dong"
    assert vi.title == "BÁO GIÁ" and "Mã số thuế: 0101234567" in vi.buyer
    assert ("Tiền thuế GTGT 10%", "100.000 ₫") in vi.totals and ("VAT 10%", "100,000 ₫") in en.totals


def _party_page_queries(client, party) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/parties/{party.pk}/").status_code == 200
    return len(queries)


def test_the_party_page_lists_the_customers_orders_in_one_query(ws_a, water):
    # given
    product, customer = water
    owner = ws_a.users["owner"]
    client = client_for(ws_a, owner, lang="en")
    with tenant_context(ws_a.tenant):
        first = order(owner, [(product, 1)], party=customer)
    client.get(f"/parties/{customer.pk}/")
    one = _party_page_queries(client, customer)
    with tenant_context(ws_a.tenant):
        for _index in range(4):
            order(owner, [(product, 1)], party=customer, confirm=False)
    # when
    five = _party_page_queries(client, customer)
    page = client.get(f"/parties/{customer.pk}/").content.decode()
    # then
    assert five == one
    assert 'data-testid="party-sales-orders"' in page and first.number in page


def test_the_party_page_has_no_orders_section_without_sales_in_the_plan(ws_a, water):
    # given
    _product, customer = water
    client = client_for(ws_a, ws_a.users["owner"], lang="en")
    # when
    on_plan(ws_a.tenant, "starter")
    page = client.get(f"/parties/{customer.pk}/").content.decode()
    # then
    assert 'data-testid="party-sales-orders"' not in page


def test_the_party_orders_selector_is_one_query(in_a, django_assert_num_queries):
    customer = PartyFactory()
    with django_assert_num_queries(1):
        selectors.party_orders(party=customer)


def test_the_new_quotation_page_starts_with_three_lines_and_the_customer_asked_for(ws_a, water):
    # given
    _product, customer = water
    # when
    response = client_for(ws_a, ws_a.users["member"], lang="en").get(f"/erp/sales/new/?party={customer.pk}")
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="line-2"' in body and 'id="line-3"' not in body
    assert 'value="Công ty Đông Á"' in body and f'name="party" id="id_party" value="{customer.pk}"' in body


def test_send_then_cancel_through_the_buttons_and_an_order_delivered_in_part_cannot_be_edited(ws_a, water):
    # given
    product, customer = water
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        quotation = order(owner, [(product, 1)], party=customer, confirm=False)
        confirmed = order(owner, [(product, 2)], party=customer)
    client = client_for(ws_a, ws_a.users["member"], lang="en")
    # when
    client.post(f"/erp/sales/{quotation.pk}/send/")
    with tenant_context(ws_a.tenant):
        sent_state = SalesOrder.objects.get(pk=quotation.pk).state
    client.post(f"/erp/sales/{quotation.pk}/cancel/")
    edit_confirmed = client.get(f"/erp/sales/{confirmed.pk}/edit/")
    # then
    with tenant_context(ws_a.tenant):
        assert (sent_state, SalesOrder.objects.get(pk=quotation.pk).state) == ("sent", "cancelled")
    assert edit_confirmed.status_code == 302 and edit_confirmed["Location"] == f"/erp/sales/{confirmed.pk}/"


def test_a_short_order_reserves_again_once_stock_arrives_and_closes_with_what_was_delivered(ws_a, water):
    # given: 12 ordered, 10 in stock (reserved), 10 delivered; then 1 more arrives
    product, customer = water
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        short = order(owner, [(product, 12)], party=customer)
        delivery = short.pickings.get(state=Picking.State.READY)
        picking_validate(actor=owner, picking=delivery, done={delivery.lines.get().pk: Decimal(10)})
        stock(owner, product, 1)
    client = client_for(ws_a, ws_a.users["member"], lang="en")
    page = client.get(f"/erp/sales/{short.pk}/").content.decode()
    # when
    client.post(f"/erp/sales/{short.pk}/reserve/")
    with tenant_context(ws_a.tenant):
        reserved = short.lines.get().qty_reserved
    client.post(f"/erp/sales/{short.pk}/close/")
    # then
    assert 'data-testid="reserve-order"' in page and 'data-testid="close-order"' in page
    assert 'data-testid="cancel-order"' not in page
    with tenant_context(ws_a.tenant):
        line = short.lines.get()
        assert (reserved, line.qty_reserved, line.qty_delivered) == (1, 0, 10)
        assert SalesOrder.objects.get(pk=short.pk).state == "done"
