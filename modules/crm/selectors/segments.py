"""Customer segments by RFM (recency, frequency, monetary) over won deals.

For every party with at least one won deal: recency = days since its last won deal, frequency = number
of won deals, monetary = sum of their VND values (no exchange rates yet). Each measure gets a quintile
score 1-5 against all such parties of the workspace, from its percent rank (as PostgreSQL's
``percent_rank``): ``1 + floor(5 * (parties doing worse) / (parties - 1))``, capped at 5, so the best value
scores 5 and the worst 1 (lower recency is better). Equal values share a score: the lowest of their group
for frequency and monetary (everyone who bought once has F = 1), the highest for recency (everyone who
bought on the same day is as recent as can be). A workspace's first customer is therefore R5 F1 M1.
The scores name a segment by the first matching rule of ``SEGMENT_RULES``.
"""

from __future__ import annotations

import datetime
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modules.crm.models import Deal, Stage

CURRENCY = "VND"


@dataclass(frozen=True)
class Segment:
    key: str
    name: str
    advice: str
    color: str


SEGMENTS = {
    segment.key: segment for segment in [
        Segment("champions", _("Champions"), _("Bought recently, often and the most. Reward them, ask for referrals."),
                "#1e5eff"),
        Segment("loyal", _("Loyal"), _("Buy often. Offer more of what they buy, and loyalty terms."), "#2e9d5b"),
        Segment("potential_loyalists", _("Potential loyalists"),
                _("Recent, with more than one purchase. Keep in touch to make them regulars."), "#6cc08b"),
        Segment("new_customers", _("New customers"), _("First purchase, recently. Welcome them, help them start."),
                "#8fb3ff"),
        Segment("cant_lose", _("Can't lose them"),
                _("Used to buy often and big, nothing lately. Call them before a competitor does."), "#d9480f"),
        Segment("at_risk", _("At risk"), _("Used to buy often, nothing lately. Reach out with an offer."),
                "#f0a030"),
        Segment("hibernating", _("Hibernating"), _("Few, small, not recent purchases. A reminder now and then."),
                "#a0a8b8"),
        Segment("lost", _("Lost"), _("Long gone after one or two purchases. Low priority."), "#c9d3e6"),
    ]
}

# The score rules, first match wins: (segment, R range, F range, M range), each range inclusive.
# Every one of the 125 score combinations matches a rule (tests check it).
SEGMENT_RULES: list[tuple[str, tuple[int, int], tuple[int, int], tuple[int, int]]] = [
    ("champions", (4, 5), (4, 5), (4, 5)),
    ("loyal", (3, 5), (4, 5), (1, 5)),
    ("potential_loyalists", (3, 5), (2, 3), (1, 5)),
    ("new_customers", (4, 5), (1, 1), (1, 5)),
    ("cant_lose", (1, 2), (4, 5), (4, 5)),
    ("at_risk", (1, 2), (3, 5), (1, 5)),
    ("hibernating", (2, 3), (1, 2), (1, 5)),
    ("lost", (1, 1), (1, 2), (1, 5)),
]


def segment_for(r: int, f: int, m: int) -> str:
    for key, (r_low, r_high), (f_low, f_high), (m_low, m_high) in SEGMENT_RULES:
        if r_low <= r <= r_high and f_low <= f <= f_high and m_low <= m <= m_high:
            return key
    raise ValueError(f"no segment rule for R{r} F{f} M{m}")


def quintile_scores(values: list, *, higher_is_better: bool = True, ties_take_best: bool = False) -> list[int]:
    """Score each value 1-5 by its percent rank; equal values share the lowest score of their group, or the
    highest with ``ties_take_best``."""
    count = len(values)
    ordered = sorted(values)
    scores = []
    for value in values:
        below, above = bisect_left(ordered, value), count - bisect_right(ordered, value)
        worse, better = (below, above) if higher_is_better else (above, below)
        if count == 1:
            scores.append(5 if ties_take_best else 1)
        elif ties_take_best:
            scores.append(5 - min(4, (5 * better) // (count - 1)))
        else:
            scores.append(1 + min(4, (5 * worse) // (count - 1)))
    return scores


@dataclass(frozen=True)
class PartyRfm:
    party_id: int
    name: str
    last_won_at: datetime.datetime
    recency_days: int
    frequency: int
    monetary: Decimal
    r: int
    f: int
    m: int
    segment: str

    @property
    def last_won_on(self) -> datetime.date:
        return timezone.localdate(self.last_won_at)

    @property
    def score(self) -> str:
        return f"{self.r}{self.f}{self.m}"


def _won_rows():
    """Per party with won deals: last close, number, VND total (one grouped query).

    ERP: when sales orders exist, their paid/delivered orders join here as further (party, date, amount)
    rows (a UNION of the two per-party aggregates, or a second aggregate merged by party id) so RFM counts
    what customers bought through the ERP as well as the deals won in the CRM.
    """
    return (Deal.objects.filter(stage__kind=Stage.Kind.WON, closed_at__isnull=False)
            .values("party_id", "party__name")
            .annotate(last=Max("closed_at"), frequency=Count("pk"),
                      monetary=Coalesce(Sum("value", filter=Q(currency=CURRENCY)), Decimal(0)))
            .order_by())


def rfm(*, now: datetime.datetime | None = None) -> list[PartyRfm]:
    """RFM scores and segment of every party with a won deal, workspace-wide (one query)."""
    now = now or timezone.now()
    rows = list(_won_rows())
    if not rows:
        return []
    recency = [max(0, (now - row["last"]).days) for row in rows]
    r_scores = quintile_scores(recency, higher_is_better=False, ties_take_best=True)
    f_scores = quintile_scores([row["frequency"] for row in rows])
    m_scores = quintile_scores([row["monetary"] for row in rows])
    result = [
        PartyRfm(party_id=row["party_id"], name=row["party__name"], last_won_at=row["last"], recency_days=days,
                 frequency=row["frequency"], monetary=row["monetary"], r=r, f=f, m=m, segment=segment_for(r, f, m))
        for row, days, r, f, m in zip(rows, recency, r_scores, f_scores, m_scores, strict=True)
    ]
    return sorted(result, key=lambda p: (-p.r, -p.f, -p.m, p.name))


def other_currency_won() -> bool:
    return Deal.objects.filter(stage__kind=Stage.Kind.WON).exclude(currency=CURRENCY).exists()


def segment_sizes(parties: list[PartyRfm]) -> list[tuple[Segment, int]]:
    counts = {key: 0 for key in SEGMENTS}
    for party in parties:
        counts[party.segment] += 1
    return [(SEGMENTS[key], counts[key]) for key in SEGMENTS]


def segments_chart(sizes: list[tuple[Segment, int]]) -> dict:
    return {
        "type": "doughnut",
        "labels": [str(segment.name) for segment, _count in sizes],
        "datasets": [{"label": "", "data": [count for _segment, count in sizes],
                      "colors": [segment.color for segment, _count in sizes]}],
    }


def rule_rows() -> list[dict]:
    """SEGMENT_RULES for the page's explanation table."""
    return [{"segment": SEGMENTS[key], "r": r, "f": f, "m": m} for key, r, f, m in SEGMENT_RULES]
