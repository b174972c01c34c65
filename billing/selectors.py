"""Reads for billing pages and the vendor console."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Sum
from django.utils import timezone

from billing.models import BankTransaction, Payment, PaymentOrder, Plan, Subscription, SubscriptionChange
from tenants.models import Membership, Tenant

# Usage counters per limit key; modules add theirs (contacts, pipelines, warehouses) as they land.
USAGE_COUNTERS = {
    "seats": lambda tenant: Membership.objects.filter(tenant=tenant, is_active=True).count(),
}


def usage_for(*, tenant: Tenant, plan: Plan) -> list[dict]:
    """One row per limit the workspace can measure today: used, maximum, percent for the bar."""
    rows = []
    for key, count in USAGE_COUNTERS.items():
        used, maximum = count(tenant), plan.limits.get(key)
        percent = 0 if not maximum else min(100, round(100 * used / maximum))
        rows.append({"key": key, "used": used, "maximum": maximum, "percent": percent,
                     "full": maximum is not None and used >= maximum})
    return rows


def payments_of(*, tenant: Tenant):
    return Payment.objects.filter(tenant=tenant).select_related("plan")


def open_order_of(*, tenant: Tenant) -> PaymentOrder | None:
    return PaymentOrder.objects.filter(tenant=tenant, status=PaymentOrder.Status.PENDING).select_related("plan").first()


def _paying(queryset):
    return queryset.filter(status__in=[Subscription.Status.ACTIVE, Subscription.Status.PAST_DUE],
                           tenant__status__in=["active", "suspended"])


def mrr_now() -> Decimal:
    from billing.services import mrr_vnd

    return sum((mrr_vnd(s.plan, s.period, s.status) for s in _paying(Subscription.objects.select_related("plan"))),
               Decimal(0))


def mrr_history(*, months: int = 12, now: datetime | None = None) -> list[dict]:
    """MRR at the end of each of the last ``months`` months, replayed from the subscription ledger."""
    now = now or timezone.now()
    ends = [(now.replace(day=1, hour=0, minute=0, second=0, microsecond=0) - relativedelta(months=offset - 1))
            for offset in range(months, 0, -1)]
    changes = SubscriptionChange.objects.filter(created_at__lt=ends[-1]).order_by("created_at", "id").values_list(
        "subscription_id", "created_at", "mrr_vnd")
    latest: dict[int, Decimal] = {}
    points, index = [], 0
    changes = list(changes)
    for end in ends:
        while index < len(changes) and changes[index][1] < end:
            latest[changes[index][0]] = changes[index][2]
            index += 1
        points.append({"month": (end - timedelta(days=1)).strftime("%m/%Y"), "mrr": sum(latest.values(), Decimal(0))})
    return points


def console_overview(*, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    subscriptions = Subscription.objects.exclude(tenant__status__in=["pooled", "provisioning", "closed"])
    by_plan_status = (subscriptions.values("plan__code", "plan__name_en", "status").annotate(n=Count("id"))
                      .order_by("plan__code", "status"))
    return {
        "mrr": mrr_now(),
        "by_plan_status": list(by_plan_status),
        "trials_ending": subscriptions.filter(status=Subscription.Status.TRIALING,
                                              trial_ends_at__lte=now + timedelta(days=7))
        .select_related("tenant", "plan").order_by("trial_ends_at"),
        "failed": subscriptions.filter(status__in=[Subscription.Status.PAST_DUE, Subscription.Status.UNPAID])
        .select_related("tenant", "plan").order_by("past_due_since"),
        "pending_orders": PaymentOrder.objects.filter(status=PaymentOrder.Status.PENDING)
        .select_related("tenant", "plan").order_by("created_at"),
        "unresolved_transfers": BankTransaction.objects.filter(
            status__in=[BankTransaction.Status.UNMATCHED, BankTransaction.Status.SHORT, BankTransaction.Status.OVER])
        .select_related("order", "order__tenant"),
        "revenue_30d": Payment.objects.filter(paid_at__gte=now - timedelta(days=30), currency="VND")
        .aggregate(total=Sum("amount"))["total"] or Decimal(0),
        "history": mrr_history(now=now),
    }
