"""Purchasing (Scale): RFQ -> purchase order -> partial receipts that add up, receipt costs, cancelling, purchase
suggestions from reorder rules and short sales orders (with what is already coming), RFQs grouped by supplier,
the supplier check, plan gates, the list's query count, the pages, and isolation between workspaces."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from billing.errors import BillingError
from modules.erp.catalog.models import Unit
from modules.erp.catalog.services import product_unit_add
from modules.erp.errors import ErpError
from modules.erp.inventory.models import Picking, StockMove
from modules.erp.inventory.services import picking_validate, reorder_rule_set
from modules.erp.purchasing import selectors, services
from modules.erp.purchasing.models import PurchaseOrder
from tests.conftest import client_for
from tests.crm.factories import PartyFactory
from tests.erp.factories import goods, main_warehouse, on_plan, order, stock


@pytest.fixture
def scale_a(in_a):
    on_plan(in_a.tenant, "scale")
    return in_a


def _supplier(name="Nhà cung cấp An Phát"):
    return PartyFactory(name=name, is_supplier=True, is_customer=False)


def _rfq(owner, supplier, product, quantity, **fields):
    return services.purchase_order_create(actor=owner, supplier=supplier,
                                          lines=[{"product": product, "quantity": Decimal(quantity)}], **fields)


def _by_product(suggestions):
    return {item.product.pk: item for item in suggestions}


# --- RFQ -> purchase order -> receipts ---------------------------------------------------------------------------

def test_an_rfq_is_priced_from_the_supplier_and_numbered(scale_a):
    # given
    owner, supplier = scale_a.users["owner"], _supplier()
    product = goods(owner, vat_code="10")
    services.supplier_price_set(actor=owner, product=product, supplier=supplier, price=50000)
    services.supplier_price_set(actor=owner, product=product, supplier=supplier, price=45000, min_quantity=100)
    # when
    small = _rfq(owner, supplier, product, 10)
    large = _rfq(owner, supplier, product, 120)
    # then
    assert (small.state, small.number[:2], large.number > small.number) == ("rfq", "PO", True)
    assert small.lines.get().unit_price == Decimal(50000) and large.lines.get().unit_price == Decimal(45000)
    assert (small.amount_untaxed, small.amount_tax, small.amount_total) == (
        Decimal(500000), Decimal(50000), Decimal(550000))


def test_two_partial_receipts_add_up_and_close_the_order(scale_a):
    # given
    owner, supplier = scale_a.users["owner"], _supplier()
    product = goods(owner)
    rfq = _rfq(owner, supplier, product, 10)
    services.purchase_order_send(actor=owner, order=rfq)
    # when
    confirmed = services.purchase_order_confirm(actor=owner, order=rfq)
    receipt = confirmed.pickings.get()
    backorder = picking_validate(actor=owner, picking=receipt, done={receipt.lines.get().pk: Decimal(4)})
    line = rfq.lines.get()
    after_first = (line.qty_received, line.qty_open, PurchaseOrder.objects.get(pk=rfq.pk).state)
    rest = picking_validate(actor=owner, picking=backorder)
    line.refresh_from_db()
    # then
    assert (confirmed.state, receipt.kind, receipt.purchase_order_id) == ("confirmed", "receipt", rfq.pk)
    assert after_first == (Decimal(4), Decimal(6), "confirmed")
    assert backorder.backorder_of_id == receipt.pk and backorder.lines.get().quantity == Decimal(6)
    assert rest is None and (line.qty_received, line.qty_open) == (Decimal(10), Decimal(0))
    assert PurchaseOrder.objects.get(pk=rfq.pk).state == "done"
    assert sum(move.quantity for move in StockMove.objects.filter(product=product)) == Decimal(10)


def test_the_receipt_costs_the_net_price_per_base_unit_in_vnd(scale_a):
    # given a box of 12 at 120 USD less 10%, at 25,000 VND per USD
    owner, supplier = scale_a.users["owner"], _supplier()
    product = goods(owner)
    box = Unit.objects.get(code="hop")
    product_unit_add(product=product, unit=box, factor=12, actor=owner)
    rfq = services.purchase_order_create(actor=owner, supplier=supplier, currency="USD", exchange_rate=25000, lines=[
        {"product": product, "quantity": 2, "unit": box, "unit_price": Decimal(120), "discount_percent": 10}])
    # when
    services.purchase_order_confirm(actor=owner, order=rfq)
    # then: 120 * 0.9 / 12 * 25,000 = 225,000 VND per piece, for 24 pieces
    receipt_line = Picking.objects.get(purchase_order=rfq).lines.get()
    assert (receipt_line.quantity, receipt_line.unit_cost) == (Decimal(24), Decimal(225000))


def test_an_order_is_cancelled_with_its_receipt_until_something_arrives(scale_a):
    # given
    owner, supplier = scale_a.users["owner"], _supplier()
    product = goods(owner)
    untouched = services.purchase_order_confirm(actor=owner, order=_rfq(owner, supplier, product, 5))
    partly = services.purchase_order_confirm(actor=owner, order=_rfq(owner, supplier, product, 5))
    receipt = partly.pickings.get()
    picking_validate(actor=owner, picking=receipt, done={receipt.lines.get().pk: Decimal(2)})
    # when
    cancelled = services.purchase_order_cancel(actor=owner, order=untouched)
    with pytest.raises(ErpError) as error:
        services.purchase_order_cancel(actor=owner, order=partly)
    # then
    assert cancelled.state == "cancelled" and untouched.pickings.get().state == "cancelled"
    assert error.value.code == "order_received"


def test_a_partly_received_order_is_closed_with_what_arrived(scale_a):
    # given: 5 ordered, 2 received, 3 on a backorder receipt
    owner, supplier = scale_a.users["owner"], _supplier()
    product = goods(owner)
    partly = services.purchase_order_confirm(actor=owner, order=_rfq(owner, supplier, product, 5))
    receipt = partly.pickings.get()
    backorder = picking_validate(actor=owner, picking=receipt, done={receipt.lines.get().pk: Decimal(2)})
    # when
    closed = services.purchase_order_close(actor=owner, order=partly)
    # then
    backorder.refresh_from_db()
    assert (closed.state, backorder.state, closed.lines.get().qty_received) == ("done", "cancelled", 2)


def test_only_a_request_for_quotation_can_be_changed(scale_a):
    # given
    owner, supplier = scale_a.users["owner"], _supplier()
    product = goods(owner)
    rfq = _rfq(owner, supplier, product, 5)
    # when
    updated = services.purchase_order_update(actor=owner, order=rfq, lines=[
        {"product": product, "quantity": 8, "unit_price": 1000}], note="Giao buổi sáng")
    services.purchase_order_confirm(actor=owner, order=rfq)
    with pytest.raises(ErpError) as error:
        services.purchase_order_update(actor=owner, order=rfq, note="x")
    # then
    assert (updated.amount_untaxed, updated.note, rfq.lines.get().quantity) == (Decimal(8000), "Giao buổi sáng",
                                                                                 Decimal(8))
    assert error.value.code == "order_not_editable"


def test_a_party_that_is_not_a_supplier_is_refused(scale_a):
    # given
    owner = scale_a.users["owner"]
    customer = PartyFactory(is_customer=True, is_supplier=False)
    product = goods(owner)
    # when
    with pytest.raises(ErpError) as on_order:
        _rfq(owner, customer, product, 1)
    with pytest.raises(ErpError) as on_price:
        services.supplier_price_set(actor=owner, product=product, supplier=customer, price=1)
    # then
    assert (on_order.value.code, on_price.value.code) == ("not_a_supplier", "not_a_supplier")
    assert not PurchaseOrder.objects.exists()


# --- purchase suggestions ----------------------------------------------------------------------------------------

def test_a_reorder_rule_suggests_refilling_to_the_maximum_counting_what_is_coming(scale_a):
    # given 4 on hand and 3 requested, under a 10-50 rule; a second product sits above its minimum
    owner, supplier = scale_a.users["owner"], _supplier()
    low, fine = goods(owner, name="Ốc vít"), goods(owner, name="Bu lông")
    for product in (low, fine):
        services.supplier_price_set(actor=owner, product=product, supplier=supplier, price=700)
        reorder_rule_set(actor=owner, product=product, warehouse=main_warehouse(), min_quantity=10, max_quantity=50)
    stock(owner, low, 4)
    stock(owner, fine, 12)
    _rfq(owner, supplier, low, 3)
    # when
    suggestions = _by_product(selectors.purchase_suggestions())
    # then: 50 - (4 + 3)
    item = suggestions[low.pk]
    assert set(suggestions) == {low.pk}
    assert (item.quantity, item.reasons, item.available, item.incoming) == (Decimal(43), ["reorder"], Decimal(4),
                                                                            Decimal(3))
    assert (item.supplier.pk, item.price) == (supplier.pk, Decimal(700))


def test_a_short_sales_order_suggests_what_stock_and_incoming_do_not_cover(scale_a):
    # given 5 in stock, a confirmed sales order of 20 (5 reserved, 15 short) and 6 already ordered
    owner, supplier = scale_a.users["owner"], _supplier()
    product = goods(owner)
    stock(owner, product, 5)
    order(owner, [(product, 20)])
    services.purchase_order_confirm(actor=owner, order=_rfq(owner, supplier, product, 6))
    # when
    item = _by_product(selectors.purchase_suggestions())[product.pk]
    # then: 15 short - 6 coming
    assert (item.quantity, item.reasons, item.short, item.incoming) == (Decimal(9), ["sales"], Decimal(15), Decimal(6))
    assert item.supplier is None


def test_a_rule_and_a_short_order_share_the_incoming_once(scale_a):
    # given nothing on hand, a 5-20 rule, a confirmed sales order of 8 and 4 requested
    owner, supplier = scale_a.users["owner"], _supplier()
    product = goods(owner)
    reorder_rule_set(actor=owner, product=product, warehouse=main_warehouse(), min_quantity=5, max_quantity=20)
    order(owner, [(product, 8)])
    _rfq(owner, supplier, product, 4)
    # when
    item = _by_product(selectors.purchase_suggestions())[product.pk]
    # then: refill to 20 after serving the 8 short, less the 4 coming: 20 - (0 + 4 - 8) = 24
    assert (item.quantity, item.reasons) == (Decimal(24), ["reorder", "sales"])


def test_suggestions_cost_the_same_queries_for_1_or_8_products(scale_a):
    # given
    owner, supplier = scale_a.users["owner"], _supplier()

    def add_products(count):
        for _index in range(count):
            product = goods(owner)
            services.supplier_price_set(actor=owner, product=product, supplier=supplier, price=100)
            reorder_rule_set(actor=owner, product=product, warehouse=main_warehouse(), min_quantity=1,
                             max_quantity=5)
            order(owner, [(product, 2)])

    add_products(1)
    with CaptureQueriesContext(connection) as few:
        assert len(selectors.purchase_suggestions()) == 1
    add_products(7)
    # when
    with CaptureQueriesContext(connection) as many:
        assert len(selectors.purchase_suggestions()) == 8
    # then
    assert len(many) == len(few)


def test_suggestions_become_one_rfq_per_supplier_and_report_products_without_one(scale_a):
    # given
    owner = scale_a.users["owner"]
    first, second, backup = _supplier("An Phát"), _supplier("Bình Minh"), _supplier("Dự phòng")
    nails, screws, glue, orphan = (goods(owner, name=name) for name in ("Đinh", "Vít", "Keo", "Không nguồn"))
    services.supplier_price_set(actor=owner, product=nails, supplier=first, price=100)
    services.supplier_price_set(actor=owner, product=nails, supplier=backup, price=90)  # second by position
    services.supplier_price_set(actor=owner, product=screws, supplier=first, price=200)
    services.supplier_price_set(actor=owner, product=glue, supplier=second, price=300)
    items = [{"product": product, "quantity": Decimal(quantity)}
             for product, quantity in ((nails, 10), (screws, 20), (glue, 5), (orphan, 1))]
    # when
    result = services.purchase_orders_from_suggestions(actor=owner, items=items)
    # then
    lines = {order.party_id: sorted((line.product_id, line.quantity, line.unit_price) for line in order.lines.all())
             for order in result.orders}
    assert lines == {first.pk: sorted([(nails.pk, Decimal(10), Decimal(100)), (screws.pk, Decimal(20), Decimal(200))]),
                     second.pk: [(glue.pk, Decimal(5), Decimal(300))]}
    assert {order.state for order in result.orders} == {"rfq"}
    assert [product.pk for product in result.without_supplier] == [orphan.pk]


# --- gates, pages, isolation -------------------------------------------------------------------------------------

def test_growth_gets_the_upgrade_page_and_the_services_refuse(ws_a):
    # given workspace A on Growth
    client = client_for(ws_a, ws_a.users["owner"])
    # when
    page = client.get("/erp/purchasing/")
    menu = client.get("/").content.decode()
    with tenant_context(ws_a.tenant), pytest.raises(BillingError) as error:
        _rfq(ws_a.users["owner"], _supplier(), goods(ws_a.users["owner"]), 1)
    # then
    assert page.status_code == 402
    assert 'data-locked="purchasing"' in menu
    assert error.value.code == "feature_not_in_plan"


PAGES = ["/erp/purchasing/", "/erp/purchasing/new/", "/erp/purchasing/suggestions/",
         "/erp/purchasing/supplier-prices/"]


@pytest.mark.parametrize("path", PAGES)
def test_scale_opens_the_purchasing_pages(ws_a, path):
    on_plan(ws_a.tenant, "scale")
    assert client_for(ws_a, ws_a.users["member"]).get(path).status_code == 200


def test_an_rfq_is_written_confirmed_and_shows_what_is_left_through_the_pages(ws_a):
    # given
    on_plan(ws_a.tenant, "scale")
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        supplier, product = _supplier(), goods(owner)
        services.supplier_price_set(actor=owner, product=product, supplier=supplier, price=15000)
        warehouse = main_warehouse()
    client = client_for(ws_a, ws_a.users["member"])
    form = {"supplier": supplier.pk, "warehouse": warehouse.pk, "currency": "VND", "exchange_rate": "1",
            "order_date": "2026-11-27", "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0",
            "lines-0-product": product.pk, "lines-0-quantity": "12", "lines-1-product": ""}
    # when
    created = client.post("/erp/purchasing/new/", form)
    with tenant_context(ws_a.tenant):
        rfq = PurchaseOrder.objects.get()
    confirmed = client.post(f"/erp/purchasing/{rfq.pk}/confirm/")
    with tenant_context(ws_a.tenant):
        receipt = rfq.pickings.get()
        picking_validate(actor=owner, picking=receipt, done={receipt.lines.get().pk: Decimal(5)})
    detail = client.get(f"/erp/purchasing/{rfq.pk}/").content.decode()
    party_page = client_for(ws_a, owner).get(f"/parties/{supplier.pk}/").content.decode()
    # then
    assert created.status_code == 302 and confirmed.status_code == 302
    assert rfq.lines.get().unit_price == Decimal(15000)
    assert 'data-testid="received">5 ' in detail and 'data-testid="left">7 ' in detail
    assert receipt.number in detail
    assert 'data-testid="party-purchase-orders"' in party_page and rfq.number in party_page


def test_the_order_form_names_a_non_supplier_as_an_error(ws_a):
    # given
    on_plan(ws_a.tenant, "scale")
    with tenant_context(ws_a.tenant):
        customer, product = PartyFactory(is_supplier=False), goods(ws_a.users["owner"])
    client = client_for(ws_a, ws_a.users["member"])
    # when
    response = client.post("/erp/purchasing/new/", {
        "supplier": customer.pk, "currency": "VND", "exchange_rate": "1", "order_date": "2026-11-27",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-0-product": product.pk, "lines-0-quantity": "1"})
    # then: the picker lists suppliers only, so the form refuses the choice
    assert response.status_code == 400 and 'data-error="supplier"' in response.content.decode()


def test_a_line_error_from_the_service_lands_on_its_row(ws_a):
    # given a product bought by the piece only, and a blank first row
    on_plan(ws_a.tenant, "scale")
    with tenant_context(ws_a.tenant):
        supplier, product, box = _supplier(), goods(ws_a.users["owner"]), Unit.objects.get(code="hop")
        warehouse = main_warehouse()
    client = client_for(ws_a, ws_a.users["member"])
    # when
    response = client.post("/erp/purchasing/new/", {
        "supplier": supplier.pk, "warehouse": warehouse.pk, "currency": "VND", "exchange_rate": "1",
        "order_date": "2026-11-27", "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0", "lines-1-product": product.pk,
        "lines-1-quantity": "2", "lines-1-unit": box.pk})
    # then
    assert response.status_code == 400 and 'data-error="lines-1-unit"' in response.content.decode()


def test_an_rfq_is_edited_through_its_form_until_confirmed(ws_a):
    # given
    on_plan(ws_a.tenant, "scale")
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        supplier, product = _supplier(), goods(owner)
        rfq = _rfq(owner, supplier, product, 3)
        warehouse = main_warehouse()
    client = client_for(ws_a, owner)
    form = {"supplier": supplier.pk, "warehouse": warehouse.pk, "currency": "VND", "exchange_rate": "1",
            "order_date": "2026-11-27", "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1",
            "lines-0-product": product.pk, "lines-0-quantity": "7", "lines-0-unit_price": "2500"}
    # when
    page = client.get(f"/erp/purchasing/{rfq.pk}/edit/")
    saved = client.post(f"/erp/purchasing/{rfq.pk}/edit/", form)
    client.post(f"/erp/purchasing/{rfq.pk}/confirm/")
    refused = client.get(f"/erp/purchasing/{rfq.pk}/edit/")
    # then
    assert page.status_code == 200 and saved.status_code == 302 and refused.status_code == 302
    with tenant_context(ws_a.tenant):
        rfq.refresh_from_db()
        assert (rfq.state, rfq.amount_untaxed, rfq.lines.get().quantity) == ("confirmed", Decimal(17500), Decimal(7))


def test_a_viewer_reads_but_cannot_confirm(ws_a):
    # given
    on_plan(ws_a.tenant, "scale")
    with tenant_context(ws_a.tenant):
        rfq = _rfq(ws_a.users["owner"], _supplier(), goods(ws_a.users["owner"]), 1)
    client = client_for(ws_a, ws_a.users["viewer"])
    # when
    detail = client.get(f"/erp/purchasing/{rfq.pk}/")
    confirm = client.post(f"/erp/purchasing/{rfq.pk}/confirm/")
    # then
    assert detail.status_code == 200 and 'data-testid="order-confirm"' not in detail.content.decode()
    assert confirm.status_code == 403


def test_suggestions_page_creates_the_ticked_rfqs(ws_a):
    # given
    on_plan(ws_a.tenant, "scale")
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        supplier, product = _supplier(), goods(owner)
        services.supplier_price_set(actor=owner, product=product, supplier=supplier, price=100)
        reorder_rule_set(actor=owner, product=product, warehouse=main_warehouse(), min_quantity=2, max_quantity=10)
        key = f"{product.pk}-{main_warehouse().pk}"
    client = client_for(ws_a, owner)
    # when
    page = client.get("/erp/purchasing/suggestions/").content.decode()
    response = client.post("/erp/purchasing/suggestions/", {"pick": key, f"qty-{key}": "12"})
    # then
    with tenant_context(ws_a.tenant):
        line = PurchaseOrder.objects.get(party=supplier).lines.get()
    assert f'data-suggestion="{key}"' in page
    assert response.status_code == 302 and line.quantity == Decimal(12)


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/erp/purchasing/").status_code == 200
    return len(queries)


def test_the_order_list_costs_the_same_queries_for_2_or_12_orders(ws_a):
    # given
    on_plan(ws_a.tenant, "scale")
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        product = goods(owner)
        for index in range(2):
            _rfq(owner, _supplier(f"NCC {index}"), product, 1)
    client = client_for(ws_a, owner)
    client.get("/erp/purchasing/")  # warm caches (entitlements, session)
    few = _list_queries(client)
    with tenant_context(ws_a.tenant):
        for index in range(10):
            services.purchase_order_confirm(actor=owner, order=_rfq(owner, _supplier(f"NCC B{index}"), product, 2))
    # when
    many = _list_queries(client)
    # then
    assert many == few


def test_workspace_b_orders_are_not_found_on_a(ws_a, ws_b):
    # given an order in B, none in A
    on_plan(ws_b.tenant, "scale")
    on_plan(ws_a.tenant, "scale")
    with tenant_context(ws_b.tenant):
        theirs = _rfq(ws_b.users["owner"], _supplier(), goods(ws_b.users["owner"]), 1)
    client = client_for(ws_a, ws_a.users["owner"])
    # when
    detail = client.get(f"/erp/purchasing/{theirs.pk}/")
    confirm = client.post(f"/erp/purchasing/{theirs.pk}/confirm/")
    # then
    assert (detail.status_code, confirm.status_code) == (404, 404)
    with tenant_context(ws_b.tenant):
        assert PurchaseOrder.objects.get(pk=theirs.pk).state == "rfq"


def test_the_close_button_closes_a_partly_received_order(scale_a):
    # given
    owner, supplier = scale_a.users["owner"], _supplier()
    partly = services.purchase_order_confirm(actor=owner, order=_rfq(owner, supplier, goods(owner), 5))
    receipt = partly.pickings.get()
    picking_validate(actor=owner, picking=receipt, done={receipt.lines.get().pk: Decimal(2)})
    client = client_for(scale_a, owner)
    # when
    page = client.get(f"/erp/purchasing/{partly.pk}/")
    response = client.post(f"/erp/purchasing/{partly.pk}/close/")
    # then
    partly.refresh_from_db()
    assert b'data-testid="order-close"' in page.content
    assert (response.status_code, partly.state) == (302, "done")
