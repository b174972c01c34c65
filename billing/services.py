"""Writes for plans, subscriptions and payments. Every subscription change appends a ledger row
and drops the workspace's cached entitlements when it commits."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from billing.catalogue import DEFAULT_TIER, TIERS, plan_defaults
from billing.entitlements import entitlements_forget
from billing.errors import BillingError
from billing.models import (
    BankTransaction,
    Payment,
    PaymentOrder,
    Period,
    Plan,
    Subscription,
    SubscriptionChange,
)
from modules.audit.services import audit_record
from tenants.models import Membership, Tenant

GRACE_DAYS = 7  # past_due -> unpaid (read-only)
SUSPEND_AFTER_DAYS = 30  # past_due -> workspace suspended
REFERENCE_PREFIX = "ERP"
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: typed by hand into bank apps


def plans_sync_from_catalogue() -> int:
    """Create the catalogue's plans that are missing. Existing rows (vendor edits) are left alone."""
    return sum(Plan.objects.get_or_create(code=tier.code, defaults=plan_defaults(tier))[1] for tier in TIERS.values())


def plan_get(code: str) -> Plan:
    try:
        return Plan.objects.get(code=code, is_active=True)
    except Plan.DoesNotExist as error:
        raise BillingError("plan_unknown", _("This plan does not exist.")) from error


def mrr_vnd(plan: Plan, period: str, status: str) -> Decimal:
    """Monthly recurring revenue of one subscription: paying states only, yearly spread over 12."""
    if status not in (Subscription.Status.ACTIVE, Subscription.Status.PAST_DUE):
        return Decimal(0)
    if period == Period.YEAR:
        return (plan.price_vnd_year / 12).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return plan.price_vnd_month


def _lock(subscription: Subscription) -> Subscription:
    return Subscription.objects.select_for_update().select_related("plan", "tenant").get(pk=subscription.pk)


def _save(subscription: Subscription, *, before: tuple[str, str], source: str, actor=None, note: str = "",
          fields: list[str]) -> Subscription:
    """Save, append the ledger row, drop cached entitlements on commit."""
    subscription.full_clean()
    subscription.save(update_fields=[*fields, "updated_at"])
    SubscriptionChange.objects.create(
        subscription=subscription, actor=actor if getattr(actor, "pk", None) else None, source=source,
        from_plan=before[0], from_status=before[1], to_plan=subscription.plan.code, to_status=subscription.status,
        period=subscription.period, mrr_vnd=mrr_vnd(subscription.plan, subscription.period, subscription.status),
        note=note[:300],
    )
    with schema_context(subscription.tenant.schema_name):
        audit_record(actor=actor, action="subscription.changed",
                     detail={"from": list(before), "to": [subscription.plan.code, subscription.status], "note": note})
    tenant_id = subscription.tenant_id
    entitlements_forget(tenant_id)
    transaction.on_commit(lambda: entitlements_forget(tenant_id))
    # Modules the change unlocks arrive configured for the business type (a failure there never undoes the change).
    from onboarding.registry import template_apply_new_features  # lazy: onboarding imports billing

    transaction.on_commit(lambda: template_apply_new_features(tenant=subscription.tenant), robust=True)
    return subscription


@transaction.atomic
def subscription_start(*, tenant: Tenant, plan_code: str = DEFAULT_TIER, trial: bool = False, actor=None,
                       now: datetime | None = None) -> Subscription:
    """Every workspace starts on Starter, or on a 14-day trial of a paid tier with no card."""
    now = now or timezone.now()
    plan = plan_get(plan_code)
    subscription = Subscription(tenant=tenant, plan=plan, status=Subscription.Status.ACTIVE)
    if trial and not plan.is_free:
        subscription.status = Subscription.Status.TRIALING
        subscription.trial_ends_at = now + timedelta(days=plan.trial_days)
        subscription.trial_used = True
    subscription.full_clean()
    subscription.save()
    SubscriptionChange.objects.create(
        subscription=subscription, actor=actor, source=SubscriptionChange.Source.OWNER if actor else
        SubscriptionChange.Source.SYSTEM, to_plan=plan.code, to_status=subscription.status,
        period=subscription.period, mrr_vnd=mrr_vnd(plan, subscription.period, subscription.status),
        note="started",
    )
    return subscription


