"""Business-hours arithmetic for SLA timers.

The clock runs only inside a weekday's opening hours: it stops in the evening, on days without hours
(Sunday by default) and on holidays. A moment outside the hours counts from the next opening. The pure
functions take the calendar as arguments; ``business_calendar()`` loads the workspace's one.

Arithmetic is done in UTC and the day windows are built in the workspace's time zone, so a zone with
daylight saving still counts real minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Hours = dict[int, tuple[time, time]]  # weekday (0 = Monday) -> (opens, closes)

DEFAULT_TIME_ZONE = "Asia/Ho_Chi_Minh"
# A calendar whose every day is off would loop for ever; ten years without an open day is a mistake.
MAX_DAYS = 3660


def _window(day: date, *, hours: Hours, holidays: set[date], tz: ZoneInfo) -> tuple[datetime, datetime] | None:
    """The day's opening hours as UTC moments, or None on a day off."""
    if day in holidays or day.weekday() not in hours:
        return None
    opens, closes = hours[day.weekday()]
    if closes <= opens:
        return None
    return (datetime.combine(day, opens, tzinfo=tz).astimezone(UTC),
            datetime.combine(day, closes, tzinfo=tz).astimezone(UTC))


def _ensure_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("SLA arithmetic needs timezone-aware datetimes")


def add_business_minutes(start: datetime, minutes: int, *, hours: Hours, holidays: set[date],
                         tz: ZoneInfo) -> datetime:
    """The moment ``minutes`` business minutes after ``start`` (in ``tz``).

    Friday 17:00 + 60 with Friday 8:00-17:30 and Saturday 8:00-12:00 is Saturday 8:30; a start outside
    the hours (or ``minutes == 0`` there) lands on the next opening.
    """
    _ensure_aware(start)
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    remaining = timedelta(minutes=minutes)
    moment = start.astimezone(UTC)
    day = start.astimezone(tz).date()
    for _ in range(MAX_DAYS):
        window = _window(day, hours=hours, holidays=holidays, tz=tz)
        if window is not None and moment < window[1]:
            opens, closes = window
            moment = max(moment, opens)
            if moment + remaining <= closes:
                return (moment + remaining).astimezone(tz)
            remaining -= closes - moment
        day += timedelta(days=1)
    raise ValueError("the business calendar has no opening hours")


def business_minutes_between(start: datetime, end: datetime, *, hours: Hours, holidays: set[date],
                             tz: ZoneInfo) -> int:
    """Whole business minutes from ``start`` to ``end``; negative when ``end`` comes first (overdue)."""
    _ensure_aware(start)
    _ensure_aware(end)
    if end < start:
        return -business_minutes_between(end, start, hours=hours, holidays=holidays, tz=tz)
    start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
    total = timedelta(0)
    day, last_day = start.astimezone(tz).date(), end.astimezone(tz).date()
    while day <= last_day:
        window = _window(day, hours=hours, holidays=holidays, tz=tz)
        if window is not None:
            overlap = min(end_utc, window[1]) - max(start_utc, window[0])
            if overlap > timedelta(0):
                total += overlap
        day += timedelta(days=1)
    return int(total.total_seconds() // 60)


@dataclass(frozen=True)
class BusinessCalendar:
    """A workspace's hours, holidays and time zone, with the two operations bound to them."""

    hours: Hours
    holidays: frozenset[date]
    tz: ZoneInfo

    def add(self, start: datetime, minutes: int) -> datetime:
        return add_business_minutes(start, minutes, hours=self.hours, holidays=self.holidays, tz=self.tz)

    def between(self, start: datetime, end: datetime) -> int:
        return business_minutes_between(start, end, hours=self.hours, holidays=self.holidays, tz=self.tz)


def business_calendar() -> BusinessCalendar:
    """The current workspace's calendar (three small queries: settings, hours, holidays)."""
    from modules.crm.models import BusinessHours, CrmSettings, Holiday

    zone_name = CrmSettings.objects.values_list("time_zone", flat=True).first() or DEFAULT_TIME_ZONE
    hours = {row.weekday: (row.opens, row.closes) for row in BusinessHours.objects.all()}
    holidays = frozenset(Holiday.objects.values_list("day", flat=True))
    return BusinessCalendar(hours=hours, holidays=holidays, tz=ZoneInfo(zone_name))
