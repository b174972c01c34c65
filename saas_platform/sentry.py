"""Sentry, on when SENTRY_DSN is set. Events carry the tenant and user id, never personal data."""

from __future__ import annotations

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.redis import RedisIntegration


def _scrub(event, hint):
    user = event.get("user") or {}
    # Keep only the id: no email, username or IP address leaves the process.
    event["user"] = {"id": user["id"]} if "id" in user else {}
    return event


def sentry_init(*, dsn: str, environment: str, transport=None) -> bool:
    if not dsn:
        return False
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration(), RedisIntegration()],
        # No personal data: no user details, cookies, request bodies or local variables.
        data_collection={"user_info": False, "http_bodies": [], "stack_frame_variables": False},
        traces_sample_rate=0.0,
        before_send=_scrub,
        transport=transport,
    )
    return True


def sentry_tag_request(*, tenant, user) -> None:
    """Tag the current scope with the workspace and the user id (called by the access guard)."""
    scope = sentry_sdk.get_current_scope()
    scope.set_tag("tenant", tenant.schema_name if tenant is not None else "public")
    if user is not None and user.is_authenticated:
        scope.set_user({"id": str(user.pk)})
