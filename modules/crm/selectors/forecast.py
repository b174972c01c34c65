"""Sales forecast: the weighted pipeline beside a projection from history.

- Weighted pipeline: each open deal counts ``value * stage probability / 100`` in the month of its
  expected close (deals without one go to "no date").
- Projection from history: each open deal counts ``value * win rate`` where the win rate is its owner's
  ``won / (won + lost)`` over deals closed in the last 12 months, or the workspace's when the owner closed
  none. It lands in the month of its expected close; without one, at ``created_at + median cycle time``
  (won deals, created -> closed; the owner's, else the workspace's), and no earlier than this month:
  a deal already older than the usual cycle is expected now.

Sums count VND deals only (no exchange rates yet); the page says so when other currencies are open.
The history is workspace-wide; the open deals are those the viewer may see.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Aggregate, Count, DurationField, F, Q, QuerySet
from django.utils import timezone

from modules.crm.models import Deal, SalesTeam, Stage

ZERO = Decimal(0)
CURRENCY = "VND"
HISTORY_DAYS = 365


class Median(Aggregate):
    """PostgreSQL ``percentile_cont(0.5)``: the median of an interval (or number) per group."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


@dataclass(frozen=True)
class History:
    won: int
    lost: int
    median_cycle: datetime.timedelta | None

    @property
    def win_rate(self) -> Decimal | None:
        closed = self.won + self.lost
        return None if not closed else Decimal(self.won) / Decimal(closed)


@dataclass(frozen=True)
class Histories:
    by_owner: dict[int | None, History]
    workspace: History

    def win_rate(self, owner_id) -> tuple[Decimal | None, bool]:
        """(rate, own): the owner's rate when they closed deals in the window, else the workspace's."""
        own = self.by_owner.get(owner_id)
        if owner_id is not None and own is not None and own.won + own.lost:
            return own.win_rate, True
        return self.workspace.win_rate, False

    def median_cycle(self, owner_id) -> datetime.timedelta | None:
        own = self.by_owner.get(owner_id)
        if owner_id is not None and own is not None and own.median_cycle is not None:
            return own.median_cycle
        return self.workspace.median_cycle


def win_history(*, now: datetime.datetime | None = None) -> Histories:
    """Win rates and median cycle times over deals closed in the last 12 months (two queries)."""
    now = now or timezone.now()
    closed = Deal.objects.filter(closed_at__gte=now - datetime.timedelta(days=HISTORY_DAYS), closed_at__lte=now,
                                 stage__kind__in=[Stage.Kind.WON, Stage.Kind.LOST])
    won = Q(stage__kind=Stage.Kind.WON)
    measures = {
        "won": Count("pk", filter=won),
        "lost": Count("pk", filter=Q(stage__kind=Stage.Kind.LOST)),
        "cycle": Median(F("closed_at") - F("created_at"), filter=won),
    }
    by_owner = {row["owner_id"]: History(row["won"], row["lost"], row["cycle"])
                for row in closed.values("owner_id").annotate(**measures).order_by()}
    total = closed.aggregate(**measures)
    return Histories(by_owner=by_owner, workspace=History(total["won"], total["lost"], total["cycle"]))


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


@dataclass
class Bucket:
    """One row of a grouping: number of deals, open value, weighted value, projected value."""

    key: object
    label: str = ""
    deals: int = 0
    value: Decimal = ZERO
    weighted: Decimal = ZERO
    projected: Decimal = ZERO
    extra: dict = field(default_factory=dict)

    def add(self, *, value: Decimal, weighted: Decimal, projected: Decimal) -> None:
        self.deals += 1
        self.value += value
        self.weighted += weighted
        self.projected += projected


@dataclass
class Forecast:
    by_month: list[Bucket]
    by_owner: list[Bucket]
    by_team: list[Bucket]
    total: Bucket
    other_currencies: list[str]
    workspace: History
    this_month: datetime.date

    @property
    def uses_workspace_rate(self) -> bool:
        return any(not row.extra["own_rate"] for row in self.by_owner)

    def chart(self, *, weighted_label: str, projected_label: str, no_date_label: str) -> dict:
        return {
            "type": "bar",
            "currency": CURRENCY,
            "labels": [row.key.strftime("%m/%Y") if row.key else no_date_label for row in self.by_month],
            "datasets": [
                {"label": weighted_label, "data": [float(row.weighted) for row in self.by_month], "color": "#1e5eff"},
                {"label": projected_label, "data": [float(row.projected) for row in self.by_month],
                 "color": "#2e9d5b"},
            ],
        }


