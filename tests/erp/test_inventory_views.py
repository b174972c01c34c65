"""Inventory pages: they open for a member, viewers cannot write, plan gates per tier (reorder rules on Scale,
lots on Enterprise, a second warehouse), partial validation makes a backorder, counts, transfers, reversals,
opening stock, lot traceability, constant query counts on the lists, and workspace isolation."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from modules.erp.inventory.models import (
    Location,
    Lot,
    Picking,
    ReorderRule,
    StockCount,
    StockLevel,
    StockMove,
    Warehouse,
)
from modules.erp.inventory.services import (
    count_start,
    default_location,
    location_create,
    move_reverse,
    picking_create,
    reorder_rule_set,
)
from tests.conftest import client_for
from tests.crm.factories import PartyFactory
from tests.erp.factories import delivery_of, goods, main_warehouse, on_plan, order, stock

BASE = "/erp/inventory/"


def _client(ws, role: str):
    """A member's client reading English (the product defaults to Vietnamese), so messages can be asserted."""
    client = client_for(ws, ws.users[role])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client



def _receipt(owner, product, quantity, *, party=None, unit_cost=Decimal(2000)) -> Picking:
    return picking_create(actor=owner, kind=Picking.Kind.RECEIPT, warehouse=main_warehouse(), party=party, lines=[
        {"product": product, "quantity": Decimal(quantity), "unit_cost": unit_cost}])


def _on_hand(product) -> Decimal:
    return sum((level.on_hand for level in StockLevel.objects.filter(product=product)), start=Decimal(0))


PAGES = ["", "moves/", "operations/", "operations/?today=on", "operations/transfer/new/", "warehouses/", "counts/"]


@pytest.mark.parametrize("path", PAGES)
def test_the_empty_pages_open_for_a_member_on_growth(ws_a, path):
    response = _client(ws_a, "member").get(BASE + path)
    assert response.status_code == 200


def test_with_stock_every_page_shows_it(ws_a):
    # given a product with opening stock, a ready receipt and a count in progress
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        product = goods(owner, sku="NUOC-500")
        stock(owner, product, 10)
        receipt = _receipt(owner, product, 5)
        count = count_start(actor=owner, warehouse=main_warehouse())
    client = _client(ws_a, "member")
    # when
    pages = [client.get(BASE + path) for path in (
        "", "moves/", "operations/", f"operations/{receipt.pk}/", "counts/", f"counts/{count.pk}/")]
    # then
    assert [page.status_code for page in pages] == [200] * 6
    assert all("NUOC-500" in page.content.decode() for page in pages[:2] + pages[3:4] + pages[5:])
    assert receipt.number in pages[2].content.decode()
    assert 'data-testid="picking-validate"' in pages[3].content.decode()


def test_the_menu_shows_stock_on_growth_and_a_lock_on_starter(ws_a):
    # given
    client = _client(ws_a, "owner")
    # when
    growth = client.get("/").content.decode()
    on_plan(ws_a.tenant, "starter")
    starter_menu = client.get("/").content.decode()
    starter_page = client.get(BASE)
    # then
    assert 'data-nav="stock"' in growth and 'data-nav="stock_operations"' in growth
    assert 'data-locked="stock"' in starter_menu
    assert starter_page.status_code == 402


WRITES = ["opening/", "warehouses/new/", "warehouses/locations/new/", "counts/new/", "counts/1/", "counts/1/apply/",
          "counts/1/cancel/", "operations/transfer/new/", "operations/1/validate/", "operations/1/cancel/",
          "moves/1/reverse/"]


@pytest.mark.parametrize("path", WRITES)
def test_a_viewer_cannot_write(ws_a, path):
    response = _client(ws_a, "viewer").post(BASE + path, {})
    assert response.status_code == 403


def test_a_viewer_reads_without_write_buttons(ws_a):
    # given
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        product = goods(owner)
        stock(owner, product, 3)
        receipt = _receipt(owner, product, 2)
    client = _client(ws_a, "viewer")
    # when
    stock_page = client.get(BASE).content.decode()
    picking_page = client.get(f"{BASE}operations/{receipt.pk}/").content.decode()
    moves_page = client.get(f"{BASE}moves/").content.decode()
    # then
    assert 'data-testid="opening-form"' not in stock_page
    assert 'data-testid="picking-validate"' not in picking_page
    assert 'data-testid="reverse-' not in moves_page


