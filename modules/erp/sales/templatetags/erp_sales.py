"""``{% party_sales_orders_section party %}``: the customer's sales orders on its party page (number, date,
state, total, delivery progress), when the workspace's plan has sales and the member may see the ERP. One query."""

from django import template

from billing.entitlements import entitlements_of_request
from modules.erp.sales.selectors import party_orders
from modules.erp.sales.views._common import STATE_BADGES, delivery_of
from tenants.access import membership_allows
from tenants.roles import Access

register = template.Library()
SHOWN = 10


@register.inclusion_tag("erp/sales/_party_orders.html", takes_context=True)
def party_sales_orders_section(context, party):
    request = context.get("request")
    membership = context.get("membership") or getattr(request, "membership", None)
    allowed = (request is not None and getattr(request, "tenant", None) is not None and membership is not None
               and entitlements_of_request(request).allows("erp.sales")
               and membership_allows(membership, "erp", Access.VIEW))
    orders = party_orders(party=party, limit=SHOWN) if allowed else []
    rows = [{"order": order, "delivery": delivery_of(order), "badge": STATE_BADGES.get(order.state, "")}
            for order in orders]
    return {"shown": allowed and (party.is_customer or bool(rows)), "party": party, "rows": rows,
            "more": len(rows) == SHOWN, "can_sell": allowed and membership_allows(membership, "erp", Access.EDIT)}