def subscription_of(tenant: Tenant) -> Subscription:
    """The workspace's subscription, started on the free tier if it predates billing."""
    subscription = Subscription.objects.select_related("plan").filter(tenant=tenant).first()
    return subscription or subscription_start(tenant=tenant)


@transaction.atomic
def trial_start(*, tenant: Tenant, plan_code: str, actor, now: datetime | None = None) -> Subscription:
    """Try a paid tier for its trial days, once per workspace, without a card."""
    now = now or timezone.now()
    subscription = _lock(subscription_of(tenant))
    plan = plan_get(plan_code)
    if plan.is_free or subscription.trial_used:
        raise BillingError("trial_unavailable", _("This workspace has already used its free trial."))
    if subscription.status != Subscription.Status.ACTIVE or not subscription.plan.is_free:
        raise BillingError("trial_unavailable", _("Trials are for workspaces on the free plan."))
    before = (subscription.plan.code, subscription.status)
    subscription.plan = plan
    subscription.status = Subscription.Status.TRIALING
    subscription.trial_ends_at = now + timedelta(days=plan.trial_days)
    subscription.trial_used = True
    return _save(subscription, before=before, source=SubscriptionChange.Source.OWNER, actor=actor,
                 note=f"trial until {subscription.trial_ends_at:%Y-%m-%d}",
                 fields=["plan", "status", "trial_ends_at", "trial_used"])


def members_over_limit(*, tenant: Tenant, plan: Plan) -> int:
    seats = plan.limits.get("seats")
    if seats is None:
        return 0
    return max(0, Membership.objects.filter(tenant=tenant, is_active=True).count() - seats)


def _deactivate_over_seats(*, tenant: Tenant, plan: Plan, keep_member_ids: list[int] | None, actor) -> list[int]:
    """Downgrade below the member count: the owner's choice stays active, the rest are deactivated
    (rows kept, so an upgrade can bring them back)."""
    from tenants.locks import membership_lock_for_tenant

    membership_lock_for_tenant(tenant=tenant)
    seats = plan.limits.get("seats")
    active = list(Membership.objects.filter(tenant=tenant, is_active=True))
    if seats is None or len(active) <= seats:
        return []
    keep = set(keep_member_ids or [])
    owners = {m.pk for m in active if m.role == "owner"}
    if not keep or len(keep) > seats or not keep <= {m.pk for m in active} or not (keep & owners):
        raise BillingError(
            "choose_members",
            _("The new plan has %(seats)d seats: choose up to %(seats)d people to keep, an owner among them.")
            % {"seats": seats},
            seats=seats,
        )
    dropped = [m.pk for m in active if m.pk not in keep]
    Membership.objects.filter(pk__in=dropped).update(is_active=False, updated_at=timezone.now())
    from tenants.tenant_cache import tenant_host_cache_clear

    tenant_host_cache_clear()
    transaction.on_commit(tenant_host_cache_clear)
    return dropped


