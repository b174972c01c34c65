"""Test-only endpoints guarded by features of each tier boundary, beside the real workspace URLs.

The CRM and ERP modules that own these features are not built yet; their views will carry the same
decorators. The Enterprise boundary is also tested through the real audit-log export.
"""

from django.http import HttpResponse, JsonResponse
from django.urls import include, path

from billing.entitlements import api_feature_required, feature_required


def _page(request, feature):
    return HttpResponse(f"inside {feature}")


def _api(request, feature):
    return JsonResponse({"inside": feature})


FEATURES = ["crm.tickets", "platform.api", "platform.audit_export"]

urlpatterns = [
    *[path(f"gated/{feature}/", feature_required(feature)(_page), {"feature": feature}, name=f"gated_{feature}")
      for feature in FEATURES],
    *[path(f"api/gated/{feature}/", api_feature_required(feature)(_api), {"feature": feature},
           name=f"gated_api_{feature}") for feature in FEATURES],
    path("", include("saas_platform.urls_tenant")),
]
