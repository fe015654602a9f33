"""The coordinator's day and week, their shift tables rendered once and served again
while nothing they show changed in the organisation (and the desk home's lists of shifts,
``desk/views.py``).

Coordinators keep the day and the week open all day and reload them; a city's day or
week renders 60-140 shifts with their residents and volunteers (30-40 ms of CPU a view),
and most views find them as they were. So each web worker keeps the rendered tables, with
the counts behind them, per organisation, page and filter, with a **stamp**: the count and
last id of the organisation's ``calendar_change`` rows, written whenever a shift, a seat, a
request or a person of it changes (``shifts/calendar_changes.py``). One index read tells
whether they are still true, whichever worker or process made the change.

What is not in those rows is in the key: the page and its filters, the language, the day
(dates are written without the year in the current one), the reader's role. What changes
with the clock or lives elsewhere (the alerts, the approvals still ahead, the residents to
phone) is read at each view, outside the kept part; a kept part goes when time alone
would change it (``until``) and after :data:`LATEST` at most. Only plain values are kept
(HTML, counts, names), never rows of a session.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app
from flask_babel import get_locale
from flask_login import current_user

from webapp.core.kept_pages import KeptPages, kept_pages
from webapp.db import read_columns, utcnow
from webapp.extensions import db
from webapp.shifts.candidates import settle
from webapp.shifts.models import CalendarChange

# The longest a kept table is served before it is drawn again, changes or not.
LATEST = timedelta(minutes=10)
STORE = "calendar_cache"

T = TypeVar("T")


def kept() -> KeptPages:
    """This app's kept calendars."""
    return kept_pages(STORE)


# Built once: read at every view of the day, the week and the desk home.
_STAMP = sa.select(sa.func.count(CalendarChange.id), sa.func.max(CalendarChange.id)).where(
    CalendarChange.organisation_id == sa.bindparam("org_id")
)


def stamp(org_id: int) -> tuple[int, int | None]:
    """How many changes the organisation's calendar was told of, and the last one's id:
    one index read (a count as well: two transactions may commit out of id order)."""
    row = read_columns(db.session(), _STAMP, {"org_id": org_id}).one()
    return int(row[0]), row[1]


def stamp_columns() -> tuple[sa.Select[Any], sa.Select[Any]]:
    """The stamp's two figures as statements of the ``org_id`` parameter, for a page that
    reads them with its own (the desk's home, the day's and week's counts)."""
    mine = CalendarChange.organisation_id == sa.bindparam("org_id")
    return (
        sa.select(sa.func.count(CalendarChange.id)).where(mine),
        sa.select(sa.func.max(CalendarChange.id)).where(mine),
    )


_STAMP_COLUMNS = tuple(figure.scalar_subquery() for figure in stamp_columns())


def with_stamp(*columns: sa.ColumnElement[Any]) -> sa.Select[Any]:
    """A statement of ``columns`` (bound to ``org_id``, as the stamp is) that reads the
    stamp as well, for :func:`read_with_stamp`: a page's own figures and its stamp in one
    round trip. Build it once, at import."""
    return sa.select(*columns, *_STAMP_COLUMNS)


def read_with_stamp(
    statement: sa.Select[Any], params: dict[str, Any]
) -> tuple[tuple[Any, ...], tuple[int, int | None]]:
    """The row of a :func:`with_stamp` statement: its own columns, and the stamp to give
    :func:`calendar_part`."""
    settle()  # changes made earlier in this transaction count
    row = read_columns(db.session(), statement, params).one()
    return tuple(row[:-2]), (int(row[-2]), row[-1])


def calendar_part(
    page: Hashable,
    render: Callable[[], T],
    until: Callable[[T], datetime | None] = lambda _value: None,
    read_stamp: tuple[int, int | None] | None = None,
) -> T:
    """The current coordinator's organisation's ``page`` (a tuple naming the view, its
    day and filters): what ``render()`` returned when nothing it shows has changed since,
    else ``render()`` again. ``until(value)``: when time alone changes it (a shift shown
    "from now on" starts), if it does. ``read_stamp``: the organisation's stamp if the
    caller read it in this transaction, after ``settle()`` (:func:`read_with_stamp`, or
    :func:`stamp_columns` in a statement of its own)."""
    size = int(current_app.config.get("CALENDAR_CACHE_ENTRIES", 0))
    if size <= 0:
        return render()
    org = current_user.organisation
    if read_stamp is None:
        settle()  # changes made earlier in this transaction count
        read_stamp = stamp(org.id)
    key = (
        org.created_at,  # ids come back in a new database (tests, a restore)
        current_user.role,
        str(get_locale()),
        date.today(),  # dates are written without the year in the current one
        read_stamp,
    )

    def draw() -> tuple[T, datetime | None]:
        found = render()
        return found, until(found)

    return kept().get_or_draw((org.id, page), key, utcnow(), draw, size, LATEST)
