"""ERP test helpers: products, stock and orders through the real services (inside a workspace's schema)."""

from __future__ import annotations

from decimal import Decimal

from modules.erp.catalog.models import Product, Unit
from modules.erp.catalog.services import product_create
from modules.erp.inventory.models import Picking, Warehouse
from modules.erp.inventory.services import default_location, picking_create, picking_validate, stock_opening_set
from modules.erp.sales.services import sales_order_confirm, sales_order_create
from tests.crm.factories import PartyFactory

_counter = iter(range(1, 10**9))


def goods(actor, *, sku: str | None = None, price=Decimal(10000), tracking: str = "none", **fields) -> Product:
    return product_create(actor=actor, sku=sku or f"G-{next(_counter)}", name=fields.pop("name", "Hàng hóa"),
                          base_unit=Unit.objects.get(code="chiec"), sale_price=price, tracking=tracking, **fields)


def main_warehouse() -> Warehouse:
    return Warehouse.objects.get(is_default=True)


def stock(actor, product: Product, quantity, unit_cost=Decimal(1000)):
    return stock_opening_set(actor=actor, product=product, location=default_location(main_warehouse()),
                             quantity=Decimal(quantity), unit_cost=Decimal(unit_cost))


def receive(actor, product: Product, quantity, unit_cost) -> Picking:
    picking = picking_create(actor=actor, kind=Picking.Kind.RECEIPT, warehouse=main_warehouse(), lines=[
        {"product": product, "quantity": Decimal(quantity), "unit_cost": Decimal(unit_cost)}])
    picking_validate(actor=actor, picking=picking)
    return picking


def order(actor, lines: list[tuple[Product, object]], *, party=None, confirm: bool = True):
    sales_order = sales_order_create(actor=actor, party=party or PartyFactory(), lines=[
        {"product": product, "quantity": Decimal(quantity)} for product, quantity in lines])
    return sales_order_confirm(actor=actor, order=sales_order) if confirm else sales_order


def delivery_of(sales_order) -> Picking:
    return sales_order.pickings.get(state=Picking.State.READY)


def on_plan(tenant, code: str) -> None:
    """Put ``tenant`` on another plan for the test (no billing flow), its entitlements read again."""
    from billing.entitlements import entitlements_forget
    from billing.models import Plan, Subscription

    Subscription.objects.filter(tenant=tenant).update(plan=Plan.objects.get(code=code))
    entitlements_forget(tenant.pk)


def in_threads(tenant, target, items) -> list[Exception]:
    """Run ``target(item)`` for every item at once, each in its own thread and connection inside ``tenant``;
    returns what they raised."""
    import threading

    from django.db import connections
    from django_tenants.utils import tenant_context

    barrier, errors = threading.Barrier(len(items)), []

    def run(item):
        try:
            with tenant_context(tenant):
                barrier.wait()
                target(item)
        except Exception as error:  # noqa: BLE001 - collected and asserted on by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
