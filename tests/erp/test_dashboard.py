"""The ERP overview at /erp/: stock value by category, low stock, deliveries due, sales by month, purchase
suggestions on Scale; empty states; gates and menu; a fixed number of queries."""

import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from modules.erp.catalog.models import Product
from modules.erp.catalog.services import category_create
from modules.erp.inventory.services import reorder_rule_set
from modules.erp.sales.services import sales_order_confirm, sales_order_create
from tests.conftest import client_for
from tests.crm.factories import PartyFactory
from tests.erp.factories import goods, main_warehouse, on_plan, order, stock


def _sale(actor, product, quantity, *, price, order_date=None, commitment_date=None, confirm=True):
    sales_order = sales_order_create(actor=actor, party=PartyFactory(), order_date=order_date,
                                     commitment_date=commitment_date,
                                     lines=[{"product": product, "quantity": Decimal(quantity), "unit_price": price}])
    return sales_order_confirm(actor=actor, order=sales_order) if confirm else sales_order


def _shop(owner):
    """Drinks in stock, one item below its rule, one sold out with an order waiting, sales over two months."""
    drinks = category_create(name="Đồ uống", actor=owner)
    water = goods(owner, sku="NUOC", name="Nước suối", category=drinks)
    stock(owner, water, 10, unit_cost=1000)  # 10,000
    cola = goods(owner, sku="COLA", name="Cola", category=drinks)
    stock(owner, cola, 4, unit_cost=2500)  # 10,000
    bags = goods(owner, sku="TUI", name="Túi giấy")
    stock(owner, bags, 100, unit_cost=50)  # 5,000, no category
    goods(owner, sku="TRA", name="Trà xanh")  # sold out, ordered below
    reorder_rule_set(actor=owner, product=water, warehouse=main_warehouse(), min_quantity=20, max_quantity=50)
    return water, cola, bags


def test_the_overview_shows_stock_by_category_low_stock_deliveries_and_sales(ws_a):
    # given
    owner = ws_a.users["owner"]
    today = timezone.localdate()
    with tenant_context(ws_a.tenant):
        _water, cola, bags = _shop(owner)
        tea = Product.objects.get(sku="TRA")
        _sale(owner, tea, 3, price=20000)  # due today, nothing to reserve: waits for stock
        _sale(owner, cola, 1, price=15000, commitment_date=today - datetime.timedelta(days=2))  # overdue
        _sale(owner, bags, 5, price=1000, commitment_date=today + datetime.timedelta(days=3))  # not due yet
        later = today + datetime.timedelta(days=3)
        _sale(owner, bags, 10, price=1000, order_date=today - relativedelta(months=2), commitment_date=later)
        _sale(owner, bags, 10, price=99000, confirm=False)  # a quotation is no sale
        _sale(owner, bags, 10, price=99000, order_date=today - relativedelta(months=13), commitment_date=later)
    client = client_for(ws_a, owner, lang="en")
    # when
    response = client.get("/erp/")
    # then
    assert response.status_code == 200
    context = response.context
    assert [(str(row["name"]), row["value"]) for row in context["categories"]] == [
        ("Đồ uống", Decimal(20000)), ("No category", Decimal(5000))]
    assert [product.sku for product in context["low_stock"]] == ["NUOC", "TRA"]
    deliveries = context["deliveries"]
    assert (deliveries["total"], deliveries["overdue"]) == (2, 1)
    assert [(row.sales_order.lines.get().product.sku, row.is_overdue) for row in deliveries["rows"]] == [
        ("COLA", True), ("TRA", False)]
    amounts = [row["amount"] for row in context["sales_months"]]
    assert len(amounts) == 12 and amounts[-1] == Decimal(20000 * 3 + 15000 + 5000)
    assert amounts[-3] == Decimal(10000) and sum(amounts) == Decimal(20000 * 3 + 15000 + 5000 + 10000)
    page = response.content.decode()
    assert 'data-chart="erp-stock-chart"' in page and 'data-chart="erp-sales-chart"' in page
    assert 'data-low="TRA"' in page and 'data-testid="card-suggestions"' not in page


