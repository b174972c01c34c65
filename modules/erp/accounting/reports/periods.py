"""The period a report covers: from/to dates typed in, or a quick pick (this month, last month, this quarter,
this year). Parsing only; an unreadable date falls back to the report's default and says so."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext_lazy as _

QUICK_PICKS = [
    ("this_month", _("This month")),
    ("last_month", _("Last month")),
    ("this_quarter", _("This quarter")),
    ("this_year", _("This year")),
]


@dataclass(frozen=True)
class ReportPeriod:
    date_from: datetime.date
    date_to: datetime.date
    pick: str = ""  # the quick pick it came from, "" when typed in
    error: str = ""

    @property
    def opening_day(self) -> datetime.date:
        """The last day before the period: opening balances are balances at the end of it."""
        return self.date_from - datetime.timedelta(days=1)

    def label(self) -> str:
        return f"{self.date_from:%d/%m/%Y} - {self.date_to:%d/%m/%Y}"

    def query(self) -> dict[str, str]:
        return {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}


def quick_pick(pick: str, today: datetime.date) -> ReportPeriod:
    month = today.replace(day=1)
    if pick == "last_month":
        start = month - relativedelta(months=1)
        return ReportPeriod(start, month - datetime.timedelta(days=1), pick)
    if pick == "this_quarter":
        start = month.replace(month=(month.month - 1) // 3 * 3 + 1)
        return ReportPeriod(start, start + relativedelta(months=3) - datetime.timedelta(days=1), pick)
    if pick == "this_year":
        return ReportPeriod(today.replace(month=1, day=1), today.replace(month=12, day=31), pick)
    return ReportPeriod(month, month + relativedelta(months=1) - datetime.timedelta(days=1), "this_month")


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def period_from(params, today: datetime.date, default: str = "this_month") -> ReportPeriod:
    """The period asked for in ``params`` (``pick``, or ``from`` and ``to``), else ``default``."""
    pick = params.get("pick", "")
    if pick in dict(QUICK_PICKS):
        return quick_pick(pick, today)
    raw_from, raw_to = params.get("from"), params.get("to")
    if not raw_from and not raw_to:
        return quick_pick(default, today)
    date_from, date_to = _date(raw_from), _date(raw_to)
    fallback = quick_pick(default, today)
    if date_from is None or date_to is None:
        return ReportPeriod(fallback.date_from, fallback.date_to, fallback.pick,
                            error=str(_("Enter both dates as day/month/year; showing the default period.")))
    if date_from > date_to:
        return ReportPeriod(fallback.date_from, fallback.date_to, fallback.pick,
                            error=str(_("The start date is after the end date; showing the default period.")))
    return ReportPeriod(date_from, date_to)
