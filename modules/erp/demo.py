"""Demo ERP data for `make run`'s demo workspace: a few products with opening stock and reorder rules, orders in
each state, and (with the books set up) an invoice half paid, so every ERP page has something to show. Runs once
(skipped when the workspace already has products); it goes through the real services, so the books stay
consistent."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from modules.erp.catalog.models import Product, ProductCategory, Unit
from modules.erp.catalog.services import product_create, product_unit_add
from modules.erp.inventory.models import Warehouse
from modules.erp.inventory.services import default_location, picking_validate, reorder_rule_set, stock_opening_set
from modules.erp.sales.services import sales_order_confirm, sales_order_create
from modules.parties.models import Party

PRODUCTS = [  # sku, name, price, opening quantity, unit cost, reorder (min, max)
    ("VPP-001", "Giấy in A4 Double A 80gsm", 85_000, 120, 62_000, (50, 200)),
    ("VPP-002", "Bút bi Thiên Long TL-027", 5_000, 900, 3_200, (300, 1200)),
    ("VPP-003", "Sổ tay bìa da A5", 65_000, 35, 41_000, (40, 120)),
    ("TB-001", "Máy hủy tài liệu Bosser 110", 3_450_000, 6, 2_600_000, (2, 8)),
    ("TB-002", "Bàn phím không dây Logitech K270", 590_000, 18, 410_000, (5, 25)),
]


@transaction.atomic
def erp_demo_seed(*, actor) -> bool:
    if Product.objects.exists():
        return False
    category = ProductCategory.objects.get_or_create(parent=None, name="Văn phòng phẩm")[0]
    piece, box = Unit.objects.get(code="chiec"), Unit.objects.get(code="hop")
    location = default_location(Warehouse.objects.get(is_default=True))
    products = []
    for sku, name, price, quantity, cost, (minimum, maximum) in PRODUCTS:
        product = product_create(actor=actor, sku=sku, name=name, base_unit=piece, category=category,
                                 sale_price=Decimal(price))
        stock_opening_set(actor=actor, product=product, location=location, quantity=quantity, unit_cost=cost)
        reorder_rule_set(actor=actor, product=product, warehouse=location.warehouse, min_quantity=minimum,
                         max_quantity=maximum)
        products.append(product)
    product_unit_add(product=products[1], unit=box, factor=20, actor=actor)
    customers = list(Party.objects.filter(is_customer=True, is_active=True).order_by("pk")[:3])
    if not customers:
        return True
    today = timezone.localdate()
    quotation = sales_order_create(actor=actor, party=customers[0], validity_date=today + datetime.timedelta(days=15),
                                   lines=[{"product": products[0], "quantity": 20},
                                          {"product": products[1], "unit": box, "quantity": 3}])
    to_deliver = sales_order_confirm(actor=actor, order=sales_order_create(
        actor=actor, party=customers[1 % len(customers)], commitment_date=today,
        lines=[{"product": products[3], "quantity": 2}, {"product": products[4], "quantity": 5}]))
    delivered = sales_order_confirm(actor=actor, order=sales_order_create(
        actor=actor, party=customers[2 % len(customers)], lines=[{"product": products[2], "quantity": 30}]))
    picking_validate(actor=actor, picking=delivered.pickings.get())
    _invoice_and_half_payment(actor=actor, order=delivered)
    return bool(quotation and to_deliver)


def _invoice_and_half_payment(*, actor, order) -> None:
    """With the books set up (the onboarding template does it on plans with invoicing): the delivered order is
    invoiced and half paid by bank, so the invoice, payment, ledger and report pages have figures."""
    from modules.erp.accounting.models import AccountingSettings
    from modules.erp.invoicing.services import invoice_from_sales_order, invoice_post
    from modules.erp.invoicing.services.payments import payment_register

    if not AccountingSettings.objects.exists():
        return
    invoice = invoice_post(actor=actor, invoice=invoice_from_sales_order(actor=actor, order=order))
    payment_register(actor=actor, kind="inbound", party=invoice.party, amount=invoice.amount_total // 2,
                     method="bank", reference=invoice.display_number)
