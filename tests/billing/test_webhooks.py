"""Stripe webhooks, signed exactly as Stripe signs them, against Stripe faked at the HTTP boundary."""

import random
import threading
import time

import pytest
from django.db import connections
from django.test import Client

from billing.models import Payment, StripeEvent, Subscription, SubscriptionChange
from tests.billing.conftest import WEBHOOK_SECRET
from tests.billing.stripe_fake import event_payload, sign_webhook

URL = "/billing/stripe/webhook/"


def _post(payload: bytes, signature: str, client: Client | None = None):
    client = client or Client(HTTP_HOST="localhost")
    return client.post(URL, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)


def _subscription_event(event_id: str, stripe_sub: dict, type_: str = "customer.subscription.updated",
                        created: int | None = None) -> bytes:
    return event_payload(event_id=event_id, type=type_, data_object=stripe_sub, created=created)


@pytest.fixture
def on_stripe(ws_a, fake, stripe_prices, eager):
    """Workspace A paying Growth monthly by card."""
    stripe_sub = fake.add_subscription(id="sub_a", customer="cus_a", price_id="price_growth_m",
                                       metadata={"tenant_id": str(ws_a.tenant.pk)})
    Subscription.objects.filter(tenant=ws_a.tenant).update(provider="stripe", stripe_customer_id="cus_a",
                                                          stripe_subscription_id="sub_a")
    return stripe_sub


def test_valid_event_is_stored_and_applied(ws_a, fake, on_stripe, django_capture_on_commit_callbacks):
    # given: Stripe moved the subscription to Scale (a portal change)
    moved = fake.set_subscription("sub_a", price_id="price_scale_m")
    payload = _subscription_event("evt_1", moved)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(payload, sign_webhook(payload, WEBHOOK_SECRET))
    # then
    assert response.status_code == 200
    assert StripeEvent.objects.get(event_id="evt_1").processed_at is not None
    assert Subscription.objects.get(tenant=ws_a.tenant).plan.code == "scale"
    assert SubscriptionChange.objects.filter(subscription__tenant=ws_a.tenant, source="stripe").count() == 1


def test_forged_signature_is_400_and_stores_nothing(ws_a, on_stripe):
    # given
    payload = _subscription_event("evt_forged", on_stripe)
    # when
    response = _post(payload, sign_webhook(payload, "whsec_attacker"))
    # then
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "stripe_signature_invalid"
    assert not StripeEvent.objects.filter(event_id="evt_forged").exists()


def test_stale_timestamp_is_400_and_stores_nothing(ws_a, on_stripe):
    # given: a correctly signed delivery, replayed ten minutes later
    payload = _subscription_event("evt_stale", on_stripe)
    signature = sign_webhook(payload, WEBHOOK_SECRET, timestamp=int(time.time()) - 600)
    # when
    response = _post(payload, signature)
    # then
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "stripe_signature_stale"
    assert not StripeEvent.objects.filter(event_id="evt_stale").exists()


def test_missing_signature_is_400(ws_a, on_stripe):
    payload = _subscription_event("evt_unsigned", on_stripe)
    assert _post(payload, "").status_code == 400


def test_duplicate_delivery_is_a_200_no_op(ws_a, on_stripe, django_capture_on_commit_callbacks):
    # given
    payload = _subscription_event("evt_dup", on_stripe)
    with django_capture_on_commit_callbacks(execute=True):
        first = _post(payload, sign_webhook(payload, WEBHOOK_SECRET))
    # when
    again = _post(payload, sign_webhook(payload, WEBHOOK_SECRET))
    # then
    assert first.json() == {"received": True, "duplicate": False}
    assert again.status_code == 200
    assert again.json() == {"received": True, "duplicate": True}
    assert StripeEvent.objects.filter(event_id="evt_dup").count() == 1


def test_checkout_completed_moves_the_workspace_onto_the_card(ws_a, fake, stripe_prices, eager,
                                                               django_capture_on_commit_callbacks):
    # given: the owner paid Scale on Stripe's hosted page
    from billing import stripe_gateway

    session = stripe_gateway.checkout_session_create(
        tenant_id=ws_a.tenant.pk, customer_id=None, customer_email="owner@alpha.test", price_id="price_scale_m",
        success_url="https://alpha.example/billing/", cancel_url="https://alpha.example/billing/",
        idempotency_key="checkout-test")
    completed = fake.complete_checkout(session["id"])
    payload = event_payload(event_id="evt_checkout", type="checkout.session.completed", data_object=completed)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        _post(payload, sign_webhook(payload, WEBHOOK_SECRET))
    # then
    subscription = Subscription.objects.get(tenant=ws_a.tenant)
    assert (subscription.plan.code, subscription.status, subscription.provider) == ("scale", "active", "stripe")
    assert subscription.stripe_subscription_id == completed["subscription"]
    assert next(r.idempotency_key for r in fake.requests if r.method == "POST") == "checkout-test"


