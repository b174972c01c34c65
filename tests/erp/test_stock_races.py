"""Races with real commits and threads: the last units, and document numbers."""

from decimal import Decimal

from django.db import connection
from django_tenants.utils import tenant_context

from modules.erp.inventory.models import StockLevel
from modules.erp.sales.models import SalesOrder, SalesOrderLine
from modules.erp.sales.services import sales_order_confirm
from tests.erp.factories import goods, in_threads, order, stock

BUYERS = 50


def test_fifty_buyers_for_the_last_ten_units_give_exactly_ten_reservations(committed_workspace):
    # given: 10 units in stock and 50 quotations of 1 unit each, committed
    ws = committed_workspace("growth")
    owner = ws.users["owner"]
    with tenant_context(ws.tenant):
        product = goods(owner)
        stock(owner, product, 10)
        quotations = [order(owner, [(product, 1)], confirm=False) for _ in range(BUYERS)]
    # when: all confirmed at once
    errors = in_threads(ws.tenant, lambda quotation: sales_order_confirm(actor=owner, order=quotation), quotations)
    # then
    with tenant_context(ws.tenant):
        reserved = list(SalesOrderLine.objects.filter(order__in=quotations).values_list("qty_reserved", flat=True))
        level = StockLevel.objects.get(product=product)
        assert errors == []
        assert SalesOrder.objects.filter(state=SalesOrder.State.CONFIRMED).count() == BUYERS
        assert sorted(reserved) == [Decimal(0)] * 40 + [Decimal(1)] * 10
        assert (level.on_hand, level.reserved, level.available) == (10, 10, 0)
    connection.set_schema_to_public()


def test_order_numbers_have_no_gaps_under_concurrency(committed_workspace):
    # given
    ws = committed_workspace("growth")
    owner = ws.users["owner"]
    with tenant_context(ws.tenant):
        product = goods(owner)
    # when: 20 quotations at once
    errors = in_threads(ws.tenant, lambda _n: order(owner, [(product, 1)], confirm=False), list(range(20)))
    # then
    with tenant_context(ws.tenant):
        numbers = sorted(SalesOrder.objects.values_list("number", flat=True))
        assert errors == []
        assert numbers == [f"SO{n:05d}" for n in range(1, 21)]
    connection.set_schema_to_public()