def test_an_order_in_dollars_counts_at_its_exchange_rate(in_a):
    # given
    from modules.erp.dashboard.selectors import sales_by_month
    owner = in_a.users["owner"]
    service = goods(owner, sku="SV", kind="service", currency="USD", price=Decimal(100))
    sales_order = sales_order_create(actor=owner, party=PartyFactory(), currency="USD", exchange_rate=Decimal(25000),
                                     lines=[{"product": service, "quantity": Decimal(2), "unit_price": Decimal(100)}])
    sales_order_confirm(actor=owner, order=sales_order)
    # when
    months = sales_by_month(timezone.localdate())
    # then
    assert months[-1]["amount"] == Decimal(5_000_000)


def _overview_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/erp/").status_code == 200
    return len(queries)


def test_the_overview_costs_the_same_queries_for_a_small_and_a_larger_shop(ws_a):
    # given: Scale, so the purchase suggestions run too
    owner = ws_a.users["owner"]
    on_plan(ws_a.tenant, "scale")
    today = timezone.localdate()
    with tenant_context(ws_a.tenant):
        _water, cola, _bags = _shop(owner)
        _sale(owner, cola, 1, price=15000)
    client = client_for(ws_a, owner, lang="en")
    client.get("/erp/")  # warm caches (entitlements, session)
    few = _overview_queries(client)
    with tenant_context(ws_a.tenant):
        snacks = category_create(name="Bánh kẹo", actor=owner)
        for index in range(12):
            product = goods(owner, sku=f"B-{index}", category=snacks)
            stock(owner, product, 5, unit_cost=3000)
            reorder_rule_set(actor=owner, product=product, warehouse=main_warehouse(), min_quantity=10,
                             max_quantity=20)
            order(owner, [(product, 2)])
            _sale(owner, product, 1, price=9000, order_date=today - relativedelta(months=index % 11))
    # when
    many = _overview_queries(client)
    # then
    assert many == few


def test_scale_shows_the_purchase_suggestions_count(ws_a):
    # given: water is under its minimum (10 < 20): one suggestion
    owner = ws_a.users["owner"]
    on_plan(ws_a.tenant, "scale")
    with tenant_context(ws_a.tenant):
        _shop(owner)
    # when
    response = client_for(ws_a, owner, lang="en").get("/erp/")
    # then
    assert response.status_code == 200
    assert response.context["suggestion_count"] == 1
    assert 'data-testid="card-suggestions"' in response.content.decode()


def test_a_new_workspace_is_told_what_to_do_first(ws_a):
    # when
    response = client_for(ws_a, ws_a.users["member"], lang="en").get("/erp/")
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="empty-catalog"' in page and 'href="/erp/catalog/products/new/"' in page
    assert 'href="/erp/inventory/#opening"' in page
    assert 'data-chart="erp-stock-chart"' not in page and 'data-chart="erp-sales-chart"' not in page


def test_viewers_see_the_overview_without_the_buttons_that_write(ws_a):
    # when
    response = client_for(ws_a, ws_a.users["viewer"], lang="en").get("/erp/")
    # then
    assert response.status_code == 200
    assert 'href="/erp/catalog/products/new/"' not in response.content.decode()


def test_starter_gets_402_and_a_locked_menu_entry_growth_has_the_entry(ws_a):
    # given
    client = client_for(ws_a, ws_a.users["owner"], lang="en")
    growth_menu = client.get("/").content.decode()
    on_plan(ws_a.tenant, "starter")
    # when
    on_starter = client.get("/erp/")
    starter_menu = client.get("/").content.decode()
    # then
    assert 'data-nav="erp"' in growth_menu and 'data-locked="erp"' not in growth_menu
    assert on_starter.status_code == 402
    assert 'data-locked="erp"' in starter_menu


def test_workspace_b_sees_none_of_workspace_as_stock(ws_a, ws_b):
    # given
    with tenant_context(ws_a.tenant):
        _shop(ws_a.users["owner"])
    # when
    response = client_for(ws_b, ws_b.users["owner"], lang="en").get("/erp/")
    # then
    assert response.context["categories"] == [] and response.context["low_stock"] == []