def test_payment_failed_then_paid(ws_a, fake, on_stripe, django_capture_on_commit_callbacks):
    # given
    failed = event_payload(event_id="evt_fail", type="invoice.payment_failed",
                           data_object={"id": "in_1", "object": "invoice", "subscription": "sub_a",
                                        "customer": "cus_a", "amount_paid": 0, "currency": "vnd"})
    paid = event_payload(event_id="evt_paid", type="invoice.paid",
                         data_object={"id": "in_2", "object": "invoice", "subscription": "sub_a", "customer": "cus_a",
                                      "amount_paid": 1490000, "currency": "vnd"})
    # when
    with django_capture_on_commit_callbacks(execute=True):
        _post(failed, sign_webhook(failed, WEBHOOK_SECRET))
    after_failure = Subscription.objects.get(tenant=ws_a.tenant).status
    with django_capture_on_commit_callbacks(execute=True):
        _post(paid, sign_webhook(paid, WEBHOOK_SECRET))
    # then
    subscription = Subscription.objects.get(tenant=ws_a.tenant)
    assert after_failure == "past_due"
    assert subscription.status == "active"
    assert subscription.past_due_since is None
    assert Payment.objects.get(reference="in_2").amount == 1490000


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_shuffled_updates_end_in_stripes_final_state(ws_a, fake, on_stripe, seed,
                                                     django_capture_on_commit_callbacks):
    # given: the subscription went growth -> scale (past_due) -> scale (active) -> enterprise; each
    # event carries the state of its moment, Stripe now holds the last one
    snapshots = [
        fake.set_subscription("sub_a", price_id="price_scale_m", status="past_due"),
        fake.set_subscription("sub_a", price_id="price_scale_m", status="active"),
        fake.set_subscription("sub_a", price_id="price_ent_m", status="active"),
    ]
    events = [_subscription_event(f"evt_s{seed}_{index}", snapshot, created=1_800_000_000 + index)
              for index, snapshot in enumerate(snapshots)]
    random.Random(seed).shuffle(events)
    # when
    for payload in events:
        with django_capture_on_commit_callbacks(execute=True):
            assert _post(payload, sign_webhook(payload, WEBHOOK_SECRET)).status_code == 200
    # then
    subscription = Subscription.objects.get(tenant=ws_a.tenant)
    assert (subscription.plan.code, subscription.status) == ("enterprise", "active")


def test_same_event_five_times_at_once_has_one_effect(own_workspace, fake, stripe_prices, eager):
    # given: Stripe retries the same invoice.paid five times, all at once
    tenant = own_workspace.tenant
    fake.add_subscription(id="sub_c", customer="cus_c", price_id="price_growth_m",
                          metadata={"tenant_id": str(tenant.pk)})
    Subscription.objects.filter(tenant=tenant).update(provider="stripe", stripe_customer_id="cus_c",
                                                      stripe_subscription_id="sub_c")
    payload = event_payload(event_id="evt_race", type="invoice.paid",
                            data_object={"id": "in_race", "object": "invoice", "subscription": "sub_c",
                                         "customer": "cus_c", "amount_paid": 1490000, "currency": "vnd"})
    signature = sign_webhook(payload, WEBHOOK_SECRET)
    barrier, answers = threading.Barrier(5), []

    def deliver():
        try:
            barrier.wait()
            answers.append(_post(payload, signature).json())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert sorted(answer["duplicate"] for answer in answers) == [False, True, True, True, True]
    assert StripeEvent.objects.filter(event_id="evt_race").count() == 1
    assert Payment.objects.filter(reference="in_race").count() == 1
    changes = SubscriptionChange.objects.filter(subscription__tenant=tenant, source="stripe")
    assert changes.count() == 1
    assert Subscription.objects.get(tenant=tenant).plan.code == "growth"
