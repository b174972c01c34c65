"""Sales teams, monthly quotas, attainment and the leaderboard.

A member's won revenue in a month is the value of the VND deals they own that were won (closed) in that
month, local time, whichever team the deal is in; attainment is that revenue ÷ their quota. A person in
several teams is ranked once on the all-teams leaderboard, against the sum of their quotas.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from modules.crm.models import Deal, Quota, SalesTeam, Stage, TeamMember
from tenants.models import Membership
from tenants.roles import Role

ZERO = Decimal(0)
CURRENCY = "VND"


def month_of(value: str | None, *, today: datetime.date | None = None) -> datetime.date:
    """The first day of the month named ``YYYY-MM`` (this month when missing or not a month)."""
    today = today or timezone.localdate()
    try:
        return datetime.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return today.replace(day=1)


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of a month as aware datetimes in the workspace's time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime(month.year, month.month, 1, tzinfo=zone)
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return start, datetime.datetime(following.year, following.month, 1, tzinfo=zone)


def emails_of(user_ids) -> dict[int, str]:
    user_ids = [user_id for user_id in set(user_ids) if user_id is not None]
    if not user_ids:
        return {}
    return dict(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "email"))


def workspace_members(tenant) -> list[tuple[int, str]]:
    """(user id, email) of the workspace's active members: the people a team can hold."""
    return list(Membership.objects.filter(tenant=tenant, is_active=True).order_by("user__email")
                .values_list("user_id", "user__email"))


def may_manage_team(membership, team: SalesTeam | None) -> bool:
    """Owners and admins manage every team; a team's manager manages theirs (members, quotas)."""
    if membership.role in (Role.OWNER, Role.ADMIN):
        return True
    return team is not None and membership.role != Role.VIEWER and team.manager_id == membership.user_id


def teams_overview() -> list[SalesTeam]:
    """Every team with its active member count and its manager's email (two queries)."""
    teams = list(SalesTeam.objects.annotate(member_count=Count("members", filter=Q(members__is_active=True))))
    emails = emails_of(team.manager_id for team in teams)
    for team in teams:
        team.manager_email = emails.get(team.manager_id, "")
    return teams


def team_members(team: SalesTeam) -> list[TeamMember]:
    members = list(team.members.filter(is_active=True))
    emails = emails_of(member.user_id for member in members)
    for member in members:
        member.email = emails.get(member.user_id, "")
    return sorted(members, key=lambda member: member.email)


def won_by_owner(*, user_ids, month: datetime.date) -> dict[int, tuple[Decimal, int]]:
    """{user id: (won revenue, won deals)} in ``month``."""
    start, end = month_bounds(month)
    rows = (Deal.objects.filter(owner_id__in=list(user_ids), stage__kind=Stage.Kind.WON, currency=CURRENCY,
                                closed_at__gte=start, closed_at__lt=end)
            .values("owner_id").annotate(total=Sum("value"), count=Count("pk")).order_by())
    return {row["owner_id"]: (row["total"], row["count"]) for row in rows}


@dataclass(frozen=True)
class LeaderRow:
    rank: int
    user_id: int
    email: str
    won_revenue: Decimal
    won_deals: int
    quota: Decimal | None

    @property
    def attainment(self) -> Decimal | None:
        return None if not self.quota else self.won_revenue / self.quota

    @property
    def bar_percent(self) -> int:
        """Width of the attainment bar (0-100; over-achievers fill it)."""
        return 0 if self.attainment is None else min(100, int(self.attainment * 100))


def leaderboard(*, month: datetime.date, team: SalesTeam | None = None) -> list[LeaderRow]:
    """Active team members ranked by won revenue in ``month`` (ties share a rank). Four queries."""
    members: QuerySet = TeamMember.objects.filter(is_active=True)
    quotas: QuerySet = Quota.objects.filter(month=month)
    if team is not None:
        members, quotas = members.filter(team=team), quotas.filter(team=team)
    user_ids = set(members.values_list("user_id", flat=True))
    if not user_ids:
        return []
    emails = emails_of(user_ids)
    won = won_by_owner(user_ids=user_ids, month=month)
    quota_of = dict(quotas.filter(user_id__in=user_ids, currency=CURRENCY).values("user_id")
                    .annotate(total=Sum("amount")).order_by().values_list("user_id", "total"))
    ordered = sorted(user_ids, key=lambda user_id: (-won.get(user_id, (ZERO, 0))[0], emails.get(user_id, "")))
    rows, previous, rank = [], None, 0
    for position, user_id in enumerate(ordered, start=1):
        revenue, count = won.get(user_id, (ZERO, 0))
        if revenue != previous:
            rank, previous = position, revenue
        rows.append(LeaderRow(rank=rank, user_id=user_id, email=emails.get(user_id, ""), won_revenue=revenue,
                              won_deals=count, quota=quota_of.get(user_id)))
    return rows


def leaderboard_chart(rows: list[LeaderRow], *, won_label: str, quota_label: str) -> dict:
    return {
        "type": "bar",
        "currency": CURRENCY,
        "labels": [row.email for row in rows],
        "datasets": [
            {"label": won_label, "data": [float(row.won_revenue) for row in rows], "color": "#1e5eff"},
            {"label": quota_label, "data": [float(row.quota or 0) for row in rows], "color": "#c9d3e6"},
        ],
    }
