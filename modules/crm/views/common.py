"""What every CRM view needs: the module's access level and the plan feature, checked together."""

from billing.entitlements import feature_required
from tenants.access import module_required
from tenants.roles import Access


def crm_view(feature: str, level: Access = Access.VIEW):
    """Guard a CRM view by the member's CRM access (edit for writes) and by the plan's feature."""

    def decorator(view):
        return module_required("crm", level)(feature_required(feature)(view))

    return decorator