@transaction.atomic
def subscription_change_plan(*, tenant: Tenant, plan_code: str, period: str | None = None, actor,
                             source: str = SubscriptionChange.Source.OWNER, keep_member_ids=None,
                             note: str = "") -> Subscription:
    """Move to another plan now. Nothing is deleted: features above the new plan lock, their data
    stays readable and exportable; people over the seat limit are deactivated by the owner's choice."""
    subscription = _lock(subscription_of(tenant))
    plan = plan_get(plan_code)
    before = (subscription.plan.code, subscription.status)
    if plan.pk == subscription.plan_id and (period or subscription.period) == subscription.period:
        raise BillingError("same_plan", _("The workspace is already on this plan."))
    _deactivate_over_seats(tenant=tenant, plan=plan, keep_member_ids=keep_member_ids, actor=actor)
    if subscription.provider == Subscription.Provider.STRIPE and subscription.stripe_subscription_id:
        _stripe_change(subscription=subscription, plan=plan, period=period or subscription.period)
    subscription.plan = plan
    subscription.period = period or subscription.period
    if plan.is_free:
        subscription.status = Subscription.Status.ACTIVE
        subscription.trial_ends_at = None
        subscription.past_due_since = None
    return _save(subscription, before=before, source=source, actor=actor, note=note or "plan changed",
                 fields=["plan", "period", "status", "trial_ends_at", "past_due_since"])


def _stripe_change(*, subscription: Subscription, plan: Plan, period: str) -> None:
    from billing import stripe_gateway

    if plan.is_free:
        stripe_gateway.subscription_cancel(subscription_id=subscription.stripe_subscription_id,
                                           idempotency_key=f"cancel-{subscription.stripe_subscription_id}")
        subscription.provider = Subscription.Provider.NONE
        subscription.stripe_subscription_id = ""
        subscription.save(update_fields=["provider", "stripe_subscription_id", "updated_at"])
        return
    price = plan.stripe_price(period)
    if not price:
        raise BillingError("stripe_price_missing", _("This plan cannot be paid by card yet."))
    stripe_gateway.subscription_change_price(
        subscription_id=subscription.stripe_subscription_id, price_id=price,
        idempotency_key=f"change-{subscription.stripe_subscription_id}-{price}-{subscription.changes.count()}",
    )


def price_quote(*, tenant: Tenant, plan_code: str, period: str, now: datetime | None = None) -> dict:
    """What a change costs: the new price for the period, minus the unused part of what was paid."""
    now = now or timezone.now()
    subscription = subscription_of(tenant)
    new_plan = plan_get(plan_code)
    new_price = new_plan.price_vnd(period)
    credit = Decimal(0)
    if (subscription.status == Subscription.Status.ACTIVE and not subscription.plan.is_free
            and subscription.current_period_end and subscription.current_period_end > now):
        length = _period_length(subscription.period, subscription.current_period_end)
        remaining = (subscription.current_period_end - now) / length
        credit = (subscription.plan.price_vnd(subscription.period) * Decimal(str(min(1.0, remaining))))
        credit = credit.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return {
        "current_plan": subscription.plan, "current_period": subscription.period, "new_plan": new_plan,
        "period": period, "new_price": new_price, "credit": credit,
        "due_now": max(Decimal(0), new_price - credit), "is_upgrade": new_plan.rank > subscription.plan.rank,
    }


def _period_length(period: str, end: datetime) -> timedelta:
    start = end - (relativedelta(years=1) if period == Period.YEAR else relativedelta(months=1))
    return end - start


def _new_reference() -> str:
    return REFERENCE_PREFIX + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


@transaction.atomic
def payment_order_create(*, tenant: Tenant, plan_code: str, period: str, actor,
                         now: datetime | None = None) -> PaymentOrder:
    """A bank-transfer order for a paid plan: unique reference, VND amount (less unused credit)."""
    plan = plan_get(plan_code)
    if plan.is_free:
        raise BillingError("plan_free", _("The free plan needs no payment."))
    quote = price_quote(tenant=tenant, plan_code=plan_code, period=period, now=now)
    # One open order per workspace: a new choice replaces the previous one.
    PaymentOrder.objects.filter(tenant=tenant, status=PaymentOrder.Status.PENDING).update(
        status=PaymentOrder.Status.CANCELED)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                order = PaymentOrder(tenant=tenant, plan=plan, period=period, reference=_new_reference(),
                                     amount_vnd=quote["due_now"], created_by=actor)
                order.full_clean()
                order.save()
                return order
        except IntegrityError:
            continue
    raise BillingError("reference_exhausted", _("Could not create a payment reference. Please try again."))


