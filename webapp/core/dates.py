"""The one way a date is written for a person to read (docs/guard-rails.md).

Weekday, day and month in the reader's language ("Saturday 7 December", "sabato 7
dicembre"), and the year whenever it is not this year ("Saturday 7 December 2030"), so a
wrong year shows at a glance. The locale is the request's (Flask-Babel), or the one
given (a message rendered for its recipient); callers pass a local date, or an aware
datetime and the zone to show it in.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from functools import lru_cache

from babel.dates import format_date, format_time
from flask_babel import get_locale

LONG = ("EEEE d MMMM", "EEEE d MMMM y")  # this year, another year
SHORT = ("EEE d MMM", "EEE d MMM y")

# A date further ahead than this is probably a typo (2030 for 2026): ask once.
FAR_AHEAD = timedelta(days=366)


def _locale(locale: str | None) -> str:
    return locale or str(get_locale() or "en")


@lru_cache(maxsize=4096)
def _written(day: date, pattern: str, locale: str) -> str:
    # A day, a pattern and a language always give the same words, and Babel's formatting
    # is most of a date's cost: a page writes the same few days again and again (the
    # desk's list of checks, a week of shifts).
    return format_date(day, pattern, locale=locale)


def reader_date(
    day: date, *, short: bool = False, today: date | None = None, locale: str | None = None
) -> str:
    """``day`` as a person reads it: weekday, day, month, and the year if not this one."""
    same_year = day.year == (today or date.today()).year
    pattern = (SHORT if short else LONG)[0 if same_year else 1]
    return _written(day, pattern, _locale(locale))


def reader_time(value: datetime, tz: tzinfo, *, locale: str | None = None) -> str:
    return format_time(value.astimezone(tz), "HH:mm", locale=_locale(locale))


def reader_datetime(
    value: datetime, tz: tzinfo, *, short: bool = False, locale: str | None = None
) -> str:
    """The local day as :func:`reader_date` and the time: "Monday 14 December, 10:00"."""
    local = value.astimezone(tz)
    today = datetime.now(tz).date()
    day = reader_date(local.date(), short=short, today=today, locale=locale)
    return f"{day}, {reader_time(local, tz, locale=locale)}"


def far_ahead(day: date, today: date | None = None) -> bool:
    """More than a year from today: a date the person is asked to confirm."""
    return day - (today or date.today()) > FAR_AHEAD
