"""Stock: weighted-average costing against a hand-computed table, partial deliveries with backorders that
always add up, reservations, counts, reversals, transfers, the append-only ledger, lots, warehouse gates."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, InternalError, connection, transaction

from billing.errors import BillingError
from modules.erp.errors import ErpError
from modules.erp.inventory.models import Picking, ProductValuation, StockLevel, StockMove
from modules.erp.inventory.selectors import availability
from modules.erp.inventory.services import (
    count_apply,
    count_line_set,
    count_start,
    default_location,
    location_create,
    move_reverse,
    picking_create,
    picking_validate,
    warehouse_create,
)
from modules.erp.sales.models import SalesOrder
from tests.erp.factories import delivery_of, goods, main_warehouse, order, receive, stock


def _valuation(product):
    row = ProductValuation.objects.get(product=product)
    return row.quantity, row.value


def _deliver(owner, sales_order, quantity=None):
    picking = delivery_of(sales_order)
    done = None if quantity is None else {picking.lines.get().pk: Decimal(quantity)}
    return picking_validate(actor=owner, picking=picking, done=done)


# Hand-computed (bình quân gia quyền liên hoàn), VND:
#   step                     qty   value       average      move value
COSTING = [
    ("receive", 10, 100_000, 10, 1_000_000),    # 100,000
    ("receive", 5, 130_000, 15, 1_650_000),     # 110,000
    ("deliver", 6, None, 9, 990_000),           # 660,000 out
    ("receive", 3, 150_000, 12, 1_440_000),     # 120,000
    ("deliver", 7, None, 5, 600_000),           # 840,000 out
    ("receive", 1, 101_000, 6, 701_000),        # 116,833.33
    ("deliver", 5, None, 1, 116_833),           # 584,167 out (rounded to the dong)
    ("deliver", 1, None, 0, 0),                 # the last unit takes what is left: 116,833
]
OUT_VALUES = [660_000, 840_000, 584_167, 116_833]


def test_weighted_average_cost_matches_the_hand_computed_table(in_a):
    # given
    owner = in_a.users["owner"]
    product = goods(owner)
    # when / then: after every step the valuation is the table's
    for step, quantity, unit_cost, expected_qty, expected_value in COSTING:
        if step == "receive":
            receive(owner, product, quantity, unit_cost)
        else:
            _deliver(owner, order(owner, [(product, quantity)]))
        assert _valuation(product) == (Decimal(expected_qty), Decimal(expected_value)), step
    deliveries = StockMove.objects.filter(product=product, kind=StockMove.Kind.DELIVERY).order_by("pk")
    assert [move.value for move in deliveries] == [Decimal(v) for v in OUT_VALUES]
    receipts_in = sum(m.value for m in StockMove.objects.filter(product=product, kind=StockMove.Kind.RECEIPT))
    assert receipts_in - sum(Decimal(v) for v in OUT_VALUES) == 0


def test_partial_deliveries_and_backorders_always_add_up(in_a):
    # given: 10 ordered, 10 in stock, all reserved at confirmation
    owner = in_a.users["owner"]
    product = goods(owner)
    stock(owner, product, 10)
    sales_order = order(owner, [(product, 10)])
    line = sales_order.lines.get()
    level = StockLevel.objects.get(product=product)
    assert (line.qty_reserved, level.reserved) == (10, 10)
    # when: 4, then 3, then the last 3
    steps = []
    picking = delivery_of(sales_order)
    for quantity in (4, 3, 3):
        backorder = picking_validate(actor=owner, picking=picking, done={picking.lines.get().pk: Decimal(quantity)})
        line.refresh_from_db()
        level.refresh_from_db()
        left = backorder.lines.get().quantity if backorder else Decimal(0)
        steps.append((line.qty_delivered, left, line.qty_reserved, level.on_hand, level.reserved))
        picking = backorder
    # then: delivered + left = ordered; on hand + delivered = 10; reserved = what is left
    assert steps == [(4, 6, 6, 6, 6), (7, 3, 3, 3, 3), (10, 0, 0, 0, 0)]
    sales_order.refresh_from_db()
    assert sales_order.state == SalesOrder.State.DONE
    assert Picking.objects.filter(sales_order=sales_order, state=Picking.State.DONE).count() == 3


def test_a_short_order_reserves_what_there_is_and_the_backorder_waits_for_stock(in_a):
    # given: 10 ordered, 6 in stock
    owner = in_a.users["owner"]
    product = goods(owner)
    stock(owner, product, 6)
    sales_order = order(owner, [(product, 10)])
    picking = delivery_of(sales_order)
    # when: all 10 at once is refused; 6 go, 4 wait
    with pytest.raises(ErpError) as error, transaction.atomic():
        picking_validate(actor=owner, picking=picking)
    backorder = _deliver(owner, sales_order, 6)
    receive(owner, product, 4, 1000)
    last = picking_validate(actor=owner, picking=backorder)
    # then
    assert error.value.code == "insufficient_stock"
    assert last is None
    assert sales_order.lines.get().qty_delivered == 10
    assert availability([product.pk])[product.pk].on_hand == 0


def test_reservations_never_take_more_than_is_available(in_a):
    # given: 5 in stock, two orders of 4
    owner = in_a.users["owner"]
    product = goods(owner)
    stock(owner, product, 5)
    # when
    first, second = order(owner, [(product, 4)]), order(owner, [(product, 4)])
    # then
    assert [first.lines.get().qty_reserved, second.lines.get().qty_reserved] == [4, 1]
    assert availability([product.pk])[product.pk].available == 0


def test_the_move_ledger_refuses_updates_and_deletes_even_in_raw_sql(in_a):
    # given
    owner = in_a.users["owner"]
    move = stock(owner, goods(owner), 3)
    # when / then
    for statement in ("UPDATE inventory_stockmove SET quantity = 1 WHERE id = %s",
                      "DELETE FROM inventory_stockmove WHERE id = %s"):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [move.pk])


def test_a_reversal_moves_back_the_same_value_once(in_a):
    # given: 10 @ 1,000 then 10 @ 3,000 (average 2,000)
    owner = in_a.users["owner"]
    product = goods(owner)
    receive(owner, product, 10, 1000)
    second = receive(owner, product, 10, 3000).moves.get()
    # when
    reversal = move_reverse(actor=owner, move=second)
    # then: back to 10 @ 1,000 exactly; a second reversal is refused
    assert (reversal.value, reversal.location_from_id, reversal.location_to_id) == (30000, second.location_to_id, None)
    assert _valuation(product) == (10, 10000)
    with pytest.raises(ErpError) as error:
        move_reverse(actor=owner, move=second)
    assert error.value.code == "already_reversed"


def test_a_count_posts_the_differences_at_the_average_cost(in_a):
    # given: 10 @ 2,000 on the books, 7 on the shelf
    owner = in_a.users["owner"]
    product = goods(owner)
    stock(owner, product, 10, 2000)
    count = count_start(actor=owner, warehouse=main_warehouse())
    line = count.lines.get(product=product)
    # when
    count_line_set(actor=owner, line=line, counted=7)
    [move] = count_apply(actor=owner, count=count)
    # then
    assert (move.kind, move.quantity, move.value, move.location_to_id) == ("adjustment", 3, 6000, None)
    assert _valuation(product) == (7, 14000)


def test_a_count_below_what_is_reserved_is_refused(in_a):
    # given: 10 in stock, 8 reserved
    owner = in_a.users["owner"]
    product = goods(owner)
    stock(owner, product, 10)
    order(owner, [(product, 8)])
    count = count_start(actor=owner, warehouse=main_warehouse())
    count_line_set(actor=owner, line=count.lines.get(product=product), counted=5)
    # when / then
    with pytest.raises(ErpError) as error:
        count_apply(actor=owner, count=count)
    assert error.value.code == "count_below_reserved"


def test_an_internal_transfer_moves_quantity_not_value(in_a):
    # given
    owner = in_a.users["owner"]
    product = goods(owner)
    stock(owner, product, 10, 500)
    source = default_location(main_warehouse())
    shelf = location_create(actor=owner, warehouse=main_warehouse(), code="A1", name="Kệ A1")
    picking = picking_create(actor=owner, kind=Picking.Kind.INTERNAL, warehouse=main_warehouse(),
                             location_src=source, location_dest=shelf, lines=[{"product": product, "quantity": 4}])
    # when
    picking_validate(actor=owner, picking=picking)
    # then
    levels = dict(StockLevel.objects.filter(product=product).values_list("location__code", "on_hand"))
    assert levels == {"STOCK": 6, "A1": 4}
    assert _valuation(product) == (10, 5000)


def test_quantities_can_never_go_negative_in_the_database(in_a):
    # given
    owner = in_a.users["owner"]
    stock(owner, goods(owner), 2)
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.update(reserved=5)


def test_lots_are_required_for_tracked_products_and_serials_are_unique(in_a):
    # given
    owner = in_a.users["owner"]
    product = goods(owner, tracking="serial")
    picking = picking_create(actor=owner, kind=Picking.Kind.RECEIPT, warehouse=main_warehouse(),
                             lines=[{"product": product, "quantity": 2, "unit_cost": 100}])
    line = picking.lines.get()
    # when / then: two different serials for two units
    with pytest.raises(ErpError) as missing, transaction.atomic():
        picking_validate(actor=owner, picking=picking, lot_codes={line.pk: "SN1"})
    picking_validate(actor=owner, picking=picking, lot_codes={line.pk: "SN1, SN2"})
    assert missing.value.code == "serials_required"
    assert sorted(StockLevel.objects.filter(product=product).values_list("lot__code", "on_hand")) == [
        ("SN1", 1), ("SN2", 1)]


def test_a_second_warehouse_needs_scale(in_a):
    # given: Growth
    owner = in_a.users["owner"]
    # when / then
    with pytest.raises(BillingError) as error:
        warehouse_create(actor=owner, tenant=in_a.tenant, code="HN", name="Kho Hà Nội")
    assert error.value.code == "feature_not_in_plan"


def test_triggers_are_not_bypassed_by_the_orm_delete(in_a):
    # given
    owner = in_a.users["owner"]
    stock(owner, goods(owner), 1)
    # when / then
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        StockMove.objects.all().delete()


def test_a_sold_out_product_with_an_order_waiting_is_low_stock(in_a):
    # given: nothing in stock, a confirmed order of 3 that could reserve nothing
    from modules.erp.inventory.selectors import stock_level_list

    owner = in_a.users["owner"]
    waiting, idle = goods(owner), goods(owner)
    order(owner, [(waiting, 3)])
    # when
    low = list(stock_level_list(low_only=True).values_list("pk", flat=True))
    # then
    assert waiting.pk in low and idle.pk not in low
