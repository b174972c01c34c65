"""The billing clock, run daily by Celery beat (and with any ``now`` in tests).

- a trial ending within 3 days: the owners get one email;
- a trial that ended unpaid: back to the free tier, all data kept;
- a bank-transfer period ending within 7 days, then 1 day: a renewal reminder;
- a bank-transfer period that ended unpaid: past_due;
- past_due for 7 days: unpaid, which makes the workspace read-only (reads and exports work);
- past_due for 30 days: the workspace is suspended. A payment restores everything at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from billing.catalogue import DEFAULT_TIER
from billing.models import BillingNotice, Subscription, SubscriptionChange
from billing.services import GRACE_DAYS, SUSPEND_AFTER_DAYS, _lock, _save, plan_get, subscription_payment_failed
from tenants.models import Membership

TRIAL_WARNING_DAYS = 3
RENEWAL_REMINDER_DAYS = (7, 1)


def notice_send(*, subscription: Subscription, kind: str, key: str, context: dict | None = None) -> bool:
    """Email the workspace's owners once per (kind, key); False if it was already sent."""
    try:
        with transaction.atomic():
            BillingNotice.objects.create(subscription=subscription, kind=kind, key=key)
    except IntegrityError:
        return False
    owners = list(Membership.objects.filter(tenant_id=subscription.tenant_id, role="owner", is_active=True)
                  .values_list("user__email", flat=True))
    with translation.override("vi"):
        body = render_to_string(f"billing/email/{kind}.txt", {"subscription": subscription, **(context or {})})
        subject = body.splitlines()[0]
    transaction.on_commit(lambda: send_mail(subject=subject, message=body, from_email=None, recipient_list=owners))
    return True


def dunning_run(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    done = {"trial_warned": 0, "trial_ended": 0, "renewal_reminded": 0, "renewal_missed": 0, "read_only": 0,
            "suspended": 0}
    subscriptions = Subscription.objects.select_related("plan", "tenant").exclude(tenant__status="closed")
    for subscription in subscriptions.filter(status=Subscription.Status.TRIALING, trial_ends_at__isnull=False):
        if subscription.trial_ends_at <= now:
            _trial_end(subscription, now)
            done["trial_ended"] += 1
        elif subscription.trial_ends_at - now <= timedelta(days=TRIAL_WARNING_DAYS):
            done["trial_warned"] += notice_send(subscription=subscription, kind="trial_ending",
                                                key=f"{subscription.trial_ends_at:%Y-%m-%d}")
    for subscription in subscriptions.filter(provider=Subscription.Provider.BANK, status=Subscription.Status.ACTIVE,
                                             current_period_end__isnull=False):
        left = subscription.current_period_end - now
        if left <= timedelta(0):
            subscription_payment_failed(subscription=subscription, source=SubscriptionChange.Source.SYSTEM,
                                        note="bank renewal not paid", now=subscription.current_period_end)
            done["renewal_missed"] += 1
            continue
        for days in sorted(RENEWAL_REMINDER_DAYS):  # the nearest reminder that is due
            if left <= timedelta(days=days):
                done["renewal_reminded"] += notice_send(
                    subscription=subscription, kind="renewal_due",
                    key=f"{subscription.current_period_end:%Y-%m-%d}-{days}d",
                    context={"days": days})
                break
    overdue = subscriptions.filter(status__in=[Subscription.Status.PAST_DUE, Subscription.Status.UNPAID],
                                   past_due_since__isnull=False)
    for subscription in overdue:
        late = now - subscription.past_due_since
        if late >= timedelta(days=SUSPEND_AFTER_DAYS) and subscription.tenant.status == "active":
            _suspend(subscription, now)
            done["suspended"] += 1
        elif late >= timedelta(days=GRACE_DAYS) and subscription.status == Subscription.Status.PAST_DUE:
            _read_only(subscription)
            done["read_only"] += 1
    return done


@transaction.atomic
def _trial_end(subscription: Subscription, now: datetime) -> None:
    subscription = _lock(subscription)
    if subscription.status != Subscription.Status.TRIALING or subscription.trial_ends_at > now:
        return
    before = (subscription.plan.code, subscription.status)
    subscription.plan, subscription.status, subscription.trial_ends_at = (
        plan_get(DEFAULT_TIER), Subscription.Status.ACTIVE, None)
    _save(subscription, before=before, source=SubscriptionChange.Source.SYSTEM, note="trial ended unpaid",
          fields=["plan", "status", "trial_ends_at"])


@transaction.atomic
def _read_only(subscription: Subscription) -> None:
    subscription = _lock(subscription)
    if subscription.status != Subscription.Status.PAST_DUE:
        return
    before = (subscription.plan.code, subscription.status)
    subscription.status = Subscription.Status.UNPAID
    _save(subscription, before=before, source=SubscriptionChange.Source.SYSTEM,
          note=f"unpaid {GRACE_DAYS} days: read-only", fields=["status"])


@transaction.atomic
def _suspend(subscription: Subscription, now: datetime) -> None:
    from tenants.services import BILLING_SUSPENSION_PREFIX, tenant_billing_suspend

    subscription = _lock(subscription)
    if subscription.status not in (Subscription.Status.PAST_DUE, Subscription.Status.UNPAID):
        return
    if subscription.status == Subscription.Status.PAST_DUE:
        before = (subscription.plan.code, subscription.status)
        subscription.status = Subscription.Status.UNPAID
        _save(subscription, before=before, source=SubscriptionChange.Source.SYSTEM, note="unpaid", fields=["status"])
    tenant_billing_suspend(tenant=subscription.tenant,
                           reason=f"{BILLING_SUSPENSION_PREFIX} unpaid since {subscription.past_due_since:%Y-%m-%d}")