def _receipt_number(now: datetime) -> str:
    return f"RC{now:%Y%m}-{secrets.token_hex(4).upper()}"


def _period_end_after_payment(subscription: Subscription, plan: Plan, period: str, now: datetime) -> datetime:
    """A renewal of the same plan extends the current period; anything else starts a new one now."""
    step = relativedelta(years=1) if period == Period.YEAR else relativedelta(months=1)
    same = subscription.plan_id == plan.pk and subscription.period == period
    start = subscription.current_period_end if (
        same and subscription.current_period_end and subscription.current_period_end > now) else now
    return start + step


@transaction.atomic
def payment_order_confirm(*, order: PaymentOrder, actor=None, source: str = SubscriptionChange.Source.VENDOR,
                          now: datetime | None = None) -> Payment | None:
    """Mark an order paid and start its period at once. A second confirmation changes nothing."""
    now = now or timezone.now()
    order = PaymentOrder.objects.select_for_update().select_related("plan", "tenant").get(pk=order.pk)
    if order.status == PaymentOrder.Status.PAID:
        return None
    subscription = _lock(subscription_of(order.tenant))
    order.status, order.paid_at, order.confirmed_by = PaymentOrder.Status.PAID, now, actor
    order.save(update_fields=["status", "paid_at", "confirmed_by"])
    period_end = _period_end_after_payment(subscription, order.plan, order.period, now)
    payment = Payment.objects.create(
        tenant=order.tenant, plan=order.plan, provider=Payment.Provider.BANK, reference=order.reference,
        amount=order.amount_vnd, currency="VND", period=order.period, period_end=period_end,
        receipt_number=_receipt_number(now), paid_at=now,
    )
    before = (subscription.plan.code, subscription.status)
    subscription.plan, subscription.period = order.plan, order.period
    subscription.provider = Subscription.Provider.BANK
    subscription.current_period_end = period_end
    _mark_paid(subscription)
    _save(subscription, before=before, source=source, actor=actor, note=f"bank transfer {order.reference}",
          fields=["plan", "period", "provider", "current_period_end", "status", "past_due_since", "trial_ends_at"])
    return payment


def _mark_paid(subscription: Subscription) -> None:
    """A payment restores everything at once: active, no dunning, workspace reactivated."""
    subscription.status = Subscription.Status.ACTIVE
    subscription.past_due_since = None
    subscription.trial_ends_at = None
    from tenants.services import tenant_billing_reactivate

    tenant_billing_reactivate(tenant=subscription.tenant)


@transaction.atomic
def bank_transaction_record(*, provider_id: str, amount: Decimal, content: str, occurred_at: datetime,
                            payload: dict) -> tuple[BankTransaction, bool]:
    """Store one bank-feed notification (once by its id) and confirm the order it pays, if exact.

    Returns (transaction, created). A replay returns the stored row and changes nothing.
    """
    existing = BankTransaction.objects.filter(provider_id=provider_id).first()
    if existing is not None:
        return existing, False
    order = _order_in_content(content)
    note = ""
    if order is None or order.status != PaymentOrder.Status.PENDING:
        status = BankTransaction.Status.UNMATCHED
        note = "order already settled" if order is not None else ""
    elif amount < order.amount_vnd:
        status = BankTransaction.Status.SHORT
    elif amount > order.amount_vnd:
        status = BankTransaction.Status.OVER
    else:
        status = BankTransaction.Status.MATCHED
    try:
        with transaction.atomic():
            bank_tx = BankTransaction.objects.create(
                provider_id=provider_id, amount=amount, content=content[:500], occurred_at=occurred_at,
                payload=payload, status=status, order=order, note=note)
    except IntegrityError:
        # The same notification delivered twice at once: the other delivery stored it.
        return BankTransaction.objects.get(provider_id=provider_id), False
    if status == BankTransaction.Status.MATCHED:
        payment_order_confirm(order=order, source=SubscriptionChange.Source.BANK)
    return bank_tx, True


