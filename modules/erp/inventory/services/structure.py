"""Warehouses, locations, reorder rules and opening stock."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from billing.entitlements import entitlements_for, feature_blocked_error, limit_check
from modules.crm.audit import audit_change, snapshot
from modules.erp.catalog.models import Product
from modules.erp.errors import ErpError
from modules.erp.inventory.models import Location, Lot, ReorderRule, StockMove, Warehouse
from modules.erp.inventory.services._posting import MoveSpec, moves_post


@transaction.atomic
def warehouse_create(*, actor, tenant, code: str, name: str, address: str = "") -> Warehouse:
    """A warehouse with its default location. A second one needs the plan's several-warehouses feature, and
    the plan's warehouse limit is checked here, under the workspace row's lock."""
    from tenants.locks import membership_lock_for_tenant

    membership_lock_for_tenant(tenant=tenant)
    current = Warehouse.objects.filter(is_active=True).count()
    if current >= 1 and not entitlements_for(tenant).allows("erp.warehouses_multi"):
        raise feature_blocked_error("erp.warehouses_multi")
    limit_check(tenant=tenant, key="warehouses", current=current)
    code, name = (code or "").strip().upper(), (name or "").strip()
    if not code or not name:
        raise ErpError("warehouse_invalid", _("Give the warehouse a code and a name."), field="code")
    if Warehouse.objects.filter(code__iexact=code).exists():
        raise ErpError("warehouse_code_taken", _("Another warehouse already has this code."), field="code")
    warehouse = Warehouse.objects.create(code=code, name=name, address=address.strip(), is_default=current == 0)
    Location.objects.create(warehouse=warehouse, code="STOCK", name=_("Stock"), is_default=True)
    audit_change(actor=actor, action="inventory.warehouse_created", target=warehouse, before=None,
                 after=snapshot(warehouse))
    return warehouse


@transaction.atomic
def location_create(*, actor, warehouse: Warehouse, code: str, name: str) -> Location:
    code, name = (code or "").strip().upper(), (name or "").strip()
    if not code or not name:
        raise ErpError("location_invalid", _("Give the location a code and a name."), field="code")
    if warehouse.locations.filter(code__iexact=code).exists():
        raise ErpError("location_code_taken", _("This warehouse already has a location with this code."),
                       field="code")
    location = Location.objects.create(warehouse=warehouse, code=code, name=name)
    audit_change(actor=actor, action="inventory.location_created", target=location, before=None,
                 after=snapshot(location))
    return location


@transaction.atomic
def stock_opening_set(*, actor, product: Product, location: Location, quantity, unit_cost,
                      lot_code: str = "") -> StockMove:
    """Bring existing stock into the books: ``quantity`` (base unit) at ``unit_cost`` (VND) is added."""
    quantity, unit_cost = Decimal(str(quantity)), Decimal(str(unit_cost))
    if product.kind != Product.Kind.GOODS:
        raise ErpError("not_stocked", _("Only goods are kept in stock."), field="product")
    if unit_cost < 0:
        raise ErpError("cost_negative", _("A cost cannot be negative."), field="unit_cost")
    lot = None
    if product.tracking != Product.Tracking.NONE:
        if not lot_code.strip():
            raise ErpError("lot_required", _("Enter the lot of %(product)s.") % {"product": product.name},
                           field="lot_code")
        lot = Lot.objects.get_or_create(product=product, code=lot_code.strip())[0]
    [move] = moves_post(actor=actor, specs=[MoveSpec(
        kind=StockMove.Kind.OPENING, product=product, quantity=quantity, location_to=location, lot=lot,
        unit_cost=unit_cost, reference=_("Opening stock"))])
    audit_change(actor=actor, action="inventory.opening_stock", target=product, before=None,
                 after={"location": location.pk, "quantity": str(quantity), "unit_cost": str(unit_cost)})
    return move


@transaction.atomic
def reorder_rule_set(*, actor, product: Product, warehouse: Warehouse, min_quantity, max_quantity) -> ReorderRule:
    minimum, maximum = Decimal(str(min_quantity)), Decimal(str(max_quantity))
    if minimum < 0 or maximum < minimum:
        raise ErpError("reorder_invalid", _("The maximum must be at least the minimum, and both at least 0."),
                       field="max_quantity")
    if product.kind != Product.Kind.GOODS:
        raise ErpError("not_stocked", _("Only goods are kept in stock."), field="product")
    rule, _created = ReorderRule.objects.update_or_create(
        product=product, warehouse=warehouse, defaults={"min_quantity": minimum, "max_quantity": maximum})
    audit_change(actor=actor, action="inventory.reorder_rule_set", target=rule, before=None,
                 after=snapshot(rule))
    return rule


@transaction.atomic
def reorder_rule_delete(*, actor, rule: ReorderRule) -> None:
    audit_change(actor=actor, action="inventory.reorder_rule_deleted", target=rule, before=snapshot(rule),
                 after=None)
    rule.delete()

