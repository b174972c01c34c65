"""The Stripe boundary, against a fake of Stripe's HTTP API behind the real SDK."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
import stripe

from billing import stripe_gateway
from billing.stripe_gateway import SIGNATURE_INVALID, SIGNATURE_STALE, StripeSignatureError
from tests.billing.conftest import WEBHOOK_SECRET
from tests.billing.stripe_fake import event_payload, sign_webhook


def test_enabled_needs_both_settings(settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_test_x", ""
    assert stripe_gateway.stripe_enabled() is False
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    assert stripe_gateway.stripe_enabled() is True


def test_the_fake_answers_through_the_sdk(fake):
    fake.add_subscription(id="sub_guard")
    stripe_gateway.subscription_retrieve(subscription_id="sub_guard")
    # The SDK built a real request to Stripe's address; only the transport is fake.
    assert [(r.method, r.path) for r in fake.requests] == [("GET", "/v1/subscriptions/sub_guard")]


def test_without_the_fake_nothing_goes_out(fake, monkeypatch):
    monkeypatch.setattr(stripe_gateway, "_http_client", lambda: None)  # production's transport
    with pytest.raises(AssertionError, match="bypassed the fake"):
        stripe_gateway.subscription_retrieve(subscription_id="sub_guard")
    with pytest.raises(AssertionError, match="bypassed the fake"):
        stripe.Subscription.retrieve("sub_guard", api_key="sk_test_x")
    assert fake.requests == []


def test_checkout_session(fake):
    fake.add_price(id="price_pro_month", unit_amount=299000, currency="vnd")

    session = stripe_gateway.checkout_session_create(
        tenant_id=42, customer_id=None, customer_email="owner@alpha.test", price_id="price_pro_month",
        success_url="https://alpha.example/billing/ok", cancel_url="https://alpha.example/billing",
        idempotency_key="checkout-42-1",
    )

    assert session == {"id": session["id"], "url": f"https://checkout.stripe.com/c/pay/{session['id']}"}
    assert session["id"].startswith("cs_test_")
    [request] = fake.requests
    assert (request.method, request.path, request.idempotency_key) == ("POST", "/v1/checkout/sessions", "checkout-42-1")
    assert request.params == {
        "mode": "subscription",
        "line_items": [{"price": "price_pro_month", "quantity": "1"}],
        "success_url": "https://alpha.example/billing/ok",
        "cancel_url": "https://alpha.example/billing",
        "client_reference_id": "42",
        "metadata": {"tenant_id": "42"},
        "subscription_data": {"metadata": {"tenant_id": "42"}},
        "customer_email": "owner@alpha.test",
    }


def test_checkout_for_a_known_customer_sends_no_email(fake):
    fake.add_price(id="price_pro_month")
    fake.add_customer(id="cus_alpha", email="owner@alpha.test")

    stripe_gateway.checkout_session_create(
        tenant_id=42, customer_id="cus_alpha", customer_email="owner@alpha.test", price_id="price_pro_month",
        success_url="https://alpha.example/ok", cancel_url="https://alpha.example/", idempotency_key="checkout-42-2",
    )

    params = fake.requests[-1].params
    assert params["customer"] == "cus_alpha"
    assert "customer_email" not in params


def test_checkout_replayed_with_the_same_key_is_the_same_session(fake):
    fake.add_price(id="price_pro_month")
    args = dict(tenant_id=7, customer_id=None, customer_email="o@x.test", price_id="price_pro_month",
                success_url="https://x/ok", cancel_url="https://x/", idempotency_key="checkout-7-1")

    first = stripe_gateway.checkout_session_create(**args)
    second = stripe_gateway.checkout_session_create(**args)

    assert first == second
    assert len(fake.checkout_sessions) == 1


def test_checkout_with_an_unknown_price_is_loud(fake):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        stripe_gateway.checkout_session_create(
            tenant_id=7, customer_id=None, customer_email="o@x.test", price_id="price_typo",
            success_url="https://x/ok", cancel_url="https://x/", idempotency_key="checkout-7-1",
        )
    assert raised.value.code == "resource_missing"


def test_portal_session(fake):
    fake.add_customer(id="cus_alpha")

    url = stripe_gateway.portal_session_create(
        customer_id="cus_alpha", return_url="https://alpha.example/billing", idempotency_key="portal-cus_alpha-1"
    )

    assert url.startswith("https://billing.stripe.com/p/session/")
    [request] = fake.requests
    assert (request.method, request.path, request.idempotency_key) == (
        "POST", "/v1/billing_portal/sessions", "portal-cus_alpha-1")
    assert request.params == {"customer": "cus_alpha", "return_url": "https://alpha.example/billing"}


def test_retrieve_normalises_the_period_end_from_the_item(fake):
    period_end = 1_900_000_000
    created = fake.add_subscription(
        id="sub_1", customer="cus_alpha", price_id="price_pro_month", status="active",
        current_period_end=period_end, metadata={"tenant_id": "42"},
    )
    assert "current_period_end" not in created  # as in current API versions: only on the item

    state = stripe_gateway.subscription_retrieve(subscription_id="sub_1")

    assert state == {
        "id": "sub_1",
        "status": "active",
        "customer": "cus_alpha",
        "price_id": "price_pro_month",
        "current_period_end": dt.datetime.fromtimestamp(period_end, tz=dt.UTC),
        "cancel_at_period_end": False,
        "metadata": {"tenant_id": "42"},
        "item_id": created["items"]["data"][0]["id"],
    }
    assert state["current_period_end"].tzinfo is not None


def test_normalise_falls_back_to_the_subscription_period_end():
    # API versions before 2025-03-31 put the period on the subscription.
    state = stripe_gateway._subscription_normalise({
        "id": "sub_old", "status": "past_due", "customer": {"id": "cus_old", "object": "customer"},
        "current_period_end": 1_800_000_000, "cancel_at_period_end": True, "metadata": None,
        "items": {"data": [{"id": "si_old", "price": {"id": "price_old"}}]},
    })
    assert state["current_period_end"] == dt.datetime(2027, 1, 15, 8, 0, tzinfo=dt.UTC)
    assert (state["customer"], state["price_id"], state["item_id"]) == ("cus_old", "price_old", "si_old")
    assert (state["cancel_at_period_end"], state["metadata"]) == (True, {})


def test_retrieving_an_unknown_subscription_raises(fake):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        stripe_gateway.subscription_retrieve(subscription_id="sub_nope")
    assert raised.value.http_status == 404


def test_change_price_modifies_the_item_with_prorations(fake):
    fake.add_price(id="price_business_month")
    created = fake.add_subscription(id="sub_1", price_id="price_pro_month")
    item_id = created["items"]["data"][0]["id"]

    state = stripe_gateway.subscription_change_price(
        subscription_id="sub_1", price_id="price_business_month", idempotency_key="change-sub_1-price_business_month-1"
    )

    assert (state["price_id"], state["item_id"]) == ("price_business_month", item_id)
    update = fake.requests[-1]
    assert (update.method, update.path) == ("POST", "/v1/subscriptions/sub_1")
    assert update.idempotency_key == "change-sub_1-price_business_month-1"
    assert update.params == {
        "items": [{"id": item_id, "price": "price_business_month"}],
        "proration_behavior": "create_prorations",
    }
    assert len(fake.subscriptions["sub_1"]["items"]["data"]) == 1


def test_change_price_refuses_a_subscription_with_several_items(fake):
    fake.add_price(id="price_addon")
    fake.add_subscription(id="sub_1")
    fake.subscriptions["sub_1"]["items"]["data"].append(
        {**fake.subscriptions["sub_1"]["items"]["data"][0], "id": "si_addon"})

    with pytest.raises(ValueError, match="expected exactly one"):
        stripe_gateway.subscription_change_price(subscription_id="sub_1", price_id="price_addon", idempotency_key="k")
    assert all(r.method == "GET" for r in fake.requests)


def test_cancel_now(fake):
    fake.add_subscription(id="sub_1")

    state = stripe_gateway.subscription_cancel(subscription_id="sub_1", idempotency_key="cancel-sub_1")

    assert state["status"] == "canceled"
    [request] = fake.requests
    assert (request.method, request.path, request.idempotency_key) == (
        "DELETE", "/v1/subscriptions/sub_1", "cancel-sub_1")


def test_cancel_twice_returns_the_canceled_subscription(fake):
    fake.add_subscription(id="sub_1", status="canceled")

    state = stripe_gateway.subscription_cancel(subscription_id="sub_1", idempotency_key="cancel-sub_1")

    assert state["status"] == "canceled"
    assert [(r.method, r.path) for r in fake.requests] == [
        ("DELETE", "/v1/subscriptions/sub_1"), ("GET", "/v1/subscriptions/sub_1")]


def test_cancel_of_an_unknown_subscription_raises(fake):
    with pytest.raises(stripe.InvalidRequestError):
        stripe_gateway.subscription_cancel(subscription_id="sub_nope", idempotency_key="cancel-sub_nope")


def test_server_side_changes_are_seen(fake):
    fake.add_subscription(id="sub_1", status="active")
    fake.set_subscription("sub_1", status="past_due", cancel_at_period_end=True, current_period_end=2_000_000_000)

    state = stripe_gateway.subscription_retrieve(subscription_id="sub_1")

    assert (state["status"], state["cancel_at_period_end"]) == ("past_due", True)
    assert state["current_period_end"] == dt.datetime.fromtimestamp(2_000_000_000, tz=dt.UTC)


def test_unknown_routes_answer_stripe_404(fake):
    with pytest.raises(stripe.InvalidRequestError, match="Unrecognized request URL"):
        stripe_gateway.stripe_client().v1.customers.list()


def test_a_missing_api_key_is_refused(fake, settings):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(stripe.AuthenticationError):
        stripe_gateway.subscription_retrieve(subscription_id="sub_1")


def _event(created: int | None = None) -> bytes:
    return event_payload(
        event_id="evt_1", type="customer.subscription.updated",
        data_object={"id": "sub_1", "object": "subscription", "status": "active"}, created=created,
    )


def test_webhook_with_a_valid_signature(fake):
    payload = _event()

    event = stripe_gateway.event_from_webhook(payload=payload, signature_header=sign_webhook(payload, WEBHOOK_SECRET))

    assert event == json.loads(payload)
    assert type(event) is dict
    assert (event["id"], event["type"], event["data"]["object"]["id"]) == (
        "evt_1", "customer.subscription.updated", "sub_1")


def test_sign_webhook_matches_the_sdk():
    payload, timestamp = _event(created=1_700_000_000), 1_700_000_000
    expected = stripe.WebhookSignature.generate_signature_header(payload.decode(), WEBHOOK_SECRET, timestamp)
    assert sign_webhook(payload, WEBHOOK_SECRET, timestamp) == expected


@pytest.mark.parametrize("header", [
    "forged",
    "",
    "t=notanumber,v1=abc",
    f"t={int(time.time())},v1={'0' * 64}",
])
def test_webhook_with_a_bad_signature(fake, header):
    with pytest.raises(StripeSignatureError) as raised:
        stripe_gateway.event_from_webhook(payload=_event(), signature_header=header)
    assert raised.value.code == SIGNATURE_INVALID


def test_webhook_signed_with_another_secret(fake):
    payload = _event()
    with pytest.raises(StripeSignatureError) as raised:
        stripe_gateway.event_from_webhook(payload=payload, signature_header=sign_webhook(payload, "whsec_other"))
    assert raised.value.code == SIGNATURE_INVALID


def test_webhook_with_a_tampered_body(fake):
    header = sign_webhook(_event(), WEBHOOK_SECRET)
    tampered = _event().replace(b'"active"', b'"canceled"')
    with pytest.raises(StripeSignatureError) as raised:
        stripe_gateway.event_from_webhook(payload=tampered, signature_header=header)
    assert raised.value.code == SIGNATURE_INVALID


def test_webhook_ten_minutes_old_is_stale(fake):
    payload = _event()
    header = sign_webhook(payload, WEBHOOK_SECRET, timestamp=int(time.time()) - 600)
    with pytest.raises(StripeSignatureError) as raised:
        stripe_gateway.event_from_webhook(payload=payload, signature_header=header)
    assert raised.value.code == SIGNATURE_STALE


def test_webhook_without_a_configured_secret_is_invalid(fake, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    payload = _event()
    with pytest.raises(StripeSignatureError) as raised:
        stripe_gateway.event_from_webhook(payload=payload, signature_header=sign_webhook(payload, ""))
    assert raised.value.code == SIGNATURE_INVALID


@pytest.mark.parametrize("payload", [b"\xff not utf-8", b"not json", b"[1, 2]"])
def test_webhook_body_that_is_not_an_event(fake, payload):
    with pytest.raises(StripeSignatureError) as raised:
        stripe_gateway.event_from_webhook(payload=payload, signature_header=sign_webhook(payload, WEBHOOK_SECRET))
    assert raised.value.code == SIGNATURE_INVALID


def test_a_key_reused_for_another_request_is_refused(fake):
    fake.add_price(id="price_pro_month")
    args = dict(tenant_id=7, customer_id=None, customer_email="o@x.test", price_id="price_pro_month",
                success_url="https://x/ok", cancel_url="https://x/", idempotency_key="checkout-7-1")
    stripe_gateway.checkout_session_create(**args)

    with pytest.raises(stripe.IdempotencyError):
        stripe_gateway.checkout_session_create(**{**args, "tenant_id": 8})


def test_completed_checkout_makes_a_subscription_carrying_the_workspace(fake):
    fake.add_price(id="price_pro_month")
    session = stripe_gateway.checkout_session_create(
        tenant_id=42, customer_id=None, customer_email="owner@alpha.test", price_id="price_pro_month",
        success_url="https://x/ok", cancel_url="https://x/", idempotency_key="checkout-42-1",
    )

    completed = fake.complete_checkout(session["id"])

    assert (completed["status"], completed["client_reference_id"]) == ("complete", "42")
    state = stripe_gateway.subscription_retrieve(subscription_id=completed["subscription"])
    assert (state["status"], state["customer"]) == ("active", completed["customer"])
    assert state["metadata"] == {"tenant_id": "42"}
    assert fake.customers[completed["customer"]]["email"] == "owner@alpha.test"
