"""``{% party_purchase_orders party %}``: the supplier's purchase orders on its party page, when the workspace's
plan has purchasing and the member may see the ERP (else nothing is drawn)."""

from django import template

from billing.entitlements import entitlements_of_request
from modules.erp.purchasing.selectors import party_purchase_orders
from tenants.access import membership_allows
from tenants.roles import Access

register = template.Library()
SHOWN = 10


@register.inclusion_tag("erp/purchasing/_party_orders.html", takes_context=True)
def party_purchase_orders_section(context, party):
    request = context.get("request")
    membership = context.get("membership") or getattr(request, "membership", None)
    shown = (request is not None and getattr(request, "tenant", None) is not None and membership is not None
             and entitlements_of_request(request).allows("erp.purchasing")
             and membership_allows(membership, "erp", Access.VIEW)
             and (party.is_supplier or party.purchase_orders.exists()))
    orders = party_purchase_orders(party, limit=SHOWN) if shown else []
    return {"shown": shown, "party": party, "orders": orders,
            "can_buy": shown and membership_allows(membership, "erp", Access.EDIT)}