REFERENCE_RE = re.compile(REFERENCE_PREFIX + "[" + REFERENCE_ALPHABET + "]{8}")


def _order_in_content(content: str) -> PaymentOrder | None:
    """Banks upper-case, trim and re-space transfer contents; the reference may stand anywhere in it."""
    normalised = "".join(ch for ch in content.upper() if ch.isalnum())
    candidates = set(REFERENCE_RE.findall(normalised))
    return PaymentOrder.objects.filter(reference__in=candidates).select_related("plan").first() if candidates else None


@transaction.atomic
def bank_transaction_resolve(*, bank_tx: BankTransaction, actor, order: PaymentOrder | None, note: str) -> None:
    """Staff settle a transfer the feed could not match: confirm an order with it, or just note why."""
    bank_tx = BankTransaction.objects.select_for_update().get(pk=bank_tx.pk)
    if bank_tx.status in (BankTransaction.Status.MATCHED, BankTransaction.Status.RESOLVED):
        raise BillingError("already_resolved", _("This transfer is already settled."))
    bank_tx.status, bank_tx.resolved_by, bank_tx.note, bank_tx.order = (
        BankTransaction.Status.RESOLVED, actor, note[:300], order or bank_tx.order)
    bank_tx.save(update_fields=["status", "resolved_by", "note", "order"])
    if order is not None:
        payment_order_confirm(order=order, actor=actor)


@transaction.atomic
def subscription_payment_failed(*, subscription: Subscription, source: str, note: str,
                                now: datetime | None = None) -> Subscription:
    now = now or timezone.now()
    subscription = _lock(subscription)
    if subscription.status in (Subscription.Status.PAST_DUE, Subscription.Status.UNPAID):
        return subscription
    before = (subscription.plan.code, subscription.status)
    subscription.status = Subscription.Status.PAST_DUE
    subscription.past_due_since = now
    return _save(subscription, before=before, source=source, note=note, fields=["status", "past_due_since"])


@transaction.atomic
def plan_update(*, plan: Plan, fields: dict, features: list[str], limits: dict, actor) -> Plan:
    """Vendor staff edit a tier without a deploy; every workspace on it sees the change at once."""
    from billing.catalogue import FEATURES, LIMIT_KEYS
    from tenants.services import vendor_audit

    unknown = set(features) - set(FEATURES)
    if unknown:
        raise BillingError("feature_unknown", _("Unknown features: %(keys)s") % {"keys": ", ".join(sorted(unknown))})
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    before = {"features": plan.features, "limits": plan.limits, "price_vnd_month": str(plan.price_vnd_month)}
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.features = sorted(features)
    plan.limits = {key: limits.get(key) for key in LIMIT_KEYS}
    plan.full_clean()
    plan.save()
    vendor_audit(actor=actor, action="plan.updated", detail={"plan": plan.code, "before": before})
    tenant_ids = list(Subscription.objects.filter(plan=plan).values_list("tenant_id", flat=True))
    if tenant_ids:
        entitlements_forget(*tenant_ids)
        transaction.on_commit(lambda: entitlements_forget(*tenant_ids))
    return plan


@transaction.atomic
def trial_extend(*, tenant: Tenant, days: int, actor) -> Subscription:
    """Vendor staff give a trialing workspace more days."""
    subscription = _lock(subscription_of(tenant))
    if subscription.status != Subscription.Status.TRIALING or not subscription.trial_ends_at:
        raise BillingError("not_trialing", _("This workspace is not on a trial."))
    if not 1 <= days <= 90:
        raise BillingError("bad_days", _("Extend by 1 to 90 days."))
    before = (subscription.plan.code, subscription.status)
    subscription.trial_ends_at += timedelta(days=days)
    return _save(subscription, before=before, source=SubscriptionChange.Source.VENDOR, actor=actor,
                 note=f"trial extended by {days} days", fields=["trial_ends_at"])
