"""Catalog edits and removals: categories and price lists edited and deleted, a product's extra unit and a
price-list item removed; a removal refuses, with a clear message, while something still uses the record."""

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from modules.audit.models import AuditEntry
from modules.erp.catalog import services
from modules.erp.catalog.models import PriceList, PriceListItem, Product, ProductCategory, ProductUnit, Unit
from modules.erp.errors import ErpError
from modules.erp.inventory.models import Warehouse
from modules.erp.sales.models import SalesOrder, SalesOrderLine
from tests.conftest import client_for
from tests.crm.factories import PartyFactory


def _product(owner, sku="SP-001", **fields):
    values = {"name": "Nước suối 500ml", "base_unit": Unit.objects.get(code="chiec"), "sale_price": Decimal(5000),
              **fields}
    return services.product_create(actor=owner, sku=sku, **values)


def _english(client):
    """Messages are asserted in English (the workspace speaks Vietnamese by default)."""
    client.cookies["django_language"] = "en"
    return client


def _open_quotation_line(product: Product, unit: Unit, factor: Decimal, state="quotation") -> SalesOrderLine:
    order = SalesOrder.objects.create(number=f"SO-T-{state}", party=PartyFactory(), state=state,
                                      warehouse=Warehouse.objects.get(is_default=True))
    return SalesOrderLine.objects.create(order=order, product=product, description=product.name, unit=unit,
                                         factor=factor, quantity=Decimal(2), quantity_base=2 * factor)


# --------------------------------------------------------------------------- categories


def test_a_category_is_renamed_and_moved_with_an_audit_row(in_a):
    # given
    owner = in_a.users["owner"]
    drinks = services.category_create(name="Đồ uống", actor=owner)
    water = services.category_create(name="Nước", actor=owner)
    # when
    services.category_update(category=water, actor=owner, name="  Nước   suối ", parent=drinks)
    # then
    water.refresh_from_db()
    assert (water.name, water.parent_id) == ("Nước suối", drinks.pk)
    entry = AuditEntry.objects.get(action="catalog.category_updated", target_id=str(water.pk))
    assert entry.detail["changes"]["name"] == ["Nước", "Nước suối"]


def test_a_category_cannot_go_inside_its_own_subcategory_nor_take_a_sibling_name(in_a):
    # given
    owner = in_a.users["owner"]
    drinks = services.category_create(name="Đồ uống", actor=owner)
    water = services.category_create(name="Nước", actor=owner, parent=drinks)
    services.category_create(name="Bia", actor=owner, parent=drinks)
    # when
    with pytest.raises(ErpError) as cycle:
        services.category_update(category=drinks, actor=owner, name="Đồ uống", parent=water)
    with pytest.raises(ErpError) as taken:
        services.category_update(category=water, actor=owner, name="bia", parent=drinks)
    # then
    assert (cycle.value.code, cycle.value.field) == ("category_cycle", "parent")
    assert (taken.value.code, taken.value.field) == ("category_taken", "name")


def test_a_category_with_products_or_subcategories_is_not_deleted(in_a):
    # given: an archived product still counts (deleting would silently drop its category)
    owner = in_a.users["owner"]
    food = services.category_create(name="Thực phẩm", actor=owner)
    services.product_archive(product=_product(owner, category=food), actor=owner)
    drinks = services.category_create(name="Đồ uống", actor=owner)
    services.category_create(name="Nước", actor=owner, parent=drinks)
    # when
    with pytest.raises(ErpError) as with_products:
        services.category_delete(category=food, actor=owner)
    with pytest.raises(ErpError) as with_children:
        services.category_delete(category=drinks, actor=owner)
    # then
    assert with_products.value.code == "category_in_use" and "1 " in with_products.value.message
    assert with_children.value.code == "category_has_children"
    assert ProductCategory.objects.filter(pk__in=[food.pk, drinks.pk]).count() == 2


def test_an_empty_category_is_deleted_through_the_page(ws_a):
    # given
    with tenant_context(ws_a.tenant):
        empty = services.category_create(name="Tạm", actor=ws_a.users["owner"])
    client = client_for(ws_a, ws_a.users["member"])
    # when
    edit = client.get(f"/erp/catalog/categories/{empty.pk}/edit/")
    response = client.post(f"/erp/catalog/categories/{empty.pk}/delete/")
    # then
    assert edit.status_code == 200 and 'data-testid="category-delete"' in edit.content.decode()
    assert response.status_code == 302 and response["Location"] == "/erp/catalog/categories/"
    with tenant_context(ws_a.tenant):
        assert not ProductCategory.objects.filter(pk=empty.pk).exists()
        assert AuditEntry.objects.filter(action="catalog.category_deleted", target_id=str(empty.pk)).exists()


