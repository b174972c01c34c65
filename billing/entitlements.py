"""The one answer to "may this workspace use feature X?" and "would this exceed limit Y?".

The same check guards views (``feature_required``), the API (``api_feature_required``: 402
with a stable error code), the navigation (``NavItem.feature``: a locked entry with a lock),
templates (``{% feature "key" as ok %}``) and Celery tasks (``task_feature_required``).
The answer is cached per workspace in Redis and, for ``TENANT_HOST_CACHE_SECONDS``, in the process
(like the host and membership lookups); a change drops both at once in the process that made it, and
reaches other processes within those seconds.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from billing.catalogue import DEFAULT_TIER, FEATURES, TIERS
from billing.errors import BillingError

logger = logging.getLogger(__name__)
CACHE_SECONDS = 300


@dataclass(frozen=True)
class Entitlements:
    plan_code: str
    rank: int
    features: frozenset[str]
    limits: dict
    status: str

    @property
    def read_only(self) -> bool:
        """Unpaid past the grace period: reads and exports work, writes are refused."""
        return self.status == "unpaid"

    def allows(self, feature: str) -> bool:
        return feature in self.features

    def limit(self, key: str) -> int | None:
        return self.limits.get(key)


def _cache_key(tenant_id: int) -> str:
    return f"entitlements:{tenant_id}"


_local: dict[int, tuple[float, Entitlements]] = {}


def entitlements_for(tenant) -> Entitlements:
    hit = _local.get(tenant.pk)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    result = _entitlements_shared(tenant)
    if settings.TENANT_HOST_CACHE_SECONDS > 0:
        _local[tenant.pk] = (time.monotonic() + settings.TENANT_HOST_CACHE_SECONDS, result)
    return result


def _entitlements_shared(tenant) -> Entitlements:
    cache = caches["platform"]
    cached = cache.get(_cache_key(tenant.pk))
    if cached is not None:
        return Entitlements(**{**cached, "features": frozenset(cached["features"])})
    from billing.models import Subscription

    subscription = Subscription.objects.select_related("plan").filter(tenant_id=tenant.pk).first()
    if subscription is None:
        # Workspaces made before billing existed run on the free tier until they subscribe.
        tier = TIERS[DEFAULT_TIER]
        result = Entitlements(tier.code, tier.rank, tier.features, dict(tier.limits), "active")
    else:
        plan = subscription.plan
        result = Entitlements(plan.code, plan.rank, frozenset(plan.features), dict(plan.limits), subscription.status)
    cache.set(_cache_key(tenant.pk), {**result.__dict__, "features": sorted(result.features)}, CACHE_SECONDS)
    return result


def entitlements_of_request(request) -> Entitlements:
    """The request's workspace entitlements, read once per request (menu, banner, guards share it)."""
    cached = getattr(request, "_entitlements", None)
    if cached is None:
        cached = request._entitlements = entitlements_for(request.tenant)
    return cached


def entitlements_forget(*tenant_ids: int) -> None:
    for tenant_id in tenant_ids:
        _local.pop(tenant_id, None)
    caches["platform"].delete_many([_cache_key(tenant_id) for tenant_id in tenant_ids])


def lowest_plan_with(feature: str):
    from billing.models import Plan

    plan = Plan.objects.filter(is_active=True, features__contains=[feature]).order_by("rank").first()
    return plan


def feature_blocked_error(feature: str) -> BillingError:
    plan = lowest_plan_with(feature)
    label = FEATURES[feature].label_en if feature in FEATURES else feature
    return BillingError(
        "feature_not_in_plan",
        _("%(feature)s is not in your plan.") % {"feature": label},
        feature=feature,
        required_plan=plan.code if plan else None,
    )


def feature_required(feature: str):
    """Views: a workspace without ``feature`` gets the upgrade page (HTTP 402), never the view."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not entitlements_of_request(request).allows(feature):
                return upgrade_page(request, feature)
            return view(request, *args, **kwargs)

        wrapped.required_feature = feature
        return wrapped

    return decorator


def upgrade_page(request, feature: str, status: int = 402):
    plan = lowest_plan_with(feature)
    return render(
        request,
        "billing/upgrade.html",
        {"feature": FEATURES.get(feature), "feature_key": feature, "required_plan": plan,
         "current": entitlements_of_request(request)},
        status=status,
    )


def api_feature_required(feature: str):
    """API endpoints: 402 with ``{"error": {"code": "feature_not_in_plan", ...}}``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not entitlements_of_request(request).allows(feature):
                error = feature_blocked_error(feature)
                return JsonResponse(error.as_json(), status=error.http_status)
            return view(request, *args, **kwargs)

        wrapped.required_feature = feature
        return wrapped

    return decorator


def task_feature_required(feature: str):
    """Celery tasks run in their workspace's schema; without ``feature`` they refuse and do nothing."""

    def decorator(task_function):
        @wraps(task_function)
        def wrapped(*args, **kwargs):
            tenant = getattr(connection, "tenant", None)
            if tenant is None or not hasattr(tenant, "pk") or not entitlements_for(tenant).allows(feature):
                logger.warning("task %s refused: feature %s not in plan of %s", task_function.__name__, feature,
                               getattr(tenant, "schema_name", "?"))
                raise feature_blocked_error(feature)
            return task_function(*args, **kwargs)

        return wrapped

    return decorator


def limit_check(*, tenant, key: str, current: int, adding: int = 1) -> None:
    """Raise ``limit_exceeded`` if ``current + adding`` would pass the plan's limit.

    Callers count ``current`` inside the transaction that adds, under the lock that
    serialises those additions (e.g. the tenant row for seats).
    """
    maximum = entitlements_for(tenant).limit(key)
    if maximum is not None and current + adding > maximum:
        raise BillingError(
            "limit_exceeded",
            _("Your plan allows %(max)d %(what)s. Upgrade to add more.") % {"max": maximum, "what": key},
            limit=key, maximum=maximum,
        )
