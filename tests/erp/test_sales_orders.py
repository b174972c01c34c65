"""Sales order lines: units converted to base units, prices chosen from the customer's list across quantity
breaks, VAT per rate rounded once; confirmation, cancellation and their stock effects."""

import datetime
from decimal import Decimal

import pytest

from modules.erp.catalog.models import Unit
from modules.erp.catalog.services import price_list_create, price_list_item_set, product_unit_add
from modules.erp.errors import ErpError
from modules.erp.inventory.models import Picking, StockLevel
from modules.erp.inventory.services import picking_validate
from modules.erp.sales.models import SalesOrder
from modules.erp.sales.services import sales_order_cancel, sales_order_close, sales_order_confirm, sales_order_create
from tests.crm.factories import PartyFactory
from tests.erp.factories import goods, order, stock


@pytest.fixture
def water(in_a):
    """Water sold by the piece (base) and by the box of 12; dealers pay less from 24 pieces on."""
    owner = in_a.users["owner"]
    product = goods(owner, price=Decimal(5000))
    product_unit_add(product=product, unit=Unit.objects.get(code="hop"), factor=12, actor=owner)
    dealers = price_list_create(name="Đại lý", customer_tag="dai-ly", actor=owner)
    price_list_item_set(price_list=dealers, product=product, price=4500, actor=owner)
    price_list_item_set(price_list=dealers, product=product, price=4000, min_quantity=24, actor=owner)
    return product


@pytest.mark.parametrize(("unit", "quantity", "base", "unit_price"), [
    ("chiec", 10, 10, 4500),      # 10 pieces: first break
    ("chiec", 24, 24, 4000),      # 24 pieces: second break
    ("hop", 1, 12, 54000),        # 1 box = 12 pieces at 4,500
    ("hop", 2, 24, 48000),        # 2 boxes = 24 pieces at 4,000
])
def test_units_convert_and_the_price_break_follows_the_base_quantity(in_a, water, unit, quantity, base, unit_price):
    # given
    dealer = PartyFactory(tags=["dai-ly"])
    # when
    sales_order = sales_order_create(actor=in_a.users["owner"], party=dealer, lines=[
        {"product": water, "unit": Unit.objects.get(code=unit), "quantity": quantity}])
    line = sales_order.lines.get()
    # then
    assert (line.quantity_base, line.unit_price, line.amount_untaxed) == (base, unit_price, unit_price * quantity)


def test_a_walk_in_customer_pays_the_sale_price(in_a, water):
    sales_order = sales_order_create(actor=in_a.users["owner"], party=PartyFactory(tags=[]),
                                     lines=[{"product": water, "quantity": 24}])
    assert sales_order.lines.get().unit_price == 5000


def test_vat_is_rounded_once_per_rate_and_totals_add_up(in_a):
    # given: three lines at 10% and one at 5% whose taxes each have half a dong
    owner = in_a.users["owner"]
    ten, five = goods(owner, vat_code="10"), goods(owner, vat_code="5")
    lines = [{"product": ten, "quantity": 1, "unit_price": 1005}] * 3 + [
        {"product": five, "quantity": 1, "unit_price": 1010}]
    # when
    sales_order = sales_order_create(actor=owner, party=PartyFactory(), lines=lines,
                                     order_date=datetime.date(2027, 1, 15))
    # then: 10% of 3,015 = 301.5 -> 302; 5% of 1,010 = 50.5 -> 51
    assert (sales_order.amount_untaxed, sales_order.amount_tax, sales_order.amount_total) == (4025, 353, 4378)


def test_a_line_needs_a_unit_the_product_is_sold_in(in_a, water):
    with pytest.raises(ErpError) as error:
        sales_order_create(actor=in_a.users["owner"], party=PartyFactory(), lines=[
            {"product": water, "unit": Unit.objects.get(code="thung"), "quantity": 1}])
    assert (error.value.code, error.value.field) == ("unit_unknown", "lines-0-unit")


def test_confirming_reserves_and_prepares_one_delivery_and_cancelling_gives_it_back(in_a, water):
    # given
    owner = in_a.users["owner"]
    stock(owner, water, 30)
    sales_order = order(owner, [(water, 20)], confirm=False)
    # when
    sales_order_confirm(actor=owner, order=sales_order)
    reserved_after_confirm = StockLevel.objects.get(product=water).reserved
    sales_order_cancel(actor=owner, order=sales_order)
    # then
    sales_order.refresh_from_db()
    assert reserved_after_confirm == 20
    assert StockLevel.objects.get(product=water).reserved == 0
    assert sales_order.state == SalesOrder.State.CANCELLED
    assert list(sales_order.pickings.values_list("state", flat=True)) == [Picking.State.CANCELLED]


def test_a_confirmed_order_cannot_be_confirmed_again(in_a, water):
    owner = in_a.users["owner"]
    sales_order = order(owner, [(water, 1)])
    with pytest.raises(ErpError) as error:
        sales_order_confirm(actor=owner, order=sales_order)
    assert error.value.code == "order_state"


def test_closing_a_partly_delivered_order_releases_the_rest(in_a, water):
    # given: 10 ordered and reserved, 4 delivered, 6 waiting on a backorder
    owner = in_a.users["owner"]
    stock(owner, water, 10)
    sales_order = order(owner, [(water, 10)])
    picking = sales_order.pickings.get()
    backorder = picking_validate(actor=owner, picking=picking, done={picking.lines.get().pk: Decimal(4)})
    # when
    sales_order_close(actor=owner, order=sales_order)
    # then
    backorder.refresh_from_db()
    sales_order.refresh_from_db()
    level = StockLevel.objects.get(product=water)
    assert (sales_order.state, backorder.state) == (SalesOrder.State.DONE, Picking.State.CANCELLED)
    assert (level.on_hand, level.reserved) == (6, 0)
    assert sales_order.lines.get().qty_delivered == 4


def test_an_order_with_nothing_delivered_is_cancelled_not_closed(in_a, water):
    sales_order = order(in_a.users["owner"], [(water, 1)])
    with pytest.raises(ErpError) as error:
        sales_order_close(actor=in_a.users["owner"], order=sales_order)
    assert error.value.code == "order_not_partly_delivered"
