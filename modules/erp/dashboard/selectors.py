"""Reads for the ERP overview, each in one query (the purchase suggestions in their selector's fixed number).

Money is in VND: stock is valued in VND, and orders in another currency count at their exchange rate.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext as _

from modules.erp.catalog.models import Product
from modules.erp.inventory.models import Picking, ProductValuation
from modules.erp.inventory.selectors import stock_level_list
from modules.erp.sales.models import SalesOrder, SalesOrderLine

ZERO = Decimal(0)
QTY = DecimalField(max_digits=16, decimal_places=3)
MONEY = DecimalField(max_digits=20, decimal_places=2)
LIST_SIZE = 10
PALETTE = ["#1e5eff", "#2e9d5b", "#f0a030", "#d64545", "#7b4fd6", "#0ea5b7", "#c2410c", "#64748b", "#a16207",
           "#db2777"]
# Orders that count as sales: confirmed or delivered (quotations are not sales yet, cancelled ones never were).
SOLD_STATES = (SalesOrder.State.CONFIRMED, SalesOrder.State.DONE)


def product_counts() -> dict:
    return Product.objects.filter(is_active=True).aggregate(
        products=Count("id"), goods=Count("id", filter=Q(kind=Product.Kind.GOODS)))


def stock_value_by_category() -> list[dict]:
    """Stock value per product category (largest first), products without a category together at the end."""
    rows = (ProductValuation.objects.filter(quantity__gt=0)
            .values("product__category_id", "product__category__name")
            .annotate(value=Sum("value"), products=Count("product_id")).order_by("-value"))
    named = [{"name": row["product__category__name"], "value": row["value"], "products": row["products"]}
             for row in rows if row["product__category_id"] is not None]
    loose = [{"name": _("No category"), "value": row["value"], "products": row["products"]}
             for row in rows if row["product__category_id"] is None]
    return named + loose


def stock_value_chart(categories: list[dict]) -> dict:
    return {"type": "doughnut", "currency": "VND", "labels": [str(row["name"]) for row in categories],
            "datasets": [{"label": _("Stock value"), "data": [float(row["value"]) for row in categories],
                          "colors": [PALETTE[index % len(PALETTE)] for index in range(len(categories))]}]}


def low_stock(limit: int = LIST_SIZE) -> list[Product]:
    """Goods whose available quantity is below their reorder minimum, or, without a rule, at or below zero while
    there is open demand: reserved stock, or confirmed sales order lines still waiting for stock."""
    waiting = (SalesOrderLine.objects.filter(product=OuterRef("pk"), order__state=SalesOrder.State.CONFIRMED)
               .values("product").annotate(total=Sum(F("quantity_base") - F("qty_delivered") - F("qty_reserved")))
               .values("total"))
    products = stock_level_list().annotate(
        waiting=Coalesce(Subquery(waiting, output_field=QTY), Value(ZERO), output_field=QTY))
    products = products.filter(Q(reorder_min__isnull=False, available__lt=F("reorder_min"))
                               | Q(reorder_min__isnull=True, available__lte=0)
                               & (Q(reserved__gt=0) | Q(waiting__gt=0)))
    return list(products.order_by(F("available") - Coalesce(F("reorder_min"), Value(ZERO), output_field=QTY),
                                  "name", "pk")[:limit])


def deliveries_due(today: datetime.date, limit: int = LIST_SIZE) -> dict:
    """Delivery operations ready to go today or late (two queries: the counts, the first ``limit``)."""
    due = Picking.objects.filter(kind=Picking.Kind.DELIVERY, state=Picking.State.READY, scheduled_date__lte=today)
    counts = due.aggregate(total=Count("id"), overdue=Count("id", filter=Q(scheduled_date__lt=today)))
    rows = list(due.select_related("party", "sales_order", "warehouse").order_by("scheduled_date", "pk")[:limit])
    for picking in rows:
        picking.is_overdue = picking.scheduled_date < today
    return {"total": counts["total"], "overdue": counts["overdue"], "today": counts["total"] - counts["overdue"],
            "rows": rows}


def sales_by_month(today: datetime.date, months: int = 12) -> list[dict]:
    """Confirmed and delivered sales orders per month of their order date, before VAT, in VND."""
    start = today.replace(day=1) - relativedelta(months=months - 1)
    rows = (SalesOrder.objects.filter(state__in=SOLD_STATES, order_date__gte=start)
            .annotate(month=TruncMonth("order_date")).values("month")
            .annotate(amount=Sum(F("amount_untaxed") * F("exchange_rate"), output_field=MONEY), orders=Count("id")))
    by_month = {row["month"].strftime("%Y-%m"): row for row in rows}
    result = []
    for offset in range(months):
        month = start + relativedelta(months=offset)
        row = by_month.get(month.strftime("%Y-%m"), {})
        result.append({"month": month, "amount": (row.get("amount") or ZERO).quantize(Decimal(1)),
                       "orders": row.get("orders", 0)})
    return result


def sales_chart(months: list[dict]) -> dict:
    return {"type": "bar", "currency": "VND", "labels": [row["month"].strftime("%m/%Y") for row in months],
            "datasets": [{"label": _("Sales orders (before VAT)"), "data": [float(row["amount"]) for row in months],
                          "color": PALETTE[0]}]}


def purchase_suggestion_count() -> int | None:
    """How many products need buying, from the purchasing selector; None where purchasing has none."""
    try:
        from modules.erp.purchasing.selectors import purchase_suggestions
    except ImportError:
        return None
    return len(purchase_suggestions())
