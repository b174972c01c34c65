"""What the sales views share: the plan feature, edit access, and where a service error goes on a form."""

from __future__ import annotations

from decimal import Decimal

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy

from modules.erp.sales.models import SalesOrder
from modules.erp.sales.selectors import Delivery
from tenants.access import membership_allows
from tenants.roles import Access

FEATURE = "erp.sales"
PAGE_SIZE = 50
State = SalesOrder.State
DELIVERY_LABELS = {
    Delivery.NONE: gettext_lazy("Not delivered"),
    Delivery.PARTLY: gettext_lazy("Partly delivered"),
    Delivery.FULLY: gettext_lazy("Fully delivered"),
    Delivery.NOTHING_TO_DELIVER: gettext_lazy("Nothing to deliver"),
}
STATE_BADGES = {State.QUOTATION: "", State.SENT: "badge-warn", State.CONFIRMED: "badge-active",
                State.DONE: "badge-won", State.CANCELLED: "badge-closed"}


def can_edit(request) -> bool:
    return membership_allows(request.membership, "erp", Access.EDIT)


def first_url(names: tuple[str, ...], *args) -> str | None:
    """The first of ``names`` that resolves (pages built by others may not be there yet)."""
    for name in names:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None


def delivery_of(order) -> dict:
    """The delivery column of an order annotated by ``selectors.with_delivery``."""
    ordered, delivered = order.goods_ordered or Decimal(0), order.goods_delivered or Decimal(0)
    status = Delivery.status(ordered, delivered)
    return {"status": status, "label": DELIVERY_LABELS[status], "ordered": ordered, "delivered": delivered,
            "percent": int(delivered * 100 / ordered) if ordered else None}
