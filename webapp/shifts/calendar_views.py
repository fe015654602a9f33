"""The coordinator's day and week: the shifts of a day in full, a week as seven days of
counts with each day's first rows.

A city's week holds 1,500 shifts and more: one table of them all was 555 KB of HTML that
nobody reads row by row. The week says, per day, how many shifts there are and how many
need the coordinator (without a volunteer, to approve, not yet confirmed), lists the first
:data:`WEEK_ROWS_PER_DAY` in time order, and links to the day, where every shift of it is
listed with the same filters (docs/shifts.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from webapp.core.inbound import bounded_day
from webapp.core.navigation import add_nav
from webapp.core.paging import Page, page_number
from webapp.core.timeutil import at_local, today_local
from webapp.db import sql_constants, utcnow
from webapp.extensions import db
from webapp.notifications.queries import people_to_phone, phone_window, to_phone_count
from webapp.orgs.settings import org_tz
from webapp.permissions import coordinator_required, is_coordinator
from webapp.shifts.calendar_cache import calendar_part, read_with_stamp, with_stamp
from webapp.shifts.loading import with_request_and_seats
from webapp.shifts.models import CheckIn, Shift, ShiftKind, ShiftStatus, open_alert
from webapp.shifts.transitions import AWAITING_APPROVAL
from webapp.shifts.views import bp

S = ShiftStatus
WEEK_ROWS_PER_DAY = 20  # the rest of a busy day is one link away, on the day page
# A page of the day: a city's day holds hundreds of shifts; the filters (neighbourhood,
# kind, status) narrow it, the pager walks it.
DAY_ROWS = 60
UNFILLED = frozenset({S.OPEN, S.UNFILLED})

add_nav("shifts.day", lambda: _l("Day"), is_coordinator, order=31, group="requests")
add_nav("shifts.week", lambda: _l("Week"), is_coordinator, order=32, group="requests")


def day_arg(name: str = "date") -> date:
    """The day asked for in the query string; today (in the organisation) if none."""
    tz = org_tz(current_user.organisation_id)
    try:
        chosen = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return today_local(tz)
    return bounded_day(chosen, name)


def _kept_filters() -> dict[str, str]:
    """The filters chosen on the page, kept in every link to another day or week."""
    return {k: v for k in ("kind", "hood") if (v := request.args.get(k, ""))}


def _chosen(start: date, end: date) -> list[sa.ColumnElement[bool]]:
    """The organisation's shifts starting from ``start`` to before ``end`` (local days),
    of the type and neighbourhood chosen on the page."""
    tz = org_tz(current_user.organisation_id)
    where = [
        Shift.organisation_id == current_user.organisation_id,
        Shift.starts_at >= at_local(start, datetime.min.time(), tz),
        Shift.starts_at < at_local(end, datetime.min.time(), tz),
    ]
    kind = request.args.get("kind")
    if kind == "visit":
        where.append(Shift.kind == ShiftKind.VISIT)
    elif kind == "ride":
        where.append(Shift.kind != ShiftKind.VISIT)
    hood = request.args.get("hood")
    if hood:
        where.append(Shift.neighbourhood == hood)
    return where


def _loaded(ids: list[int]) -> list[Shift]:
    """These shifts in full (requests, residents, seats, volunteers), soonest first."""
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Shift)
            .where(Shift.id.in_(ids))
            .order_by(Shift.starts_at, Shift.id)
            .options(*with_request_and_seats(volunteers=True))
        )
    )


def _day_page(start: date, end: date, asked: str | None) -> tuple[Page[Shift], Tally]:
    """The page ``asked`` of the day's chosen shifts, and the whole day's counts: one
    narrow scan (id, status) for the counts, only the page's rows loaded in full."""
    tally = Tally()
    ids = []
    index = sa.select(Shift.id, Shift.status).where(*_chosen(start, end))
    for shift_id, status in db.session.execute(index.order_by(Shift.starts_at, Shift.id)):
        tally.add(status)
        ids.append(shift_id)
    number = page_number(asked, len(ids), DAY_ROWS)
    shown = ids[(number - 1) * DAY_ROWS : number * DAY_ROWS]
    return Page(_loaded(shown), len(ids), number, DAY_ROWS), tally


