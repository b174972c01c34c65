"""What every ERP view needs: the member's ERP access and the plan feature, checked together."""

from billing.entitlements import feature_required
from tenants.access import module_required
from tenants.roles import Access


def erp_view(feature: str, level: Access = Access.VIEW):
    """Guard an ERP view by the member's ERP access (edit for writes) and by the plan's feature."""

    def decorator(view):
        return module_required("erp", level)(feature_required(feature)(view))

    return decorator
