"""The one check views use for per-module access within a workspace."""

from functools import wraps

from django.shortcuts import render

from tenants.roles import Access, module_access


def membership_allows(membership, module: str, level: Access) -> bool:
    if membership is None:
        return False
    return module_access(role=membership.role, module=module, overrides=membership.module_access) >= level


def module_required(module: str, level: Access = Access.VIEW):
    """Refuse with a clear 403 page when the member's access to ``module`` is below ``level``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not membership_allows(request.membership, module, level):
                return render(request, "tenants/forbidden.html", {"module": module}, status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
