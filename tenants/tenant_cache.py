"""Host -> tenant lookups, cached in the process for a few seconds.

Stock django-tenants queries the domain table on every request. Here a hit costs no
round trip; a status change (suspend, reactivate) clears this process's cache at once
and reaches other processes within ``TENANT_HOST_CACHE_SECONDS``. Unknown hosts are not
cached, so a flood of random hosts cannot grow the cache.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings

from tenants.models import Domain, Tenant

_cache: dict[str, tuple[float, Tenant]] = {}
_lock = threading.Lock()


def tenant_for_host(hostname: str) -> Tenant | None:
    now = time.monotonic()
    hit = _cache.get(hostname)
    if hit is not None and hit[0] > now:
        return hit[1]
    try:
        domain = Domain.objects.select_related("tenant").get(domain=hostname)
    except Domain.DoesNotExist:
        return None
    with _lock:
        _cache[hostname] = (now + settings.TENANT_HOST_CACHE_SECONDS, domain.tenant)
    return domain.tenant


def tenant_host_cache_clear() -> None:
    with _lock:
        _cache.clear()