def test_deleting_a_used_category_through_the_page_shows_why(ws_a):
    # given
    with tenant_context(ws_a.tenant):
        used = services.category_create(name="Đang dùng", actor=ws_a.users["owner"])
        _product(ws_a.users["owner"], category=used)
    client = _english(client_for(ws_a, ws_a.users["member"]))
    # when
    response = client.post(f"/erp/catalog/categories/{used.pk}/delete/", follow=True)
    # then
    assert response.status_code == 200
    assert "move it to another category first" in response.content.decode()
    with tenant_context(ws_a.tenant):
        assert ProductCategory.objects.filter(pk=used.pk).exists()


def test_editing_a_category_through_the_form(ws_a):
    # given
    with tenant_context(ws_a.tenant):
        category = services.category_create(name="Cũ", actor=ws_a.users["owner"])
    client = client_for(ws_a, ws_a.users["member"])
    # when
    response = client.post(f"/erp/catalog/categories/{category.pk}/edit/", {"name": "Mới", "parent": ""})
    # then
    assert response.status_code == 302
    with tenant_context(ws_a.tenant):
        assert ProductCategory.objects.get(pk=category.pk).name == "Mới"


# --------------------------------------------------------------------------- price lists


def test_a_price_list_is_edited_and_its_currency_is_locked_once_it_has_prices(in_a):
    # given
    owner = in_a.users["owner"]
    dealers = services.price_list_create(name="Đại lý", actor=owner)
    services.price_list_item_set(price_list=dealers, product=_product(owner), price=4500, actor=owner)
    # when
    services.price_list_update(price_list=dealers, actor=owner, name="Đại lý cấp 1", currency="VND",
                               customer_tag="dai-ly", position=2, is_active=False)
    with pytest.raises(ErpError) as locked:
        services.price_list_update(price_list=dealers, actor=owner, name="Đại lý cấp 1", currency="USD")
    # then
    dealers.refresh_from_db()
    assert (dealers.name, dealers.customer_tag, dealers.position, dealers.is_active, dealers.currency) == (
        "Đại lý cấp 1", "dai-ly", 2, False, "VND")
    assert (locked.value.code, locked.value.field) == ("price_list_currency_locked", "currency")


def test_deleting_a_price_list_takes_its_prices_and_is_audited(ws_a):
    # given
    with tenant_context(ws_a.tenant):
        owner = ws_a.users["owner"]
        dealers = services.price_list_create(name="Đại lý", actor=owner)
        services.price_list_item_set(price_list=dealers, product=_product(owner), price=4500, actor=owner)
    client = client_for(ws_a, ws_a.users["member"])
    # when
    edit = client.get(f"/erp/catalog/price-lists/{dealers.pk}/edit/")
    response = client.post(f"/erp/catalog/price-lists/{dealers.pk}/delete/")
    # then
    assert edit.status_code == 200 and 'data-testid="price-list-delete"' in edit.content.decode()
    assert response.status_code == 302 and response["Location"] == "/erp/catalog/price-lists/"
    with tenant_context(ws_a.tenant):
        assert not PriceList.objects.filter(pk=dealers.pk).exists()
        assert not PriceListItem.objects.exists()
        entry = AuditEntry.objects.get(action="catalog.price_list_deleted", target_id=str(dealers.pk))
        assert entry.detail["before"]["item_count"] == 1


def test_editing_a_price_list_currency_with_prices_is_a_field_error_on_the_form(ws_a):
    # given
    with tenant_context(ws_a.tenant):
        owner = ws_a.users["owner"]
        dealers = services.price_list_create(name="Đại lý", actor=owner)
        services.price_list_item_set(price_list=dealers, product=_product(owner), price=4500, actor=owner)
    client = _english(client_for(ws_a, ws_a.users["member"]))
    # when
    response = client.post(f"/erp/catalog/price-lists/{dealers.pk}/edit/", {
        "name": "Đại lý", "currency": "USD", "customer_tag": "", "position": 0, "is_active": "on"})
    # then
    assert response.status_code == 400
    assert "remove them before changing the currency" in response.content.decode()


def test_a_price_list_item_is_removed(ws_a):
    # given
    with tenant_context(ws_a.tenant):
        owner = ws_a.users["owner"]
        dealers = services.price_list_create(name="Đại lý", actor=owner)
        item = services.price_list_item_set(price_list=dealers, product=_product(owner), price=4500, actor=owner)
    client = client_for(ws_a, ws_a.users["member"])
    # when
    page = client.get(f"/erp/catalog/price-lists/{dealers.pk}/")
    response = client.post(f"/erp/catalog/price-lists/{dealers.pk}/items/{item.pk}/remove/")
    # then
    assert f'data-remove-item="{item.pk}"' in page.content.decode()
    assert response.status_code == 302
    with tenant_context(ws_a.tenant):
        assert not PriceListItem.objects.filter(pk=item.pk).exists()
        assert AuditEntry.objects.filter(action="catalog.price_removed", target_id=str(item.pk)).exists()


