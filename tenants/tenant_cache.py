"""The two lookups every workspace request makes, cached in the process for a few seconds.

- host -> tenant (stock django-tenants queries the domain table on every request);
- (tenant, user) -> active membership (the access guard).

A hit costs no round trip. A change (suspend, reactivate, a membership removed or its role
changed) clears this process's cache at once and on commit, and reaches other processes
within ``TENANT_HOST_CACHE_SECONDS`` (default 5 s; 0 turns the cache off). Misses for
unknown hosts and non-members are not cached, so random hosts or users cannot grow it.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.db import connection

from tenants.models import Domain, Membership, Tenant

_hosts: dict[str, tuple[float, Tenant]] = {}
_memberships: dict[tuple[int, int], tuple[float, Membership]] = {}
_lock = threading.Lock()
_MODULE_ACCESS = Membership._meta.get_field("module_access")


def _remember(store: dict, key, value) -> None:
    ttl = settings.TENANT_HOST_CACHE_SECONDS
    if ttl > 0:
        with _lock:
            store[key] = (time.monotonic() + ttl, value)


def _recall(store: dict, key):
    hit = store.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    return None


def tenant_for_host(hostname: str) -> Tenant | None:
    tenant = _recall(_hosts, hostname)
    if tenant is None:
        try:
            tenant = Domain.objects.select_related("tenant").get(domain=hostname).tenant
        except Domain.DoesNotExist:
            return None
        _remember(_hosts, hostname, tenant)
    return tenant


def membership_for(*, tenant: Tenant, user) -> Membership | None:
    """The user's active membership in ``tenant``, or None (the guard's check)."""
    cached = _recall(_memberships, (tenant.pk, user.pk))
    if cached is None:
        # A bare cursor on the (tenant, user) unique index: the ORM would cost more than the query.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, role, module_access FROM tenants_membership"
                " WHERE tenant_id = %s AND user_id = %s AND is_active",
                [tenant.pk, user.pk],
            )
            row = cursor.fetchone()
        if row is None:
            return None
        cached = (row[0], row[1], _MODULE_ACCESS.from_db_value(row[2], None, connection))
        _remember(_memberships, (tenant.pk, user.pk), cached)
    membership_id, role, module_access = cached
    # A fresh instance per request: views may read or change it without touching the cache.
    return Membership(id=membership_id, tenant=tenant, user=user, role=role, module_access=dict(module_access),
                      is_active=True)


def tenant_host_cache_clear() -> None:
    with _lock:
        _hosts.clear()
        _memberships.clear()