def test_reorder_rules_are_locked_on_growth_and_open_on_scale(ws_a):
    # given
    client = _client(ws_a, "member")
    # when
    on_growth = client.get(f"{BASE}reorder-rules/")
    on_plan(ws_a.tenant, "scale")
    on_scale = client.get(f"{BASE}reorder-rules/")
    # then
    assert on_growth.status_code == 402 and 'data-testid="upgrade"' in on_growth.content.decode()
    assert on_scale.status_code == 200 and 'data-testid="reorder-empty"' in on_scale.content.decode()


def test_lots_are_locked_below_enterprise(ws_a):
    # given
    client = _client(ws_a, "member")
    on_plan(ws_a.tenant, "scale")
    # when
    on_scale = client.get(f"{BASE}lots/")
    on_plan(ws_a.tenant, "enterprise")
    on_enterprise = client.get(f"{BASE}lots/")
    # then
    assert on_scale.status_code == 402
    assert on_enterprise.status_code == 200 and 'data-testid="lot-empty"' in on_enterprise.content.decode()


def test_validating_part_of_a_receipt_leaves_a_backorder_with_a_link(ws_a):
    # given a receipt of 10
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        product = goods(owner)
        receipt = _receipt(owner, product, 10)
        line = receipt.lines.get()
    client = _client(ws_a, "member")
    # when 4 arrive
    response = client.post(f"{BASE}operations/{receipt.pk}/validate/", {f"done-{line.pk}": "4"}, follow=True)
    # then
    with tenant_context(ws_a.tenant):
        receipt.refresh_from_db()
        backorder = Picking.objects.get(backorder_of=receipt)
        assert (receipt.state, backorder.state) == (Picking.State.DONE, Picking.State.READY)
        assert backorder.lines.get().quantity == Decimal(6) and _on_hand(product) == Decimal(4)
    page = response.content.decode()
    assert f'href="/erp/inventory/operations/{backorder.pk}/" data-testid="backorder-link">{backorder.number}' in page
    assert 'data-testid="backorders"' in page


def test_validating_more_than_the_demand_is_refused_on_the_line(ws_a):
    # given
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        receipt = _receipt(owner, goods(owner), 2)
        line = receipt.lines.get()
    # when
    response = _client(ws_a, "owner").post(f"{BASE}operations/{receipt.pk}/validate/", {f"done-{line.pk}": "3"})
    # then
    assert response.status_code == 400 and 'class="field-error"' in response.content.decode()
    with tenant_context(ws_a.tenant):
        assert Picking.objects.get(pk=receipt.pk).state == Picking.State.READY


def test_a_delivery_short_of_stock_says_so_and_moves_nothing(ws_a):
    # given an order of 5 with 2 in stock
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        product = goods(owner)
        stock(owner, product, 2)
        delivery = delivery_of(order(owner, [(product, 5)]))
        line = delivery.lines.get()
    # when
    response = _client(ws_a, "owner").post(f"{BASE}operations/{delivery.pk}/validate/", {f"done-{line.pk}": "5"})
    # then
    assert response.status_code == 400 and "Not enough" in response.content.decode()
    with tenant_context(ws_a.tenant):
        assert _on_hand(product) == Decimal(2)


