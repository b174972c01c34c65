"""The Stripe boundary: every call billing makes to Stripe goes through these functions.

They speak plain dicts so nothing outside this module depends on the SDK's object types.
API failures surface as the SDK's ``stripe.StripeError`` subclasses; webhook verification
failures as ``StripeSignatureError``. The API version is the one the installed SDK pins.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import stripe
from django.conf import settings

WEBHOOK_TOLERANCE_SECONDS = 300
# Retries reuse the request's idempotency key, so they are safe; kept short because callers wait on them.
MAX_NETWORK_RETRIES = 2

SIGNATURE_INVALID = "stripe_signature_invalid"
SIGNATURE_STALE = "stripe_signature_stale"


class StripeSignatureError(Exception):
    """A webhook whose ``Stripe-Signature`` does not verify (``code`` says whether forged/garbled or stale)."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code
        self.message = message or code


def stripe_enabled() -> bool:
    """Whether Stripe is configured (both the secret key and the webhook secret are set)."""
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)


def _http_client() -> stripe.HTTPClient | None:
    """The SDK's transport; None means its default. Tests replace this with a fake of Stripe's HTTP API."""
    return None


def stripe_client() -> stripe.StripeClient:
    """A client built from settings."""
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        http_client=_http_client(),
        max_network_retries=MAX_NETWORK_RETRIES,
    )


def checkout_session_create(
    *,
    tenant_id: int,
    customer_id: str | None,
    customer_email: str,
    price_id: str,
    success_url: str,
    cancel_url: str,
    idempotency_key: str,
) -> dict[str, str]:
    """Start a subscription Checkout for a workspace; returns ``{"id", "url"}``."""
    metadata = {"tenant_id": str(tenant_id)}
    params: dict[str, Any] = {
        "mode": "subscription",
        "line_items": [{"price": price_id, "quantity": 1}],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "client_reference_id": str(tenant_id),
        "metadata": metadata,
        # On the subscription too: its webhooks arrive without the session.
        "subscription_data": {"metadata": metadata},
    }
    # Stripe rejects a request carrying both; an existing customer keeps its own email.
    if customer_id:
        params["customer"] = customer_id
    else:
        params["customer_email"] = customer_email
    session = stripe_client().v1.checkout.sessions.create(params=params, options={"idempotency_key": idempotency_key})
    return {"id": session.id, "url": session.url}


def portal_session_create(*, customer_id: str, return_url: str, idempotency_key: str) -> str:
    """Open a Billing Portal session for a customer; returns its URL."""
    session = stripe_client().v1.billing_portal.sessions.create(
        params={"customer": customer_id, "return_url": return_url}, options={"idempotency_key": idempotency_key}
    )
    return session.url


def subscription_retrieve(*, subscription_id: str) -> dict[str, Any]:
    """A subscription, normalised (see ``_subscription_normalise``)."""
    subscription = stripe_client().v1.subscriptions.retrieve(subscription_id)
    return _subscription_normalise(subscription.to_dict())


def subscription_change_price(*, subscription_id: str, price_id: str, idempotency_key: str) -> dict[str, Any]:
    """Move a single-item subscription to another price, prorated; returns it normalised."""
    client = stripe_client()
    current = client.v1.subscriptions.retrieve(subscription_id).to_dict()
    items = (current.get("items") or {}).get("data") or []
    # Without the item id Stripe would add a second item and bill both prices.
    if len(items) != 1:
        raise ValueError(f"subscription {subscription_id} has {len(items)} items; expected exactly one")
    updated = client.v1.subscriptions.update(
        subscription_id,
        params={
            "items": [{"id": items[0]["id"], "price": price_id}],
            "proration_behavior": "create_prorations",
        },
        options={"idempotency_key": idempotency_key},
    )
    return _subscription_normalise(updated.to_dict())


def subscription_cancel(*, subscription_id: str, idempotency_key: str) -> dict[str, Any]:
    """Cancel a subscription now (not at period end); returns it normalised. Cancelling twice is not an error."""
    client = stripe_client()
    try:
        canceled = client.v1.subscriptions.cancel(subscription_id, options={"idempotency_key": idempotency_key})
    except stripe.InvalidRequestError as exc:
        # Stripe ignores Idempotency-Key on DELETE and answers "No such subscription" (404) once it is
        # canceled, so a retry after a lost response lands here although the cancel went through.
        if exc.code != "resource_missing":
            raise
        current = _subscription_normalise(client.v1.subscriptions.retrieve(subscription_id).to_dict())
        if current["status"] != "canceled":
            raise
        return current
    return _subscription_normalise(canceled.to_dict())


def event_from_webhook(*, payload: bytes, signature_header: str) -> dict[str, Any]:
    """Verify a webhook's ``Stripe-Signature`` and return its event as a plain dict."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    try:
        # No tolerance first: a genuine but old delivery must be told apart from a forged one.
        stripe.WebhookSignature.verify_header(payload, signature_header, secret, tolerance=None)
    except (stripe.SignatureVerificationError, UnicodeDecodeError) as exc:
        raise StripeSignatureError(SIGNATURE_INVALID, str(exc)) from exc
    try:
        stripe.WebhookSignature.verify_header(payload, signature_header, secret, tolerance=WEBHOOK_TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError as exc:
        raise StripeSignatureError(SIGNATURE_STALE, str(exc)) from exc
    try:
        event = json.loads(payload)
    except ValueError as exc:
        raise StripeSignatureError(SIGNATURE_INVALID, f"payload is not JSON: {exc}") from exc
    if not isinstance(event, dict):
        raise StripeSignatureError(SIGNATURE_INVALID, "payload is not a JSON object")
    return event


def _id_of(value: Any) -> str | None:
    """The id of a field that is either an id or, when expanded, an object."""
    if isinstance(value, dict):
        return value.get("id")
    return value


def _timestamp(value: int | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(value, tz=dt.UTC) if value is not None else None


def _subscription_normalise(subscription: dict[str, Any]) -> dict[str, Any]:
    """``{"id", "status", "customer", "price_id", "current_period_end", "cancel_at_period_end",
    "metadata", "item_id"}`` from a subscription as Stripe returns it."""
    items = (subscription.get("items") or {}).get("data") or []
    item = items[0] if items else {}
    price = item.get("price") or item.get("plan")
    # Since API 2025-03-31 the period lives on each item; older versions kept it on the subscription.
    period_end = item.get("current_period_end")
    if period_end is None:
        period_end = subscription.get("current_period_end")
    return {
        "id": subscription["id"],
        "status": subscription.get("status"),
        "customer": _id_of(subscription.get("customer")),
        "price_id": _id_of(price),
        "current_period_end": _timestamp(period_end),
        "cancel_at_period_end": bool(subscription.get("cancel_at_period_end")),
        "metadata": dict(subscription.get("metadata") or {}),
        "item_id": item.get("id"),
    }
