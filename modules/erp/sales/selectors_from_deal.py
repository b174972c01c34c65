"""Reads for the CRM's deal pages: the deal's order (number, state, delivered progress) and the board's badges."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, Sum
from django.urls import NoReverseMatch, reverse

from billing.entitlements import entitlements_of_request
from modules.crm.models import Deal, Stage
from modules.erp.catalog.models import Product
from modules.erp.sales.models import SalesOrder
from modules.events.models import OutboxEvent
from tenants.access import membership_allows
from tenants.roles import Access

STOCKED = Q(lines__product__kind=Product.Kind.GOODS)


def order_url(order: SalesOrder) -> str | None:
    """The order's page, once the sales pages are there."""
    try:
        return reverse("sales_order_detail", args=[order.pk])
    except NoReverseMatch:
        return None


def order_of_deal(deal_id: int) -> SalesOrder | None:
    """The deal's order with its delivered progress in base units of stocked lines (services are not delivered)."""
    return (SalesOrder.objects.filter(deal_id=deal_id)
            .annotate(qty_ordered=Sum("lines__quantity_base", filter=STOCKED),
                      qty_delivered=Sum("lines__qty_delivered", filter=STOCKED)).first())


def deal_won_pending(deal_id: int) -> bool:
    """A ``deal.won`` event of this deal not yet tried: its quotation is on the way."""
    return OutboxEvent.objects.filter(topic="deal.won", payload__deal_id=deal_id, handled_at__isnull=True,
                                      attempts=0).exists()


def deal_order_panel(*, deal: Deal, request) -> dict:
    """What the deal page shows of the ERP: its order and progress, or a quotation on its way (Scale, automatic),
    or the "Create quotation" button (a won deal with lines and no order; Growth, or when the automatic one
    could not be made)."""
    order = order_of_deal(deal.pk)
    won = deal.stage.kind == Stage.Kind.WON
    pending = won and order is None and deal_won_pending(deal.pk)
    ordered = (order.qty_ordered or Decimal(0)) if order else Decimal(0)
    delivered = (order.qty_delivered or Decimal(0)) if order else Decimal(0)
    return {
        "deal": deal,
        "order": order,
        "order_url": order_url(order) if order else None,
        "ordered": ordered,
        "delivered": delivered,
        "percent": int(delivered * 100 / ordered) if ordered else None,
        "pending": pending,
        "automatic": entitlements_of_request(request).allows("erp.crm_flow"),
        "can_create": (won and order is None and not pending and bool(deal.lines.all())
                       and membership_allows(request.membership, "erp", Access.EDIT)),
    }


def order_badges(deal_ids: list[int]) -> dict[int, SalesOrder]:
    """Deal id -> its order (number and state only), in one query for a board of cards."""
    return {order.deal_id: order for order in SalesOrder.objects.filter(deal_id__in=deal_ids)
            .only("pk", "number", "state", "deal_id")}