# The distinct neighbourhoods of an organisation's shifts, one index step each
# (ix_shift_org_neighbourhood) instead of reading every shift since the first: a loose
# index scan written as a recursive query, the same on SQLite and PostgreSQL. Declared a
# SELECT by its columns: text alone counts as a write (db.wrote), and a page that wrote
# counts its bell again and ends with ROLLBACK (its prepared statements lost).
_HOODS = sa.text(
    """
    WITH RECURSIVE hoods(h) AS (
        SELECT min(neighbourhood) FROM shift WHERE organisation_id = :org
        UNION ALL
        SELECT (SELECT min(neighbourhood) FROM shift
                WHERE organisation_id = :org AND neighbourhood > hoods.h)
        FROM hoods WHERE hoods.h IS NOT NULL
    )
    SELECT h FROM hoods WHERE h IS NOT NULL
    """
).columns(sa.column("h", sa.String))


def _neighbourhoods() -> list[str]:
    return [h for h in db.session.scalars(_HOODS, {"org": current_user.organisation_id}) if h]


# The two counts read at every view (the clock moves the first, the check-ins the
# second), in one statement built once: building it cost more than sending it.
_ORG: sa.BindParameter[int] = sa.bindparam("org_id")
# count(*), not count(id): the rows are then counted from the index alone (an index-only
# scan; the city's 912 claims ahead: 880 pages read -> 14, 0.84 -> 0.27 ms).
_COUNTS = with_stamp(
    # Awaiting approval anywhere ahead, not only on the day or week shown: a claim for
    # next month waits for a coordinator just the same.
    sa.select(sa.func.count())
    .select_from(Shift)
    .where(
        Shift.organisation_id == _ORG,
        Shift.status.in_(sql_constants(AWAITING_APPROVAL)),
        Shift.starts_at > sa.bindparam("now", type_=Shift.starts_at.type),
    )
    .scalar_subquery(),
    # What the desk raises an alert for; closing the alert marks it handled.
    sa.select(sa.func.count())
    .select_from(CheckIn)
    .where(CheckIn.organisation_id == _ORG, open_alert())
    .scalar_subquery(),
)
_COUNT_COLUMNS = _COUNTS.selected_columns[:2]
# The day's: and how many messages wait to be read out on the phone (most days none: the
# messages themselves are read only when there are some).
_DAY_COUNTS = with_stamp(*_COUNT_COLUMNS, to_phone_count())


@dataclass
class Tally:
    """How many shifts, and how many of them need the coordinator."""

    total: int = 0
    unfilled: int = 0
    to_approve: int = 0
    unconfirmed: int = 0

    def add(self, status: ShiftStatus, n: int = 1) -> None:
        self.total += n
        self.unfilled += n * (status in UNFILLED)
        self.to_approve += n * (status in AWAITING_APPROVAL)
        self.unconfirmed += n * (status == S.APPROVED)


def _read_counts(
    day: date | None = None,
) -> tuple[tuple[Any, ...], tuple[int, int | None]]:
    """The two counts read at every view (the clock moves the first, the check-ins the
    second), with the calendar's stamp, in one statement; for a ``day``, the messages to
    phone on it as well (a third count)."""
    org_id = current_user.organisation_id
    if day is None:
        return read_with_stamp(_COUNTS, {"org_id": org_id, "now": utcnow()})
    values = {"org_id": org_id, "now": utcnow(), **phone_window(org_id, day)}
    return read_with_stamp(_DAY_COUNTS, values)


def _summary(tally: Tally, counts: tuple[Any, ...]) -> dict[str, Any]:
    """The page's counts: the shown shifts' tally and the two of :func:`_read_counts`."""
    ahead, alerts = counts[:2]
    return {
        "unfilled": tally.unfilled,
        "to_approve": tally.to_approve,
        "unconfirmed": tally.unconfirmed,
        "to_approve_all": ahead or 0,
        "alerts": alerts or 0,
    }


def _day_table(the_day: date, asked: str | None) -> tuple[str, Tally, list[str]]:
    """The day's table of shifts (the asked page of them) drawn, the day's counts, and
    the neighbourhoods of the filter (they change with the shifts too)."""
    page, tally = _day_page(the_day, the_day + timedelta(days=1), asked)
    html = render_template(
        "shifts/_day_table.html", day=the_day, shifts=page.items, page=page, keep=_kept_filters()
    )
    return html, tally, _neighbourhoods()


