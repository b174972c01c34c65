"""The catalog: VAT rates by date, unit conversion, price resolution, money rounding, product validation, the
gated pages and menu, the list's query count, the onboarding part and the checklist step."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from billing.services import subscription_change_plan
from modules.erp.catalog import selectors, services
from modules.erp.catalog.models import Product, ProductCategory, Unit
from modules.erp.errors import ErpError
from onboarding.checklist import checklist_for
from onboarding.models import OnboardingProfile
from onboarding.parts.catalog import catalog_template_apply
from onboarding.registry import template_apply
from tests.conftest import client_for
from tests.crm.factories import PartyFactory
from tests.erp.factories import on_plan

END_OF_CUT = datetime.date(2026, 12, 31)


def _product(owner, sku="SP-001", **fields):
    values = {"name": "Nước suối 500ml", "base_unit": Unit.objects.get(code="chiec"), "sale_price": Decimal(5000),
              **fields}
    return services.product_create(actor=owner, sku=sku, **values)


def _starter(ws):
    keep = [ws.membership(role).pk for role in ("owner", "admin", "member")]
    subscription_change_plan(tenant=ws.tenant, plan_code="starter", actor=ws.users["owner"], keep_member_ids=keep)



def test_the_8_percent_cut_is_valid_through_2026_and_10_percent_always(in_a):
    # when
    in_2026 = selectors.vat_rate_on("8", datetime.date(2026, 6, 1))
    last_day = selectors.vat_rate_on("8", END_OF_CUT)
    ten_later = selectors.vat_rate_on("10", datetime.date(2030, 1, 1))
    # then
    assert in_2026.rate == Decimal("8.00") and last_day.rate == Decimal("8.00")
    assert ten_later.rate == Decimal("10.00")
    with pytest.raises(ErpError) as error:
        selectors.vat_rate_on("8", END_OF_CUT + datetime.timedelta(days=1))
    assert error.value.code == "vat_not_valid"


def test_a_box_of_12_converts_to_base_units(in_a):
    # given
    product = _product(in_a.users["owner"])
    box = Unit.objects.get(code="hop")
    services.product_unit_add(product=product, unit=box, factor=12, actor=in_a.users["owner"])
    # when
    in_base = selectors.to_base_quantity(product, 3, box)
    base = selectors.to_base_quantity(product, 5, product.base_unit)
    # then
    assert in_base == Decimal(36) and base == Decimal(5)
    with pytest.raises(ErpError):
        selectors.to_base_quantity(product, 1, Unit.objects.get(code="thung"))


def test_a_unit_needs_a_positive_factor_and_cannot_be_the_base_unit(in_a):
    product = _product(in_a.users["owner"])
    with pytest.raises(ErpError) as zero:
        services.product_unit_add(product=product, unit=Unit.objects.get(code="hop"), factor=0, actor=None)
    with pytest.raises(ErpError) as base:
        services.product_unit_add(product=product, unit=product.base_unit, factor=2, actor=None)
    assert (zero.value.code, base.value.code) == ("factor_not_positive", "unit_is_base")


def test_a_group_list_beats_the_general_list_with_quantity_breaks(in_a):
    # given
    owner = in_a.users["owner"]
    product = _product(owner)
    general = services.price_list_create(name="Bán lẻ", actor=owner)
    dealers = services.price_list_create(name="Đại lý", customer_tag="dai-ly", position=5, actor=owner)
    services.price_list_item_set(price_list=general, product=product, price=4800, actor=owner)
    services.price_list_item_set(price_list=dealers, product=product, price=4200, actor=owner)
    services.price_list_item_set(price_list=dealers, product=product, price=4000, min_quantity=100, actor=owner)
    dealer = PartyFactory(tags=["dai-ly"])
    walk_in = PartyFactory(tags=[])
    # when
    prices = {
        "walk_in": selectors.price_for(product=product, party=walk_in, quantity=500),
        "dealer_10": selectors.price_for(product=product, party=dealer, quantity=10),
        "dealer_100": selectors.price_for(product=product, party=dealer, quantity=100),
        "no_party": selectors.price_for(product=product),
    }
    # then
    assert prices == {"walk_in": Decimal(4800), "dealer_10": Decimal(4200), "dealer_100": Decimal(4000),
                      "no_party": Decimal(4800)}


def test_a_currency_without_a_list_falls_back_to_the_sale_price_only_when_it_matches(in_a):
    # given a VND product with a USD list only
    owner = in_a.users["owner"]
    product = _product(owner)
    usd = services.price_list_create(name="Export", currency="USD", actor=owner)
    services.price_list_item_set(price_list=usd, product=product, price="0.199", actor=owner)
    eur_less = _product(owner, sku="SP-002")
    # when
    in_vnd = selectors.price_for(product=product, currency="VND")
    in_usd = selectors.price_for(product=product, currency="USD")
    # then
    assert in_vnd == Decimal(5000) and in_usd == Decimal("0.20")
    with pytest.raises(ErpError) as error:
        selectors.price_for(product=eur_less, currency="USD")
    assert error.value.code == "price_missing"


def test_vnd_prices_are_whole_dong_and_negative_prices_are_refused(in_a):
    # when
    vnd = _product(in_a.users["owner"], sale_price=Decimal("12345.6"))
    usd = _product(in_a.users["owner"], sku="SP-USD", sale_price=Decimal("9.999"), currency="USD")
    # then
    assert vnd.sale_price == Decimal(12346) and usd.sale_price == Decimal("10.00")
    with pytest.raises(ErpError) as error:
        _product(in_a.users["owner"], sku="SP-NEG", sale_price=Decimal(-1))
    assert (error.value.code, error.value.field) == ("price_negative", "sale_price")


def test_an_unknown_vat_code_is_a_field_error(in_a):
    with pytest.raises(ErpError) as error:
        _product(in_a.users["owner"], vat_code="7")
    assert (error.value.code, error.value.field) == ("vat_unknown", "vat_code")


def test_a_duplicate_sku_is_a_field_error_on_the_form(ws_a):
    # given
    with tenant_context(ws_a.tenant):
        _product(ws_a.users["owner"])
        unit = Unit.objects.get(code="cai")
    client = client_for(ws_a, ws_a.users["member"])
    # when
    response = client.post("/erp/catalog/products/new/", {
        "sku": "SP-001", "name": "Khác", "kind": "goods", "base_unit": unit.pk, "vat_code": "10",
        "sale_price": "1000", "currency": "VND"})
    # then
    assert response.status_code == 400
    assert 'data-error="sku"' in response.content.decode()
    with tenant_context(ws_a.tenant):
        assert Product.objects.count() == 1


def test_creating_a_product_through_the_form_is_audited(ws_a):
    # given
    with tenant_context(ws_a.tenant):
        unit = Unit.objects.get(code="cai")
    client = client_for(ws_a, ws_a.users["member"])
    # when
    response = client.post("/erp/catalog/products/new/", {
        "sku": "AO-01", "name": "Áo sơ mi", "kind": "goods", "base_unit": unit.pk, "vat_code": "8",
        "sale_price": "250000.4", "currency": "VND"})
    # then
    with tenant_context(ws_a.tenant):
        from modules.audit.models import AuditEntry
        product = Product.objects.get(sku="AO-01")
        assert AuditEntry.objects.filter(action="catalog.product_created", target_id=str(product.pk)).exists()
    assert response.status_code == 302 and product.sale_price == Decimal(250000)
    detail = client.get(f"/erp/catalog/products/{product.pk}/")
    assert detail.status_code == 200 and 'data-testid="vat-today"' in detail.content.decode()


def test_search_ignores_accents_and_filters_by_category(in_a):
    # given
    owner = in_a.users["owner"]
    shirts = services.category_create(name="Thời trang", actor=owner)
    _product(owner, sku="AO-01", name="Áo sơ mi trắng", category=shirts)
    _product(owner, sku="AO-02", name="Áo thun", barcode="8934567000011")
    # when
    by_name = [p.sku for p in selectors.product_list(q="ao so mi")]
    by_barcode = [p.sku for p in selectors.product_list(q="8934567")]
    by_category = [p.sku for p in selectors.product_list(category_id=shirts.pk)]
    # then
    assert (by_name, by_barcode, by_category) == (["AO-01"], ["AO-02"], ["AO-01"])


def test_starter_gets_402_and_a_locked_menu_entry_growth_opens_the_catalog(ws_a):
    # given
    client = client_for(ws_a, ws_a.users["owner"])
    # when
    on_growth = client.get("/erp/catalog/")
    growth_menu = client.get("/").content.decode()
    _starter(ws_a)
    on_starter = client.get("/erp/catalog/")
    starter_menu = client.get("/").content.decode()
    # then
    assert on_growth.status_code == 200
    assert on_starter.status_code == 402
    assert 'data-locked="products"' in starter_menu
    assert 'data-nav="products"' in growth_menu and 'data-locked="products"' not in growth_menu


PAGES = ["/erp/catalog/categories/", "/erp/catalog/price-lists/", "/erp/catalog/products/new/"]


@pytest.mark.parametrize("path", PAGES)
def test_catalog_pages_open_on_growth(ws_a, path):
    assert client_for(ws_a, ws_a.users["owner"]).get(path).status_code == 200


def test_viewers_read_the_catalog_but_cannot_write(ws_a):
    client = client_for(ws_a, ws_a.users["viewer"])
    assert client.get("/erp/catalog/").status_code == 200
    assert client.post("/erp/catalog/categories/", {"name": "X"}).status_code == 403


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/erp/catalog/").status_code == 200
    return len(queries)


def test_the_product_list_costs_the_same_queries_for_2_or_20_products(ws_a):
    # given
    client = client_for(ws_a, ws_a.users["owner"])
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        category = services.category_create(name="Hàng hóa", actor=owner)
        for index in range(2):
            _product(owner, sku=f"A-{index}", category=category)
    client.get("/erp/catalog/")  # warm caches (entitlements, session)
    few = _list_queries(client)
    with tenant_context(ws_a.tenant):
        for index in range(18):
            _product(owner, sku=f"B-{index}", category=category)
    # when
    many = _list_queries(client)
    # then
    assert many == few


def _catalog_counts():
    return ProductCategory.objects.count(), Unit.objects.count()


def test_the_catalog_part_is_idempotent(in_a):
    # when
    catalog_template_apply(business_type="manufacturing", sample_data=False)
    once = _catalog_counts()
    catalog_template_apply(business_type="manufacturing", sample_data=False)
    # then
    assert _catalog_counts() == once
    assert set(ProductCategory.objects.values_list("name", flat=True)) >= {
        "Nguyên vật liệu", "Bán thành phẩm", "Thành phẩm"}


def test_an_upgrade_from_starter_applies_the_catalog_part(ws_a, django_capture_on_commit_callbacks):
    # given a Starter workspace set up as an online shop
    on_plan(ws_a.tenant, "starter")
    first = template_apply(tenant=ws_a.tenant, business_type="ecommerce", actor=ws_a.users["owner"])
    # when
    with django_capture_on_commit_callbacks(execute=True):
        subscription_change_plan(tenant=ws_a.tenant, plan_code="growth", actor=ws_a.users["owner"])
    # then
    assert "catalog:ecommerce" not in first
    assert "catalog:ecommerce" in OnboardingProfile.objects.get(tenant=ws_a.tenant).applied_parts
    with tenant_context(ws_a.tenant):
        assert ProductCategory.objects.filter(name__in=["Thời trang", "Mỹ phẩm", "Đồ gia dụng"]).count() == 3


def test_the_first_product_step_appears_on_growth_only(ws_a):
    # given
    on_growth = {step["key"]: step["done"] for step in checklist_for(tenant=ws_a.tenant, profile=None)}
    with tenant_context(ws_a.tenant):
        _product(ws_a.users["owner"])
    done = {step["key"]: step["done"] for step in checklist_for(tenant=ws_a.tenant, profile=None)}
    # when
    on_plan(ws_a.tenant, "starter")
    on_starter = [step["key"] for step in checklist_for(tenant=ws_a.tenant, profile=None)]
    # then
    assert on_growth["product"] is False and done["product"] is True
    assert "product" not in on_starter


def test_traceability_is_chosen_on_enterprise_and_fixed_once_stock_moved(ws_a):
    # given
    from modules.erp.inventory.models import Warehouse
    from modules.erp.inventory.services import default_location, stock_opening_set

    owner = ws_a.users["owner"]
    growth_form = client_for(ws_a, owner).get("/erp/catalog/products/new/").content.decode()
    on_plan(ws_a.tenant, "enterprise")
    enterprise_form = client_for(ws_a, owner).get("/erp/catalog/products/new/").content.decode()
    with tenant_context(ws_a.tenant):
        product = _product(owner, tracking="lot")
        stock_opening_set(actor=owner, product=product, location=default_location(Warehouse.objects.get(
            is_default=True)), quantity=5, unit_cost=1000, lot_code="L-01")
        # when
        with pytest.raises(ErpError) as error:
            services.product_update(product=product, actor=owner, tracking="none")
    # then
    assert 'name="tracking"' not in growth_form and 'name="tracking"' in enterprise_form
    assert error.value.code == "tracking_with_stock"


def test_only_goods_are_tracked(in_a):
    with pytest.raises(ErpError) as error:
        _product(in_a.users["owner"], kind=Product.Kind.SERVICE, tracking="serial")
    assert error.value.code == "tracking_goods_only"
