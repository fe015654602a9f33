"""The desk's lists of shifts, bounded: the home shows the first rows of each and the
exact count, and ``/desk/todo?list=...`` pages through all of them.

A city's desk had 900 shifts waiting for approval and several hundred without a volunteer
in the next days: listing them all made the home 178 KB and slow, and no coordinator reads
that far down a to-do list. The counts stay exact (a window counts each list, read with
its first rows in one statement) and every row is one link away.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel.speaklater import LazyString

from webapp.core.paging import Page, page_number
from webapp.core.timeutil import at_local
from webapp.db import utcnow
from webapp.extensions import db
from webapp.orgs.settings import org_tz
from webapp.shifts.loading import with_request_and_seats
from webapp.shifts.models import Shift, ShiftStatus
from webapp.shifts.transitions import AWAITING_APPROVAL

S = ShiftStatus
DAYS_AHEAD = 3  # unfilled and unconfirmed shifts from today to this many days ahead
HOME_ROWS = 20  # rows of each list on the desk's home; the rest on the list's own pages
PAGE_ROWS = 50  # rows of a page of a whole list


@dataclass(frozen=True)
class Bounded:
    """The first rows of a list and how many it has in all."""

    rows: list[Shift]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def _title_unfilled() -> str:
    return ngettext(
        "Without a volunteer in the next %(num)d days",
        "Without a volunteer in the next %(num)d days",
        DAYS_AHEAD,
    )


Title = Callable[[], str | LazyString]
Holds = Callable[[int, date], sa.ColumnElement[bool]]  # (organisation, today) -> condition

# list name -> (its title, which shifts it holds)
LISTS: dict[str, tuple[Title, Holds]] = {
    "unfilled": (
        _title_unfilled,
        lambda org_id, today: sa.and_(Shift.status == S.OPEN, _next_days(org_id, today)),
    ),
    "approve": (
        lambda: _l("Waiting for your approval"),
        # However far ahead, a claim or a proposal waits for a coordinator.
        lambda org_id, today: sa.and_(
            Shift.status.in_(AWAITING_APPROVAL), Shift.starts_at > utcnow()
        ),
    ),
    "unconfirmed": (
        lambda: _l("Booked but not yet confirmed by the volunteer"),
        lambda org_id, today: sa.and_(Shift.status == S.APPROVED, _next_days(org_id, today)),
    ),
}


def _next_days(org_id: int, today: date) -> sa.ColumnElement[bool]:
    tz = org_tz(org_id)
    return sa.and_(
        Shift.starts_at >= at_local(today, time(0), tz),
        Shift.starts_at < at_local(today + timedelta(days=DAYS_AHEAD + 1), time(0), tz),
    )


def title(name: str) -> str:
    return str(LISTS[name][0]())


def _bucket(org_id: int, today: date) -> sa.Case[str]:
    return sa.case(
        *((where(org_id, today), name) for name, (_t, where) in LISTS.items()), else_=None
    )


def first_rows(org_id: int, today: date, rows: int | None = None) -> dict[str, Bounded]:
    """Every list's first ``rows`` shifts (soonest first) and its exact count, in one
    statement (a window per list numbers its shifts and counts them all), with the rows'
    requests, residents and volunteers loaded together. A list with no shift has no
    row: its count is 0."""
    rows = rows or HOME_ROWS
    bucket = _bucket(org_id, today)
    mine = sa.and_(
        Shift.organisation_id == org_id,
        sa.or_(*(where(org_id, today) for _t, where in LISTS.values())),
    )
    ranked = (
        sa.select(
            Shift.id,
            bucket.label("bucket"),
            sa.func.row_number()
            .over(partition_by=bucket, order_by=(Shift.starts_at, Shift.id))
            .label("n"),
            sa.func.count().over(partition_by=bucket).label("total"),
        )
        .where(mine)
        .subquery()
    )
    shifts = db.session.execute(
        sa.select(Shift, ranked.c.bucket, ranked.c.total)
        .join(ranked, ranked.c.id == Shift.id)
        .where(ranked.c.n <= rows)
        .order_by(Shift.starts_at, Shift.id)
        .options(*with_request_and_seats(volunteers=True))
    ).all()
    found: dict[str, list[Shift]] = {name: [] for name in LISTS}
    totals = dict.fromkeys(LISTS, 0)
    for shift, name, total in shifts:
        found[name].append(shift)
        totals[name] = int(total)
    return {name: Bounded(found[name], totals[name]) for name in LISTS}


def page_of(
    name: str, org_id: int, today: date, asked: str | None, size: int | None = None
) -> Page[Shift]:
    """The page ``asked`` for (the query string's value) of list ``name``, soonest first."""
    size = size or PAGE_ROWS
    where = sa.and_(Shift.organisation_id == org_id, LISTS[name][1](org_id, today))
    total = db.session.scalar(sa.select(sa.func.count(Shift.id)).where(where)) or 0
    page = page_number(asked, total, size)
    rows = db.session.scalars(
        sa.select(Shift)
        .where(where)
        .order_by(Shift.starts_at, Shift.id)
        .offset((page - 1) * size)
        .limit(size)
        .options(*with_request_and_seats(volunteers=True))
    )
    return Page(list(rows), total, page, size)