@bp.route("/day")
@coordinator_required
def day() -> str:
    the_day = day_arg()
    asked = request.args.get("page")
    counts, known = _read_counts(the_day)
    table, tally, hoods = calendar_part(
        ("day", the_day, asked, tuple(sorted(_kept_filters().items()))),
        lambda: _day_table(the_day, asked),
        read_stamp=known,
    )
    return render_template(
        "shifts/day.html",
        day=the_day,
        table=Markup(table),
        summary=_summary(tally, counts),
        hoods=hoods,
        keep=_kept_filters(),
        # Residents with no automatic channel: the coordinator phones them (issue 6).
        calls=people_to_phone(current_user.organisation_id, the_day) if counts[2] else [],
        prev=the_day - timedelta(days=1),
        next=the_day + timedelta(days=1),
    )


@dataclass
class WeekDay:
    day: date
    tally: Tally = field(default_factory=Tally)
    shown: list[Shift] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.tally.total - len(self.shown)


def _day_of_week(start: date) -> sa.Case[int]:
    """Which of the seven local days from ``start`` a shift starts on (0-6), from the
    days' UTC bounds: the same on SQLite and PostgreSQL, and right across a clock change."""
    tz = org_tz(current_user.organisation_id)
    ends = [at_local(start + timedelta(days=i + 1), datetime.min.time(), tz) for i in range(6)]
    return sa.case(*((Shift.starts_at < end, i) for i, end in enumerate(ends)), else_=6)


def _week(start: date) -> tuple[list[WeekDay], Tally]:
    """The seven days from ``start``: each day's counts by status from one grouped count,
    and each day's first rows from one ranked statement, loaded in full. (A city's week
    is 1,900 shifts, which were read and tallied one by one in Python.)"""
    days = [WeekDay(start + timedelta(days=i)) for i in range(7)]
    week = Tally()
    day = _day_of_week(start)
    counts = sa.select(day, Shift.status, sa.func.count()).where(
        *_chosen(start, start + timedelta(days=7))
    )
    for index, status, n in db.session.execute(counts.group_by(day, Shift.status)):
        days[index].tally.add(status, n)
        week.add(status, n)
    ranked = (
        sa.select(
            Shift.id,
            sa.func.row_number()
            .over(partition_by=day, order_by=(Shift.starts_at, Shift.id))
            .label("n"),
        )
        .where(*_chosen(start, start + timedelta(days=7)))
        .subquery()
    )
    # The ids first, then the rows by id: joined with the ranking (or IN it), PostgreSQL
    # misjudged how few they are and read every shift of the table to hash them.
    first = list(db.session.scalars(sa.select(ranked.c.id).where(ranked.c.n <= WEEK_ROWS_PER_DAY)))
    rows = db.session.execute(
        sa.select(Shift, day)
        .where(Shift.id.in_(first))
        .order_by(Shift.starts_at, Shift.id)
        .options(*with_request_and_seats(volunteers=True))
    )
    for shift, index in rows:
        days[index].shown.append(shift)
    return days, week


def _week_tables(start: date) -> tuple[str, Tally, list[str]]:
    """The week's table of days and each day's first shifts drawn, the week's counts, and
    the neighbourhoods of the filter."""
    days, tally = _week(start)
    html = render_template(
        "shifts/_week_days.html",
        days=days,
        total=tally.total,
        keep=_kept_filters(),
        rows_per_day=WEEK_ROWS_PER_DAY,
    )
    return html, tally, _neighbourhoods()


@bp.route("/week")
@coordinator_required
def week() -> str:
    start = day_arg("start")
    start -= timedelta(days=start.weekday())
    counts, known = _read_counts()
    tables, tally, hoods = calendar_part(
        ("week", start, tuple(sorted(_kept_filters().items()))),
        lambda: _week_tables(start),
        read_stamp=known,
    )
    return render_template(
        "shifts/week.html",
        start=start,
        tables=Markup(tables),
        summary=_summary(tally, counts),
        hoods=hoods,
        keep=_kept_filters(),
        prev=start - timedelta(days=7),
        next=start + timedelta(days=7),
    )