def test_an_item_of_another_list_is_not_found(ws_a):
    # given
    with tenant_context(ws_a.tenant):
        owner = ws_a.users["owner"]
        first = services.price_list_create(name="Một", actor=owner)
        second = services.price_list_create(name="Hai", actor=owner)
        item = services.price_list_item_set(price_list=first, product=_product(owner), price=4500, actor=owner)
    # when
    response = client_for(ws_a, ws_a.users["member"]).post(
        f"/erp/catalog/price-lists/{second.pk}/items/{item.pk}/remove/")
    # then
    assert response.status_code == 404


# --------------------------------------------------------------------------- product units


def test_a_products_extra_unit_is_removed(ws_a):
    # given
    with tenant_context(ws_a.tenant):
        owner = ws_a.users["owner"]
        product = _product(owner)
        box = services.product_unit_add(product=product, unit=Unit.objects.get(code="thung"), factor=24, actor=owner)
    client = client_for(ws_a, ws_a.users["member"])
    # when
    page = client.get(f"/erp/catalog/products/{product.pk}/")
    response = client.post(f"/erp/catalog/products/{product.pk}/units/{box.pk}/remove/")
    # then
    assert f'data-remove-unit="{box.pk}"' in page.content.decode()
    assert response.status_code == 302
    with tenant_context(ws_a.tenant):
        assert not ProductUnit.objects.filter(pk=box.pk).exists()
        assert AuditEntry.objects.filter(action="catalog.product_unit_removed", target_id=str(box.pk)).exists()


def test_a_unit_used_by_an_open_quotation_is_not_removed(in_a):
    # given
    owner = in_a.users["owner"]
    product = _product(owner)
    carton = Unit.objects.get(code="thung")
    box = services.product_unit_add(product=product, unit=carton, factor=24, actor=owner)
    _open_quotation_line(product, carton, Decimal(24))
    # when
    with pytest.raises(ErpError) as error:
        services.product_unit_remove(product_unit=box, actor=owner)
    # then
    assert error.value.code == "unit_in_use" and "1 " in error.value.message
    assert ProductUnit.objects.filter(pk=box.pk).exists()


def test_a_unit_used_only_by_cancelled_orders_is_removed(in_a):
    # given: a cancelled order keeps its copied factor
    owner = in_a.users["owner"]
    product = _product(owner)
    carton = Unit.objects.get(code="thung")
    box = services.product_unit_add(product=product, unit=carton, factor=24, actor=owner)
    _open_quotation_line(product, carton, Decimal(24), state="cancelled")
    # when
    services.product_unit_remove(product_unit=box, actor=owner)
    # then
    assert not ProductUnit.objects.filter(pk=box.pk).exists()


def test_removing_a_unit_in_use_through_the_page_shows_why(ws_a):
    # given
    with tenant_context(ws_a.tenant):
        owner = ws_a.users["owner"]
        product = _product(owner)
        carton = Unit.objects.get(code="thung")
        box = services.product_unit_add(product=product, unit=carton, factor=24, actor=owner)
        _open_quotation_line(product, carton, Decimal(24))
    # when
    response = _english(client_for(ws_a, ws_a.users["member"])).post(
        f"/erp/catalog/products/{product.pk}/units/{box.pk}/remove/", follow=True)
    # then
    assert "finish or change it first" in response.content.decode()


# --------------------------------------------------------------------------- access


@pytest.mark.parametrize("path", ["categories/{category}/delete/", "price-lists/{price_list}/delete/",
                                  "price-lists/{price_list}/edit/", "categories/{category}/edit/"])
def test_viewers_cannot_edit_or_delete(ws_a, path):
    # given
    with tenant_context(ws_a.tenant):
        category = services.category_create(name="X", actor=ws_a.users["owner"])
        price_list = services.price_list_create(name="Y", actor=ws_a.users["owner"])
    # when
    response = client_for(ws_a, ws_a.users["viewer"]).post(
        "/erp/catalog/" + path.format(category=category.pk, price_list=price_list.pk), {"name": "Z"})
    # then
    assert response.status_code == 403
    with tenant_context(ws_a.tenant):
        assert (ProductCategory.objects.get(pk=category.pk).name, PriceList.objects.get(pk=price_list.pk).name) == (
            "X", "Y")


def test_a_category_of_another_workspace_is_not_found(ws_a, ws_b):
    # given
    with tenant_context(ws_b.tenant):
        theirs = services.category_create(name="Của B", actor=ws_b.users["owner"])
    # when
    response = client_for(ws_a, ws_a.users["owner"]).post(f"/erp/catalog/categories/{theirs.pk}/delete/")
    # then
    assert response.status_code == 404
    with tenant_context(ws_b.tenant):
        assert ProductCategory.objects.filter(pk=theirs.pk).exists()