def test_an_internal_transfer_is_created_validated_and_cancellable(ws_a):
    # given 10 on the default location and a shelf
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        product = goods(owner)
        stock(owner, product, 10)
        source = default_location(main_warehouse())
        shelf = location_create(actor=owner, warehouse=main_warehouse(), code="A-01", name="Kệ A")
    client = _client(ws_a, "member")
    form = {"location_src": source.pk, "location_dest": shelf.pk, "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "0", "lines-0-product": product.pk, "lines-0-quantity": "3"}
    # when
    created = client.post(f"{BASE}operations/transfer/new/", form)
    second = client.post(f"{BASE}operations/transfer/new/", form)
    with tenant_context(ws_a.tenant):
        first_pk, second_pk = Picking.objects.filter(kind=Picking.Kind.INTERNAL).order_by("pk").values_list(
            "pk", flat=True)
        line = Picking.objects.get(pk=first_pk).lines.get()
    validated = client.post(f"{BASE}operations/{first_pk}/validate/", {f"done-{line.pk}": "3"})
    cancelled = client.post(f"{BASE}operations/{second_pk}/cancel/")
    # then
    assert [created.status_code, second.status_code, validated.status_code, cancelled.status_code] == [302] * 4
    with tenant_context(ws_a.tenant):
        assert StockLevel.objects.get(product=product, location=shelf).on_hand == Decimal(3)
        assert StockLevel.objects.get(product=product, location=source).on_hand == Decimal(7)
        assert Picking.objects.get(pk=second_pk).state == Picking.State.CANCELLED


def test_a_transfer_needs_a_line_and_two_locations(ws_a):
    # given
    with tenant_context(ws_a.tenant):
        source = default_location(main_warehouse())
    # when
    response = _client(ws_a, "member").post(f"{BASE}operations/transfer/new/", {
        "location_src": source.pk, "location_dest": source.pk, "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0"})
    # then
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose a location other than the source." in page and "Add at least one product to move." in page


def test_an_order_delivery_cannot_be_cancelled_from_the_operation(ws_a):
    # given
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        product = goods(owner)
        stock(owner, product, 2)
        delivery = delivery_of(order(owner, [(product, 1)]))
    # when
    response = _client(ws_a, "owner").post(f"{BASE}operations/{delivery.pk}/cancel/", follow=True)
    # then
    assert "cancel the order instead" in response.content.decode()
    with tenant_context(ws_a.tenant):
        assert Picking.objects.get(pk=delivery.pk).state == Picking.State.READY


def test_the_to_do_today_filter_keeps_ready_operations_due(ws_a):
    # given one receipt due today and one next month
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        product = goods(owner)
        due = _receipt(owner, product, 1)
        later = picking_create(actor=owner, kind=Picking.Kind.RECEIPT, warehouse=main_warehouse(),
                               scheduled_date=timezone.localdate() + datetime.timedelta(days=30),
                               lines=[{"product": product, "quantity": Decimal(1), "unit_cost": Decimal(1)}])
    # when
    page = _client(ws_a, "owner").get(f"{BASE}operations/?today=on").content.decode()
    # then
    assert f'data-picking="{due.pk}"' in page and f'data-picking="{later.pk}"' not in page


def test_a_second_warehouse_on_growth_shows_the_upgrade_path(ws_a):
    # given
    client = _client(ws_a, "owner")
    form = {"warehouse-code": "HCM", "warehouse-name": "Kho Hồ Chí Minh"}
    # when
    on_growth = client.post(f"{BASE}warehouses/new/", form)
    on_plan(ws_a.tenant, "scale")
    on_scale = client.post(f"{BASE}warehouses/new/", form)
    # then
    page = on_growth.content.decode()
    assert on_growth.status_code == 402
    assert 'data-testid="warehouse-error"' in page and 'href="/upgrade/erp.warehouses_multi/"' in page
    assert on_scale.status_code == 302
    with tenant_context(ws_a.tenant):
        assert Warehouse.objects.filter(code="HCM").exists()


def test_a_location_is_added_and_a_duplicate_code_refused(ws_a):
    # given
    with tenant_context(ws_a.tenant):
        warehouse = main_warehouse()
    client = _client(ws_a, "member")
    form = {"location-warehouse": warehouse.pk, "location-code": "B-02", "location-name": "Kệ B"}
    # when
    first = client.post(f"{BASE}warehouses/locations/new/", form)
    again = client.post(f"{BASE}warehouses/locations/new/", form)
    # then
    assert first.status_code == 302 and again.status_code == 400
    assert "already has a location with this code" in again.content.decode()
    with tenant_context(ws_a.tenant):
        assert Location.objects.filter(warehouse=warehouse, code="B-02").count() == 1


def test_opening_stock_from_the_stock_page(ws_a):
    # given
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        product = goods(owner, sku="GAO-01")
        location = default_location(main_warehouse())
    client = _client(ws_a, "member")
    # when
    response = client.post(f"{BASE}opening/", {"opening-product": product.pk, "opening-location": location.pk,
                                                "opening-quantity": "12", "opening-unit_cost": "15000"})
    page = client.get(BASE).content.decode()
    # then
    assert response.status_code == 302
    with tenant_context(ws_a.tenant):
        move = StockMove.objects.get(product=product)
        assert (move.kind, move.quantity, move.value) == (StockMove.Kind.OPENING, Decimal(12), Decimal(180000))
    assert "180.000" in page or "180,000" in page


def test_a_count_is_entered_applied_and_shows_its_adjustments(ws_a):
    # given 10 on the books
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        product = goods(owner)
        stock(owner, product, 10)
        warehouse = main_warehouse()
    client = _client(ws_a, "member")
    # when 8 are found
    started = client.post(f"{BASE}counts/new/", {"warehouse": warehouse.pk})
    with tenant_context(ws_a.tenant):
        count = StockCount.objects.get()
        line = count.lines.get()
    saved = client.post(f"{BASE}counts/{count.pk}/", {f"counted-{line.pk}": "8"})
    applied = client.post(f"{BASE}counts/{count.pk}/apply/")
    page = client.get(f"{BASE}counts/{count.pk}/").content.decode()
    # then
    assert [started.status_code, saved.status_code, applied.status_code] == [302] * 3
    assert 'data-testid="count-adjustments"' in page and "\u22122" in page
    with tenant_context(ws_a.tenant):
        assert _on_hand(product) == Decimal(8)


def test_a_cancelled_count_changes_nothing(ws_a):
    # given
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        product = goods(owner)
        stock(owner, product, 4)
        count = count_start(actor=owner, warehouse=main_warehouse())
    # when
    response = _client(ws_a, "owner").post(f"{BASE}counts/{count.pk}/cancel/")
    # then
    assert response.status_code == 302
    with tenant_context(ws_a.tenant):
        assert StockCount.objects.get(pk=count.pk).state == StockCount.State.CANCELLED
        assert _on_hand(product) == Decimal(4)


def test_a_move_is_reversed_once_from_the_ledger(ws_a):
    # given
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        product = goods(owner)
        move = stock(owner, product, 5)
    client = _client(ws_a, "member")
    # when
    first = client.post(f"{BASE}moves/{move.pk}/reverse/", {"next": f"{BASE}moves/?product={product.pk}"})
    again = client.post(f"{BASE}moves/{move.pk}/reverse/", follow=True)
    page = client.get(f"{BASE}moves/").content.decode()
    # then
    assert first.status_code == 302 and first["Location"] == f"{BASE}moves/?product={product.pk}"
    assert "already reversed" in again.content.decode()
    with tenant_context(ws_a.tenant):
        reversal = StockMove.objects.get(reversal_of=move)
        assert _on_hand(product) == Decimal(0)
    assert 'data-testid="reversed-by"' in page and 'data-testid="reversal-of"' in page
    assert f'data-testid="reverse-{move.pk}"' not in page and f'data-testid="reverse-{reversal.pk}"' not in page


def test_reorder_rules_are_set_flag_low_stock_and_are_deleted_on_scale(ws_a):
    # given 3 in stock
    owner = ws_a.users["owner"]
    on_plan(ws_a.tenant, "scale")
    with tenant_context(ws_a.tenant):
        product = goods(owner, sku="LOW-1")
        plenty = goods(owner, sku="PLENTY-1")
        stock(owner, product, 3)
        stock(owner, plenty, 50)
        warehouse = main_warehouse()
    client = _client(ws_a, "member")
    # when a minimum of 5 is set
    saved = client.post(f"{BASE}reorder-rules/", {"product": product.pk, "warehouse": warehouse.pk,
                                                   "min_quantity": "5", "max_quantity": "20"})
    low_page = client.get(f"{BASE}?low=1").content.decode()
    with tenant_context(ws_a.tenant):
        rule = ReorderRule.objects.get(product=product)
    deleted = client.post(f"{BASE}reorder-rules/{rule.pk}/delete/")
    # then
    assert saved.status_code == 302 and deleted.status_code == 302
    assert 'data-testid="low-stock"' in low_page
    assert f'data-product="{product.pk}"' in low_page and f'data-product="{plenty.pk}"' not in low_page
    with tenant_context(ws_a.tenant):
        assert not ReorderRule.objects.exists()


def test_a_lot_is_traced_from_its_supplier_to_its_customer_on_enterprise(ws_a):
    # given a lot-tracked product received from a supplier under lot L-2026-01
    owner = ws_a.users["owner"]
    on_plan(ws_a.tenant, "enterprise")
    with tenant_context(ws_a.tenant):
        product = goods(owner, sku="SUA-01", tracking="lot")
        supplier = PartyFactory(name="Công ty Sữa Ba Vì", is_supplier=True)
        customer = PartyFactory(name="Siêu thị Hà Nội")
        receipt = _receipt(owner, product, 10, party=supplier)
        line = receipt.lines.get()
    client = _client(ws_a, "member")
    form = client.get(f"{BASE}operations/{receipt.pk}/").content.decode()
    client.post(f"{BASE}operations/{receipt.pk}/validate/", {f"done-{line.pk}": "10", f"lot-{line.pk}": "L-2026-01"})
    # and 4 delivered to a customer
    with tenant_context(ws_a.tenant):
        sales_order = order(owner, [(product, 4)], party=customer)
        delivery = delivery_of(sales_order)
        delivery_line = delivery.lines.get()
    client.post(f"{BASE}operations/{delivery.pk}/validate/", {f"done-{delivery_line.pk}": "4"})
    with tenant_context(ws_a.tenant):
        lot = Lot.objects.get(product=product, code="L-2026-01")
    # when
    listing = client.get(f"{BASE}lots/?q=L-2026").content.decode()
    page = client.get(f"{BASE}lots/{lot.pk}/").content.decode()
    # then
    assert f'name="lot-{line.pk}"' in form
    assert f'data-lot="{lot.pk}"' in listing
    upstream, downstream = page.split('data-testid="lot-upstream"')[1].split('data-testid="lot-downstream"')
    assert "Công ty Sữa Ba Vì" in upstream and receipt.number in upstream
    assert "Siêu thị Hà Nội" in downstream and sales_order.number in downstream
    assert 'data-testid="lot-on-hand">6' in page


def test_lot_fields_stay_off_growth_until_a_product_is_tracked(ws_a):
    # given an untracked product on Growth
    owner = ws_a.users["owner"]
    client = _client(ws_a, "owner")
    with tenant_context(ws_a.tenant):
        goods(owner)
    untracked = client.get(BASE).content.decode()
    # when a tracked product remains (the workspace left Enterprise), its stock can still move
    with tenant_context(ws_a.tenant):
        receipt = _receipt(owner, goods(owner, tracking="serial"), 2)
        line = receipt.lines.get()
    tracked = client.get(BASE).content.decode()
    receipt_page = client.get(f"{BASE}operations/{receipt.pk}/").content.decode()
    validated = client.post(f"{BASE}operations/{receipt.pk}/validate/", {f"done-{line.pk}": "2",
                                                                          f"lot-{line.pk}": "SN-1 SN-2"})
    # then
    assert 'name="opening-lot_code"' not in untracked and 'name="opening-lot_code"' in tracked
    assert f'name="lot-{line.pk}"' in receipt_page and validated.status_code == 302
    with tenant_context(ws_a.tenant):
        assert set(Lot.objects.values_list("code", flat=True)) == {"SN-1", "SN-2"}


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def _stocked_products(owner, count: int, *, warehouse=None):
    for _index in range(count):
        product = goods(owner)
        stock(owner, product, 5)
        reorder_rule_set(actor=owner, product=product, warehouse=warehouse or main_warehouse(), min_quantity=10,
                         max_quantity=20)


def test_the_stock_list_costs_the_same_queries_for_2_or_12_products(ws_a):
    # given
    owner = ws_a.users["owner"]
    client = _client(ws_a, "owner")
    with tenant_context(ws_a.tenant):
        _stocked_products(owner, 2)
    client.get(BASE)  # warm caches (entitlements, session)
    few = _queries(client, BASE + "?low=1")
    with tenant_context(ws_a.tenant):
        _stocked_products(owner, 10)
    # when
    many = _queries(client, BASE + "?low=1")
    # then
    assert many == few


def _moves(owner, count: int):
    for _index in range(count):
        product = goods(owner)
        move = stock(owner, product, 2)
        move_reverse(actor=owner, move=move)


def test_the_move_ledger_costs_the_same_queries_for_4_or_24_moves(ws_a):
    # given
    owner = ws_a.users["owner"]
    client = _client(ws_a, "owner")
    with tenant_context(ws_a.tenant):
        _moves(owner, 2)
    client.get(BASE + "moves/")
    few = _queries(client, BASE + "moves/")
    with tenant_context(ws_a.tenant):
        _moves(owner, 10)
    # when
    many = _queries(client, BASE + "moves/")
    # then
    assert many == few


def test_the_operations_list_costs_the_same_queries_for_2_or_12_operations(ws_a):
    # given
    owner = ws_a.users["owner"]
    client = _client(ws_a, "owner")
    with tenant_context(ws_a.tenant):
        product = goods(owner)
        for _index in range(2):
            _receipt(owner, product, 1, party=PartyFactory())
    client.get(BASE + "operations/")
    few = _queries(client, BASE + "operations/")
    with tenant_context(ws_a.tenant):
        for _index in range(10):
            _receipt(owner, product, 1, party=PartyFactory())
    # when
    many = _queries(client, BASE + "operations/")
    # then
    assert many == few


def test_workspace_b_operation_is_not_found_on_a(ws_a, ws_b):
    # given a receipt in B only
    with tenant_context(ws_b.tenant):
        owner_b = ws_b.users["owner"]
        receipt = _receipt(owner_b, goods(owner_b), 3)
        line_pk = receipt.lines.get().pk
    client = _client(ws_a, "owner")
    # when
    shown = client.get(f"{BASE}operations/{receipt.pk}/")
    validated = client.post(f"{BASE}operations/{receipt.pk}/validate/", {f"done-{line_pk}": "3"})
    # then
    assert (shown.status_code, validated.status_code) == (404, 404)
    with tenant_context(ws_b.tenant):
        assert Picking.objects.get(pk=receipt.pk).state == Picking.State.READY
