"""``{% party_balance_section party %}``: on a party's page, what the party owes and is owed on its invoices, the
overdue part, advances, and the payment status of its latest invoices, when the workspace's plan has invoicing and
the member may see the ERP (else nothing is drawn, and nothing is queried). Two queries."""

from django import template

from billing.entitlements import entitlements_of_request
from modules.erp.invoicing.selectors_payments import party_balance
from tenants.access import membership_allows
from tenants.roles import Access

register = template.Library()
SHOWN = 10


@register.inclusion_tag("erp/invoicing/_party_balance.html", takes_context=True)
def party_balance_section(context, party):
    request = context.get("request")
    membership = context.get("membership") or getattr(request, "membership", None)
    allowed = (request is not None and getattr(request, "tenant", None) is not None and membership is not None
               and entitlements_of_request(request).allows("erp.invoicing")
               and membership_allows(membership, "erp", Access.VIEW))
    balance = party_balance(party, limit=SHOWN) if allowed else None
    return {"shown": allowed and (party.is_customer or party.is_supplier or balance.has_any), "party": party,
            "balance": balance, "can_pay": allowed and membership_allows(membership, "erp", Access.EDIT)}
