"""Time helpers every feature uses: times are stored in UTC and shown in the organisation's
timezone (see :func:`webapp.orgs.settings.org_tz`)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def at_local(day: date, moment: time, tz: ZoneInfo) -> datetime:
    """Local wall-clock time on ``day`` as an aware UTC datetime."""
    return datetime.combine(day, moment, tzinfo=tz).astimezone(UTC)


def to_local(value: datetime, tz: ZoneInfo) -> datetime:
    return value.astimezone(tz)


def today_local(tz: ZoneInfo, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(tz).date()


def travel_minutes(km: float, speed_kmh: float) -> int:
    """Whole minutes, rounded up (a 0.1 km hop still takes a minute)."""
    return math.ceil(km / speed_kmh * 60) if km > 0 else 0


def travel(km: float, speed_kmh: float) -> timedelta:
    return timedelta(minutes=travel_minutes(km, speed_kmh))


def monday_of(day: date) -> date:
    """The Monday of ``day``'s week (weekly hours and weekly plans count from it)."""
    return day - timedelta(days=day.weekday())
