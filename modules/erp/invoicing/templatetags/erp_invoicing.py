"""``{% sales_order_invoices_section order %}``: on a sales order's page, its invoices and credit notes, and the
button that drafts an invoice (by delivered or ordered quantity), when the plan has invoicing and the member may
see the ERP (else nothing is drawn, and nothing is queried). One query."""

from django import template

from billing.entitlements import entitlements_of_request
from modules.erp.invoicing.forms import FromOrderForm
from modules.erp.invoicing.selectors import sales_order_invoices
from tenants.access import membership_allows
from tenants.roles import Access

register = template.Library()


@register.inclusion_tag("erp/invoicing/_order_invoices.html", takes_context=True)
def sales_order_invoices_section(context, order):
    request = context.get("request")
    membership = context.get("membership") or getattr(request, "membership", None)
    allowed = (request is not None and getattr(request, "tenant", None) is not None and membership is not None
               and entitlements_of_request(request).allows("erp.invoicing")
               and membership_allows(membership, "erp", Access.VIEW))
    if not allowed:
        return {"shown": False}
    return {"shown": True, "order": order, "invoices": sales_order_invoices(order), "form": FromOrderForm(),
            "can_invoice": order.state in ("confirmed", "done") and membership_allows(membership, "erp", Access.EDIT),
            "csrf_token": context.get("csrf_token")}
