"""Reads for leads, deals, activities and the sales overview. Every list is narrowed by record rules
and fetches its related rows up front, so a page costs the same few queries for 5 rows or 5,000."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from modules.crm.access import scope
from modules.crm.models import Activity, Deal, DealLine, DealStageChange, Lead, Pipeline, Stage, Ticket


def deals_visible(membership):
    return scope(Deal.objects.all(), membership=membership)


def leads_visible(membership):
    return scope(Lead.objects.all(), membership=membership)


def activities_visible(membership):
    return scope(Activity.objects.all(), membership=membership, team_field=None)


def board(*, membership, pipeline: Pipeline, per_column: int = 30) -> list[dict]:
    """Kanban columns: each stage with its count, total and the first ``per_column`` cards."""
    deals = deals_visible(membership).filter(pipeline=pipeline)
    totals = {row["stage_id"]: row for row in deals.values("stage_id").annotate(n=Count("id"), total=Sum("value"))}
    stages = list(pipeline.stages.all())
    cards = {stage.pk: [] for stage in stages}
    # One slice per column, combined with UNION ALL: each slice walks deal_board_idx and stops at
    # ``per_column`` rows, instead of ranking every deal of the pipeline.
    slices = [deals.filter(stage=stage).select_related("party").order_by("position", "-id")[:per_column]
              for stage in stages]
    if slices:
        for deal in slices[0].union(*slices[1:], all=True):
            cards[deal.stage_id].append(deal)
    return [{"stage": stage, "deals": cards[stage.pk], "count": totals.get(stage.pk, {}).get("n", 0),
             "total": totals.get(stage.pk, {}).get("total") or Decimal(0)} for stage in stages]


def deal_list(*, membership, pipeline_id=None, stage_id=None, owner_id=None, state: str = "", q: str = "",
              order: str = "-created_at"):
    deals = deals_visible(membership).select_related("party", "stage", "pipeline")
    if pipeline_id:
        deals = deals.filter(pipeline_id=pipeline_id)
    if stage_id:
        deals = deals.filter(stage_id=stage_id)
    if owner_id:
        deals = deals.filter(owner_id=owner_id)
    if state in ("open", "won", "lost"):
        deals = deals.filter(stage__kind=state)
    if q:
        deals = deals.filter(Q(title__icontains=q) | Q(party__name__icontains=q))
    allowed = {"value", "-value", "expected_close", "-expected_close", "created_at", "-created_at", "title", "-title"}
    return deals.order_by(order if order in allowed else "-created_at", "-id")


def deal_detail(*, membership, pk: int) -> Deal:
    from modules.crm.access import get_for

    return get_for(Deal.objects.select_related("party", "contact", "stage", "pipeline", "lost_reason", "team",
                                               "campaign").prefetch_related(
        Prefetch("lines", queryset=DealLine.objects.select_related("product")),
        Prefetch("stage_changes", queryset=DealStageChange.objects.select_related("from_stage", "to_stage"))),
        membership=membership, pk=pk)


MY_DAY_SECTION_SIZE = 50


def my_day(*, membership, now=None, section: str | None = None) -> dict:
    """The member's open activities: overdue, today, the next 7 days, undated. Each section shows its
    first 50 and its count; ``section`` pages through one of them in full."""
    now = now or timezone.now()
    today_end = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    mine = Activity.objects.filter(owner_id=membership.user_id, done_at__isnull=True).select_related(
        "party", "lead", "deal")
    sections = {
        "overdue": mine.filter(due_at__lt=now).order_by("-due_at", "-id"),
        "today": mine.filter(due_at__gte=now, due_at__lte=today_end).order_by("due_at", "id"),
        "upcoming": mine.filter(due_at__gt=today_end, due_at__lte=today_end + timedelta(days=7)).order_by(
            "due_at", "id"),
        "undated": mine.filter(due_at__isnull=True).order_by("-created_at", "-id"),
    }
    if section in sections:
        return {"section": section, "queryset": sections[section]}
    counts = mine.aggregate(
        overdue=Count("id", filter=Q(due_at__lt=now)),
        today=Count("id", filter=Q(due_at__gte=now, due_at__lte=today_end)),
        upcoming=Count("id", filter=Q(due_at__gt=today_end, due_at__lte=today_end + timedelta(days=7))),
        undated=Count("id", filter=Q(due_at__isnull=True)))
    return {**{name: list(rows[:MY_DAY_SECTION_SIZE]) for name, rows in sections.items()}, "counts": counts,
            "section_size": MY_DAY_SECTION_SIZE}


def dashboard(*, membership, now=None) -> dict:
    """The sales overview: funnel, won trend, activities due, tickets near SLA, campaign ROI."""
    now = now or timezone.now()
    deals = deals_visible(membership)
    pipeline = Pipeline.objects.filter(is_default=True).first()
    funnel = []
    if pipeline is not None:
        counts = {row["stage_id"]: row for row in deals.filter(pipeline=pipeline, stage__kind=Stage.Kind.OPEN)
                  .values("stage_id").annotate(n=Count("id"), total=Sum("value"))}
        funnel = [{"stage": stage.name, "n": counts.get(stage.pk, {}).get("n", 0),
                   "total": counts.get(stage.pk, {}).get("total") or Decimal(0)}
                  for stage in pipeline.stages.filter(kind=Stage.Kind.OPEN)]
    start = (timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
             - relativedelta(months=11))
    won = {row["month"].strftime("%m/%Y"): row["total"] for row in deals.filter(
        stage__kind=Stage.Kind.WON, closed_at__gte=start, currency="VND").annotate(month=TruncMonth("closed_at"))
        .values("month").annotate(total=Sum("value")).order_by("month")}
    months = [(start + relativedelta(months=offset)).strftime("%m/%Y") for offset in range(12)]
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    won_month = deals.filter(stage__kind=Stage.Kind.WON, closed_at__gte=month_start, currency="VND").aggregate(
        n=Count("id"), total=Sum("value"))
    activities = Activity.objects.filter(owner_id=membership.user_id, done_at__isnull=True)
    tickets = Ticket.objects.exclude(status__in=[Ticket.Status.RESOLVED, Ticket.Status.CLOSED])
    return {
        "funnel": funnel,
        "won_trend": [{"month": month, "total": won.get(month) or Decimal(0)} for month in months],
        "won_month": {"n": won_month["n"], "total": won_month["total"] or Decimal(0)},
        "activities": activities.aggregate(
            overdue=Count("id", filter=Q(due_at__lt=now)),
            today=Count("id", filter=Q(due_at__gte=now, due_at__lt=now + timedelta(days=1)))),
        "tickets": tickets.aggregate(
            breached=Count("id", filter=Q(resolution_breached=True) | Q(resolution_due__lt=now)),
            near=Count("id", filter=Q(resolution_due__gte=now, resolution_due__lt=now + timedelta(hours=4)))),
        "campaigns": campaign_roi_top(limit=5),
    }


def campaign_roi_top(*, limit: int = 5) -> list[dict]:
    """ROI = attributed revenue ÷ cost, for the campaigns with the most revenue: won deals' value, or, once the
    workspace posts customer invoices, invoiced revenue in the campaign's currency (``campaigns.revenue_basis``).
    Two queries."""
    from modules.crm.models import Campaign, CampaignCost
    from modules.crm.selectors.campaigns import INVOICED, invoiced_lines, revenue_basis

    basis = revenue_basis()
    cost = (CampaignCost.objects.filter(campaign=OuterRef("pk")).order_by().values("campaign")
            .annotate(total=Sum("amount")).values("total"))
    if basis == INVOICED:
        won = (invoiced_lines().filter(attributed=OuterRef("pk"), currency=OuterRef("currency")).order_by()
               .values("attributed").annotate(total=Sum("signed")).values("total"))
    else:
        won = (Deal.objects.filter(campaign=OuterRef("pk"), stage__kind=Stage.Kind.WON).order_by()
               .values("campaign").annotate(total=Sum("value")).values("total"))
    campaigns = Campaign.objects.annotate(cost=Subquery(cost), won=Subquery(won)).order_by(
        F("won").desc(nulls_last=True))[:limit]
    return [{"name": c.name, "cost": c.cost or Decimal(0), "won": c.won or Decimal(0), "basis": basis,
             "roi": (c.won or Decimal(0)) / c.cost if c.cost else None} for c in campaigns]
