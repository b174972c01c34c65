"""Row locks, taken in one order by every caller (tenant row first, then memberships)."""

from tenants.models import Tenant


def membership_lock_for_tenant(*, tenant: Tenant) -> Tenant:
    """Serialise membership changes of one workspace (seat limits, last-owner rule)."""
    return Tenant.objects.select_for_update().get(pk=tenant.pk)
