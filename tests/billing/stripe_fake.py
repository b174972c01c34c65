"""A fake of Stripe's HTTP API, plugged into the official SDK as its HTTP client.

The SDK builds every request (encoding, headers, idempotency keys, retries) and parses every
response exactly as in production; only the socket is replaced. Use it with::

    fake = FakeStripe()
    monkeypatch.setattr(stripe_gateway, "_http_client", lambda: fake)

It keeps customers, prices, checkout and portal sessions and subscriptions in memory, answers
in Stripe's JSON shapes (API 2025-03-31 and later: the billing period lives on subscription
items), replays POSTs that reuse an idempotency key, and answers anything it does not know
with Stripe's own 404 so that a missing route fails loudly.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import re
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

import stripe

_ITEM_SEGMENT = re.compile(r"\[([^\]]*)\]")
_SUBSCRIPTION_PATH = re.compile(r"^/v1/subscriptions/([^/]+)$")
_PRORATION_BEHAVIORS = {"create_prorations", "none", "always_invoice"}
_MONTH = 30 * 24 * 3600


class FakeRequest(NamedTuple):
    method: str
    path: str
    params: dict[str, Any]
    idempotency_key: str | None


class _Reply(Exception):
    """Raised inside a handler to answer with an error (a Stripe-shaped body)."""

    def __init__(self, status: int, error: dict[str, Any]):
        super().__init__(error.get("message", ""))
        self.status = status
        self.error = error


def _invalid(message: str, *, param: str | None = None, code: str | None = None, status: int = 400) -> _Reply:
    error: dict[str, Any] = {"type": "invalid_request_error", "message": message}
    if param:
        error["param"] = param
    if code:
        error["code"] = code
        error["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
    return _Reply(status, error)


def _missing(kind: str, object_id: str, *, param: str = "id", status: int = 404) -> _Reply:
    return _invalid(f"No such {kind}: '{object_id}'", param=param, code="resource_missing", status=status)


def decode_form(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (``items[0][price]=p``) back into nested dicts and lists (values stay strings)."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        head = key.split("[", 1)[0]
        path = [head, *_ITEM_SEGMENT.findall(key[len(head):])]
        node = root
        for segment in path[:-1]:
            node = node.setdefault(segment, {})
        node[path[-1]] = value
    # The SDK always indexes arrays (items[0][id]), so index-keyed dicts are the lists it encoded.
    return _lists_from_indexes(root)


def _lists_from_indexes(value: Any) -> Any:
    if isinstance(value, dict):
        converted = {key: _lists_from_indexes(inner) for key, inner in value.items()}
        if converted and all(key.isdigit() for key in converted):
            return [converted[key] for key in sorted(converted, key=int)]
        return converted
    if isinstance(value, list):
        return [_lists_from_indexes(inner) for inner in value]
    return value


class FakeStripe(stripe.HTTPClient):
    """Stripe's API, in memory. ``requests`` records every call as (method, path, params, idempotency key)."""

    name = "fake_stripe"

    def __init__(self, *, currency: str = "usd") -> None:
        super().__init__()
        self.currency = currency
        self.requests: list[FakeRequest] = []
        self.customers: dict[str, dict[str, Any]] = {}
        self.prices: dict[str, dict[str, Any]] = {}
        self.checkout_sessions: dict[str, dict[str, Any]] = {}
        self.portal_sessions: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self._idempotent: dict[str, tuple[tuple[str, str, str], tuple[str, int]]] = {}
        self._counter = itertools.count(1)
        # The SDK may be used from a live server's threads as well as the test's.
        self._lock = threading.RLock()

    # --- server-side state -------------------------------------------------------------------

    def now(self) -> int:
        return int(time.time())

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._counter):06d}"

    def add_customer(self, *, id: str | None = None, email: str = "", metadata: Mapping[str, str] | None = None
                     ) -> dict[str, Any]:
        customer = {
            "id": id or self.new_id("cus"),
            "object": "customer",
            "email": email or None,
            "metadata": dict(metadata or {}),
            "created": self.now(),
            "livemode": False,
        }
        self.customers[customer["id"]] = customer
        return customer

    def add_price(self, *, id: str, unit_amount: int = 1000, currency: str | None = None, interval: str = "month"
                  ) -> dict[str, Any]:
        price = {
            "id": id,
            "object": "price",
            "active": True,
            "currency": currency or self.currency,
            "unit_amount": unit_amount,
            "type": "recurring",
            "recurring": {"interval": interval, "interval_count": 1, "usage_type": "licensed"},
            "livemode": False,
        }
        self.prices[id] = price
        return price

    def add_subscription(
        self,
        *,
        id: str | None = None,
        customer: str = "cus_fake_default",
        price_id: str = "price_fake_default",
        status: str = "active",
        current_period_end: int | None = None,
        cancel_at_period_end: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """A subscription with one item, creating its customer and price if they are new."""
        if customer not in self.customers:
            self.add_customer(id=customer)
        if price_id not in self.prices:
            self.add_price(id=price_id)
        now = self.now()
        period_end = current_period_end if current_period_end is not None else now + _MONTH
        subscription_id = id or self.new_id("sub")
        item = {
            "id": self.new_id("si"),
            "object": "subscription_item",
            "subscription": subscription_id,
            "price": copy.deepcopy(self.prices[price_id]),
            "quantity": 1,
            "current_period_start": period_end - _MONTH,
            "current_period_end": period_end,
            "metadata": {},
            "created": now,
        }
        subscription = {
            "id": subscription_id,
            "object": "subscription",
            "status": status,
            "customer": customer,
            "currency": self.prices[price_id]["currency"],
            "cancel_at_period_end": cancel_at_period_end,
            "canceled_at": now if status == "canceled" else None,
            "ended_at": now if status == "canceled" else None,
            "created": now,
            "livemode": False,
            "metadata": dict(metadata or {}),
            "latest_invoice": None,
            "items": {
                "object": "list",
                "data": [item],
                "has_more": False,
                "total_count": 1,
                "url": f"/v1/subscription_items?subscription={subscription_id}",
            },
        }
        self.subscriptions[subscription_id] = subscription
        return copy.deepcopy(subscription)

    def set_subscription(
        self,
        id: str,
        *,
        status: str | None = None,
        customer: str | None = None,
        price_id: str | None = None,
        current_period_end: int | None = None,
        cancel_at_period_end: bool | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Change a subscription as Stripe would on its own (renewal, dunning, a portal change)."""
        subscription = self.subscriptions[id]
        item = subscription["items"]["data"][0]
        if status is not None:
            subscription["status"] = status
            if status == "canceled":
                subscription["canceled_at"] = subscription["ended_at"] = self.now()
        if customer is not None:
            subscription["customer"] = customer
        if price_id is not None:
            if price_id not in self.prices:
                self.add_price(id=price_id)
            item["price"] = copy.deepcopy(self.prices[price_id])
        if current_period_end is not None:
            item["current_period_start"] = current_period_end - _MONTH
            item["current_period_end"] = current_period_end
        if cancel_at_period_end is not None:
            subscription["cancel_at_period_end"] = cancel_at_period_end
        if metadata is not None:
            subscription["metadata"] = dict(metadata)
        return copy.deepcopy(subscription)

    def complete_checkout(self, session_id: str, *, subscription_id: str | None = None) -> dict[str, Any]:
        """What paying on the hosted page does: a customer (if new) and an active subscription carrying
        ``subscription_data.metadata``. Returns the completed session (the ``checkout.session.completed`` object)."""
        session = self.checkout_sessions[session_id]
        customer = session["customer"] or self.add_customer(email=session["customer_email"] or "")["id"]
        subscription = self.add_subscription(
            id=subscription_id,
            customer=customer,
            price_id=session["_price_id"],
            metadata=session["_subscription_metadata"],
        )
        session.update(
            customer=customer, subscription=subscription["id"], status="complete", payment_status="paid"
        )
        return self._public(session)

    # --- the HTTP boundary (stripe.HTTPClient) -----------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[str, int, Mapping[str, str]]:
        headers = dict(headers or {})
        method = method.upper()
        parts = urlsplit(url)
        body = post_data.decode() if isinstance(post_data, bytes) else (post_data or "")
        params = decode_form(parse_qsl(body if method == "POST" else parts.query, keep_blank_values=True))
        key = headers.get("Idempotency-Key")
        with self._lock:
            self.requests.append(FakeRequest(method, parts.path, params, key))
            request_id = self.new_id("req")
            response_headers = {"Request-Id": request_id, "Content-Type": "application/json"}
            # Stripe honours Idempotency-Key on POST only.
            fingerprint = (method, parts.path, body)
            if method == "POST" and key and key in self._idempotent:
                seen, (replay, status) = self._idempotent[key]
                if seen != fingerprint:
                    return self._error(_Reply(400, {
                        "type": "idempotency_error",
                        "message": f"Keys for idempotent requests can only be used with the same parameters they "
                                   f"were first used with. Try using a key other than '{key}' if you meant to "
                                   f"execute a different request.",
                    }), response_headers)
                return replay, status, {**response_headers, "Idempotent-Replayed": "true"}
            try:
                self._authenticate(headers)
                status, payload = self._route(method, parts.path, params)
            except _Reply as reply:
                return self._error(reply, response_headers)
            text = json.dumps(payload, indent=2)
            # Stripe stores only results of requests that ran; failed validation can be retried with the key.
            if method == "POST" and key:
                self._idempotent[key] = (fingerprint, (text, status))
            return text, status, response_headers

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise NotImplementedError("FakeStripe does not serve streaming endpoints")

    def close(self) -> None:
        return None

    # --- routing -----------------------------------------------------------------------------

    def _error(self, reply: _Reply, headers: dict[str, str]) -> tuple[str, int, Mapping[str, str]]:
        error = {**reply.error, "request_log_url": f"https://dashboard.stripe.com/test/logs/{headers['Request-Id']}"}
        return json.dumps({"error": error}, indent=2), reply.status, headers

    def _authenticate(self, headers: Mapping[str, str]) -> None:
        authorization = headers.get("Authorization", "")
        if not re.fullmatch(r"Bearer (sk|rk)_\S+", authorization):
            key = authorization.removeprefix("Bearer ")
            raise _Reply(401, {"type": "invalid_request_error", "message": f"Invalid API Key provided: {key[:8]}****"})

    def _route(self, method: str, path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if (method, path) == ("POST", "/v1/checkout/sessions"):
            return 200, self._checkout_session_create(params)
        if (method, path) == ("POST", "/v1/billing_portal/sessions"):
            return 200, self._portal_session_create(params)
        match = _SUBSCRIPTION_PATH.match(path)
        if match:
            subscription = self.subscriptions.get(match[1])
            if subscription is None or (method == "DELETE" and subscription["status"] == "canceled"):
                # Cancelling a canceled subscription is a 404 on Stripe too.
                raise _missing("subscription", match[1])
            if method == "GET":
                return 200, copy.deepcopy(subscription)
            if method == "POST":
                return 200, self._subscription_update(subscription, params)
            if method == "DELETE":
                subscription.update(status="canceled", canceled_at=self.now(), ended_at=self.now())
                return 200, copy.deepcopy(subscription)
        raise _invalid(
            f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at "
            f"https://support.stripe.com/.",
            status=404,
        )

    def _require(self, params: Mapping[str, Any], name: str) -> Any:
        if params.get(name) in (None, ""):
            raise _invalid(f"Missing required param: {name}.", param=name, code="parameter_missing")
        return params[name]

    def _customer(self, customer_id: str) -> str:
        if customer_id not in self.customers:
            raise _missing("customer", customer_id, param="customer", status=400)
        return customer_id

    def _price(self, price_id: str, param: str) -> dict[str, Any]:
        if price_id not in self.prices:
            raise _missing("price", price_id, param=param, status=400)
        return self.prices[price_id]

    def _checkout_session_create(self, params: dict[str, Any]) -> dict[str, Any]:
        mode = self._require(params, "mode")
        if params.get("customer") and params.get("customer_email"):
            raise _invalid("You may only specify one of these parameters: customer, customer_email.",
                           param="customer_email")
        line_items = self._require(params, "line_items")
        if mode == "subscription":
            self._require(params, "success_url")
        price = self._price(line_items[0].get("price", ""), "line_items[0][price]")
        customer = self._customer(params["customer"]) if params.get("customer") else None
        session_id = self.new_id("cs_test")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": mode,
            "status": "open",
            "payment_status": "unpaid",
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
            "customer": customer,
            "customer_email": params.get("customer_email"),
            "client_reference_id": params.get("client_reference_id"),
            "metadata": dict(params.get("metadata") or {}),
            "subscription": None,
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
            "currency": price["currency"],
            "created": self.now(),
            "expires_at": self.now() + 24 * 3600,
            "livemode": False,
            # Kept for complete_checkout(); Stripe does not return these on the session.
            "_price_id": price["id"],
            "_subscription_metadata": dict((params.get("subscription_data") or {}).get("metadata") or {}),
        }
        self.checkout_sessions[session_id] = session
        return self._public(session)

    def _portal_session_create(self, params: dict[str, Any]) -> dict[str, Any]:
        customer = self._customer(self._require(params, "customer"))
        session_id = self.new_id("bps")
        session = {
            "id": session_id,
            "object": "billing_portal.session",
            "customer": customer,
            "return_url": params.get("return_url"),
            "url": f"https://billing.stripe.com/p/session/test_{session_id}",
            "created": self.now(),
            "livemode": False,
        }
        self.portal_sessions[session_id] = session
        return dict(session)

    def _subscription_update(self, subscription: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        if subscription["status"] == "canceled" and set(params) - {"metadata", "cancellation_details"}:
            raise _invalid("A canceled subscription can only update its cancellation_details and metadata.")
        behavior = params.get("proration_behavior")
        if behavior is not None and behavior not in _PRORATION_BEHAVIORS:
            raise _invalid(f"Invalid proration_behavior: must be one of {', '.join(sorted(_PRORATION_BEHAVIORS))}",
                           param="proration_behavior")
        items = subscription["items"]["data"]
        for index, change in enumerate(params.get("items") or []):
            price = self._price(change.get("price", ""), f"items[{index}][price]") if change.get("price") else None
            if change.get("id"):
                existing = next((item for item in items if item["id"] == change["id"]), None)
                if existing is None:
                    raise _missing("subscription_item", change["id"], param=f"items[{index}][id]", status=400)
                if price is not None:
                    existing["price"] = copy.deepcopy(price)
            elif price is not None:
                # Without an id Stripe adds an item: the subscription then bills both prices.
                template = items[0]
                items.append({**copy.deepcopy(template), "id": self.new_id("si"), "price": copy.deepcopy(price)})
        subscription["items"]["total_count"] = len(items)
        if "metadata" in params:
            metadata = params["metadata"]
            if metadata == "":
                subscription["metadata"] = {}
            else:
                for name, value in metadata.items():
                    if value == "":
                        subscription["metadata"].pop(name, None)
                    else:
                        subscription["metadata"][name] = value
        if "cancel_at_period_end" in params:
            subscription["cancel_at_period_end"] = params["cancel_at_period_end"] == "true"
        return copy.deepcopy(subscription)

    @staticmethod
    def _public(obj: Mapping[str, Any]) -> dict[str, Any]:
        return {key: copy.deepcopy(value) for key, value in obj.items() if not key.startswith("_")}


def sign_webhook(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe sends: ``t=<ts>,v1=<hex HMAC-SHA256(secret, "<ts>.<payload>")>``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    # Computed here rather than with the SDK's helper, so a bug there cannot hide in the tests.
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def event_payload(*, event_id: str, type: str, data_object: Mapping[str, Any], created: int | None = None) -> bytes:
    """A Stripe event body (snapshot payload) as delivered to a webhook endpoint."""
    event = {
        "id": event_id,
        "object": "event",
        "api_version": stripe.api_version,
        "created": int(time.time()) if created is None else created,
        "data": {"object": dict(data_object)},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": type,
    }
    return json.dumps(event, indent=2).encode()
