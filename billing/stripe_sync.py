"""Stripe webhooks: verified, stored once by event id, processed by an idempotent Celery task.

Events can arrive late, twice, or out of order. Processing never trusts the event's copy of a
subscription: it re-reads the subscription from Stripe and applies that, so whatever order the
events come in, the workspace ends in Stripe's current state.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from billing import stripe_gateway
from billing.catalogue import DEFAULT_TIER
from billing.models import Payment, Plan, StripeEvent, Subscription, SubscriptionChange
from billing.services import (
    _lock,
    _mark_paid,
    _receipt_number,
    _save,
    plan_get,
    subscription_of,
    subscription_payment_failed,
)
from tenants.models import Tenant

logger = logging.getLogger(__name__)
HANDLED = {
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
    "customer.subscription.trial_will_end",
}
# Stripe amounts are in the currency's smallest unit; these have none (VND among them).
ZERO_DECIMAL = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf",
                "xof", "xpf"}
STATUS_FROM_STRIPE = {
    "trialing": Subscription.Status.TRIALING,
    "active": Subscription.Status.ACTIVE,
    "past_due": Subscription.Status.PAST_DUE,
    "unpaid": Subscription.Status.UNPAID,
    "canceled": Subscription.Status.CANCELED,
    "incomplete_expired": Subscription.Status.CANCELED,
}


def stripe_webhook_receive(*, payload: bytes, signature_header: str) -> bool:
    """Verify and store one delivery. Returns False for a duplicate (already stored): a 200 no-op.

    Raises stripe_gateway.StripeSignatureError for a forged or stale signature; nothing is stored.
    """
    event = stripe_gateway.event_from_webhook(payload=payload, signature_header=signature_header)
    try:
        with transaction.atomic():
            StripeEvent.objects.create(
                event_id=event["id"], type=event["type"], payload=event,
                created=datetime.fromtimestamp(event["created"], tz=UTC),
            )
            if event["type"] in HANDLED:
                from billing.tasks import stripe_event_process

                transaction.on_commit(lambda: stripe_event_process.delay(event_id=event["id"]))
    except IntegrityError:
        return False
    return True


def stripe_event_process(*, event_id: str) -> None:
    """Apply one stored event, once: the row lock and ``processed_at`` make retries no-ops."""
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(event_id=event_id)
        if event.processed_at is not None:
            return
        handler = _HANDLERS.get(event.type)
        if handler is not None:
            handler(event.payload["data"]["object"])
        event.processed_at = timezone.now()
        event.save(update_fields=["processed_at"])


def _subscription_for(stripe_object: dict, subscription_id: str | None) -> Subscription | None:
    if subscription_id:
        found = Subscription.objects.filter(stripe_subscription_id=subscription_id).first()
        if found is not None:
            return found
    tenant_id = (stripe_object.get("metadata") or {}).get("tenant_id") or stripe_object.get("client_reference_id")
    tenant = Tenant.objects.filter(pk=tenant_id).first() if tenant_id else None
    return subscription_of(tenant) if tenant is not None else None


def _on_checkout_completed(session: dict) -> None:
    subscription = _subscription_for(session, None)
    if subscription is None or not session.get("subscription"):
        logger.warning("checkout session %s names no known workspace", session.get("id"))
        return
    subscription = _lock(subscription)
    subscription.stripe_customer_id = session.get("customer") or subscription.stripe_customer_id
    subscription.stripe_subscription_id = session["subscription"]
    subscription.provider = Subscription.Provider.STRIPE
    subscription.save(update_fields=["stripe_customer_id", "stripe_subscription_id", "provider", "updated_at"])
    _sync_from_stripe(subscription)


def _on_subscription_event(stripe_subscription: dict) -> None:
    subscription = _subscription_for(stripe_subscription, stripe_subscription.get("id"))
    if subscription is None:
        logger.warning("subscription %s names no known workspace", stripe_subscription.get("id"))
        return
    if not subscription.stripe_subscription_id:
        subscription.stripe_subscription_id = stripe_subscription["id"]
        subscription.stripe_customer_id = stripe_subscription.get("customer") or ""
        subscription.provider = Subscription.Provider.STRIPE
        subscription.save(update_fields=["stripe_customer_id", "stripe_subscription_id", "provider", "updated_at"])
    if subscription.stripe_subscription_id != stripe_subscription["id"]:
        return  # an older Stripe subscription of this workspace: the current one decides
    _sync_from_stripe(subscription)


def _invoice_subscription_id(invoice: dict) -> str | None:
    # Newer API versions moved it under parent.subscription_details.
    parent = (invoice.get("parent") or {}).get("subscription_details") or {}
    return invoice.get("subscription") or parent.get("subscription")


def _on_invoice_paid(invoice: dict) -> None:
    subscription = _subscription_for(invoice, _invoice_subscription_id(invoice))
    if subscription is None:
        return
    currency = (invoice.get("currency") or "vnd").lower()
    amount = Decimal(invoice.get("amount_paid") or 0)
    if currency not in ZERO_DECIMAL:
        amount = amount / 100
    if amount > 0:
        now = timezone.now()
        Payment.objects.get_or_create(
            provider=Payment.Provider.STRIPE, reference=invoice["id"],
            defaults={"tenant": subscription.tenant, "plan": subscription.plan, "amount": amount,
                      "currency": currency.upper(), "period": subscription.period,
                      "receipt_number": _receipt_number(now), "paid_at": now},
        )
    _sync_from_stripe(subscription)


def _on_payment_failed(invoice: dict) -> None:
    subscription = _subscription_for(invoice, _invoice_subscription_id(invoice))
    if subscription is not None:
        subscription_payment_failed(subscription=subscription, source=SubscriptionChange.Source.STRIPE,
                                    note=f"invoice {invoice.get('id')} failed")


def _on_trial_will_end(stripe_subscription: dict) -> None:
    from billing.dunning import notice_send

    subscription = _subscription_for(stripe_subscription, stripe_subscription.get("id"))
    if subscription is not None and subscription.trial_ends_at:
        notice_send(subscription=subscription, kind="trial_ending", key=f"{subscription.trial_ends_at:%Y-%m-%d}")


def _sync_from_stripe(subscription: Subscription) -> None:
    """Make the subscription what Stripe says it is now (the fix for out-of-order events)."""
    state = stripe_gateway.subscription_retrieve(subscription_id=subscription.stripe_subscription_id)
    subscription = _lock(subscription)
    before = (subscription.plan.code, subscription.status)
    status = STATUS_FROM_STRIPE.get(state["status"])
    if status is None:  # incomplete: the first payment is still being made
        return
    plan = Plan.objects.filter(Q(stripe_price_month=state["price_id"]) | Q(stripe_price_year=state["price_id"])).first()
    if status == Subscription.Status.CANCELED or plan is None:
        # Canceled in Stripe (or a price we do not sell): back to the free tier, data kept.
        subscription.plan, subscription.status = plan_get(DEFAULT_TIER), Subscription.Status.ACTIVE
        subscription.provider, subscription.stripe_subscription_id = Subscription.Provider.NONE, ""
        subscription.current_period_end = None
    else:
        subscription.plan = plan
        subscription.period = "year" if plan.stripe_price_year == state["price_id"] else "month"
        subscription.current_period_end = state["current_period_end"]
        if status == Subscription.Status.ACTIVE:
            _mark_paid(subscription)
        elif status == Subscription.Status.PAST_DUE and subscription.status != Subscription.Status.PAST_DUE:
            subscription.status, subscription.past_due_since = status, timezone.now()
        elif status != Subscription.Status.PAST_DUE:
            subscription.status = status
    changed = (subscription.plan.code, subscription.status) != before
    fields = ["plan", "period", "status", "provider", "stripe_subscription_id", "current_period_end",
              "past_due_since", "trial_ends_at"]
    if changed:
        _save(subscription, before=before, source=SubscriptionChange.Source.STRIPE, note="synced from Stripe",
              fields=fields)
    else:
        subscription.save(update_fields=[*fields, "updated_at"])


_HANDLERS = {
    "checkout.session.completed": _on_checkout_completed,
    "customer.subscription.created": _on_subscription_event,
    "customer.subscription.updated": _on_subscription_event,
    "customer.subscription.deleted": _on_subscription_event,
    "invoice.paid": _on_invoice_paid,
    "invoice.payment_failed": _on_payment_failed,
    "customer.subscription.trial_will_end": _on_trial_will_end,
}
