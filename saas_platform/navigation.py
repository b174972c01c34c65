"""The workspace navigation, built from what the workspace has.

Each module adds its entries here (``nav_register``) with the URL name it serves and the
module access it needs; the shell shows only entries whose URL exists and that the member
may open. Later issues add entitlements (a locked entry shows a lock).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from tenants.access import membership_allows
from tenants.roles import Access


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    icon: str
    module: str | None = None
    level: Access = Access.VIEW
    # A plan feature: without it the entry shows a lock and leads to the upgrade page.
    feature: str | None = None
    order: int = 50


NAV_ITEMS: list[NavItem] = []


def nav_register(item: NavItem) -> None:
    NAV_ITEMS.append(item)
    NAV_ITEMS.sort(key=lambda entry: entry.order)


def nav_for(request) -> list[dict]:
    from billing.entitlements import entitlements_of_request

    entitlements = entitlements_of_request(request)
    items = []
    for item in NAV_ITEMS:
        if item.module and not membership_allows(request.membership, item.module, item.level):
            continue
        try:
            url = reverse(item.url_name, urlconf=request.urlconf)
        except NoReverseMatch:
            continue
        locked = bool(item.feature) and not entitlements.allows(item.feature)
        if locked:
            url = reverse("billing_upgrade", args=[item.feature], urlconf=request.urlconf)
        items.append({"key": item.key, "label": item.label, "url": url, "icon": item.icon, "active": False,
                      "locked": locked})
    # The entry whose address is the longest prefix of this page is the current one (/crm/ vs /crm/deals/).
    matching = [entry for entry in items if request.path == entry["url"]
                or (entry["url"] != "/" and request.path.startswith(entry["url"]))]
    if matching:
        max(matching, key=lambda entry: len(entry["url"]))["active"] = True
    return items


nav_register(NavItem(key="dashboard", label=_("Dashboard"), url_name="dashboard", icon="home", order=0))
nav_register(NavItem(key="team", label=_("Team"), url_name="team", icon="users", module="team", order=80))
nav_register(NavItem(key="audit", label=_("Audit log"), url_name="audit_log", icon="list", module="audit",
                     feature="platform.audit_export", order=85))
nav_register(NavItem(key="billing", label=_("Billing"), url_name="billing_overview", icon="card", module="billing",
                     order=90))
nav_register(NavItem(key="security", label=_("Account security"), url_name="mfa_index", icon="shield", order=95))