def forecast(*, deals: QuerySet, now: datetime.datetime | None = None, histories: Histories | None = None) -> Forecast:
    """The forecast of the open deals in ``deals`` (already narrowed to what the viewer may see)."""
    now = now or timezone.now()
    this_month = _month(timezone.localdate(now))
    histories = histories or win_history(now=now)
    rows = list(deals.filter(stage__kind=Stage.Kind.OPEN).order_by().values(
        "owner_id", "team_id", "value", "currency", "expected_close", "created_at", "stage__probability"))
    other_currencies = sorted({row["currency"] for row in rows} - {CURRENCY})
    months: dict[datetime.date | None, Bucket] = {}
    owners: dict[int | None, Bucket] = {}
    teams: dict[int | None, Bucket] = {}
    total = Bucket(key=None)
    for row in rows:
        if row["currency"] != CURRENCY:
            continue
        value = row["value"]
        weighted = value * row["stage__probability"] / 100
        rate, _own = histories.win_rate(row["owner_id"])
        projected = value * rate if rate is not None else ZERO
        weighted_month = _month(row["expected_close"]) if row["expected_close"] else None
        projected_month = weighted_month or _projected_month(row, histories, this_month)
        # A deal counts (and shows its value) in the month of its weighted value; its projection may land in
        # another month when it has no expected close.
        months.setdefault(weighted_month, Bucket(key=weighted_month)).add(value=value, weighted=weighted,
                                                                          projected=ZERO)
        if rate is not None:  # without any history there is no projection to place
            months.setdefault(projected_month, Bucket(key=projected_month)).projected += projected
        owners.setdefault(row["owner_id"], Bucket(key=row["owner_id"])).add(value=value, weighted=weighted,
                                                                            projected=projected)
        teams.setdefault(row["team_id"], Bucket(key=row["team_id"])).add(value=value, weighted=weighted,
                                                                         projected=projected)
        total.add(value=value, weighted=weighted, projected=projected)
    by_owner = _label_owners(owners, histories)
    by_team = _label_teams(teams)
    by_month = sorted(months.values(), key=lambda b: (b.key is None, b.key or this_month))
    return Forecast(by_month=by_month, by_owner=by_owner, by_team=by_team, total=total,
                    other_currencies=other_currencies, workspace=histories.workspace, this_month=this_month)


def _projected_month(row: dict, histories: Histories, this_month: datetime.date) -> datetime.date | None:
    cycle = histories.median_cycle(row["owner_id"])
    if cycle is None:
        return None
    return max(_month(timezone.localdate(row["created_at"] + cycle)), this_month)


def _label_owners(owners: dict[int | None, Bucket], histories: Histories) -> list[Bucket]:
    emails = dict(get_user_model().objects.filter(pk__in=[key for key in owners if key is not None])
                  .values_list("pk", "email")) if owners else {}
    for owner_id, bucket in owners.items():
        bucket.label = emails.get(owner_id, "")
        rate, own = histories.win_rate(owner_id)
        cycle = histories.median_cycle(owner_id)
        bucket.extra = {"win_rate": rate, "own_rate": own,
                        "cycle_days": None if cycle is None else round(cycle.total_seconds() / 86400)}
    return sorted(owners.values(), key=lambda b: (-b.weighted, b.label))


def _label_teams(teams: dict[int | None, Bucket]) -> list[Bucket]:
    names = dict(SalesTeam.objects.filter(pk__in=[key for key in teams if key is not None])
                 .values_list("pk", "name")) if teams else {}
    for team_id, bucket in teams.items():
        bucket.label = names.get(team_id, "")
    return sorted(teams.values(), key=lambda b: (-b.weighted, b.label))
