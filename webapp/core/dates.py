"""The one way a date is written for a person to read (docs/guard-rails.md).

Weekday, day and month in the reader's language ("Saturday 7 December", "sabato 7
dicembre"), and the year whenever it is not this year ("Saturday 7 December 2030"), so a
wrong year shows at a glance. Flask-Babel formats in the locale of the request (or the
default one in jobs); callers pass a local date or an aware datetime and its zone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from flask_babel import format_date, format_time

THIS_YEAR = "EEEE d MMMM"
OTHER_YEAR = "EEEE d MMMM y"
SHORT_THIS_YEAR = "EEE d MMM"
SHORT_OTHER_YEAR = "EEE d MMM y"

# A date further ahead than this is probably a typo (2030 for 2026): ask once.
FAR_AHEAD = timedelta(days=366)


def reader_date(day: date, *, short: bool = False, today: date | None = None) -> str:
    """``day`` as a person reads it, in the current locale."""
    same_year = day.year == (today or date.today()).year
    if short:
        return format_date(day, SHORT_THIS_YEAR if same_year else SHORT_OTHER_YEAR)
    return format_date(day, THIS_YEAR if same_year else OTHER_YEAR)


def reader_datetime(value: datetime, tz: tzinfo, *, short: bool = False) -> str:
    """The local day as :func:`reader_date` and the time, "Monday 14 December, 10:00"."""
    local = value.astimezone(tz)
    return f"{reader_date(local.date(), short=short)}, {format_time(local.time(), 'HH:mm')}"


def far_ahead(day: date, today: date | None = None) -> bool:
    """More than a year from today: a date the person is asked to confirm."""
    return day - (today or date.today()) > FAR_AHEAD
