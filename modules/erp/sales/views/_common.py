"""What the sales views share: the plan feature, edit access, and where a service error goes on a form."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from tenants.access import membership_allows
from tenants.roles import Access

FEATURE = "erp.sales"
PAGE_SIZE = 50


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
