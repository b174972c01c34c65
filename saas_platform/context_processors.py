from django.conf import settings

from saas_platform.navigation import nav_for
from tenants.selectors import memberships_for_user


def shell(request) -> dict:
    """What the base layout needs: navigation, the workspace switcher, the impersonation banner."""
    membership = getattr(request, "membership", None)
    # Only members learn the workspace's name; guard pages and open views show none.
    tenant = getattr(request, "tenant", None) if membership is not None else None
    context = {"tenant": tenant, "membership": membership, "base_domain": settings.BASE_DOMAIN}
    if tenant is not None and membership is not None:
        context["nav_items"] = nav_for(request)
        context["other_workspaces"] = [
            m.tenant for m in memberships_for_user(user=request.user) if m.tenant_id != tenant.pk
        ]
        context["impersonating"] = bool(request.session.get("impersonator_id"))
    return context
