"""The volunteer's schedule (``/shifts/mine``) and their earlier shifts, as plain rows.

A volunteer with a year behind them has held hundreds of shifts. The schedule lists what
they act on: what is coming up (soonest first), then what they did lately (newest first:
the shifts they still hold from the last two weeks, to log, and those finished in the last
two days). Everything older is on :func:`past`'s pages, on request. Whatever the history,
the schedule is one statement, built once, of the columns a card shows (with the request,
the resident, the volunteer's own seat and whether they logged it), not ORM objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from webapp.core.dates import reader_date
from webapp.core.paging import Page, page_number
from webapp.extensions import db
from webapp.people.models import Person
from webapp.shifts.legs import by_group
from webapp.shifts.models import Assignment, CheckIn, RideRoute, Shift, ShiftStatus
from webapp.shifts.presenters import directions_url, holder_fields
from webapp.shifts.transitions import BOOKED, HOLDING, STATUS_LABELS

S = ShiftStatus
# A booked shift nobody closed stays listed this long after it ended (to be logged) ...
HELD_FOR = timedelta(days=14)
# ... and a finished one this long (to add a check-in); older ones are on the past pages.
DONE_FOR = timedelta(days=2)
WAITING = frozenset({S.CLAIMED, S.PROPOSED})
PAST_PAGE = 20  # lines of earlier shifts a page (a phone screen or two)


def _request_attr(name: str) -> Any:
    # Requests sit above shifts (docs/architecture.md): reached through the mapping.
    return getattr(Shift.request.property.mapper.class_, name)


def _legs_columns() -> list[Any]:
    logged = sa.exists().where(
        CheckIn.shift_id == Shift.id, CheckIn.volunteer_id == sa.bindparam("person_id")
    )
    return [
        Shift.id, Shift.organisation_id, Shift.group_key, Shift.route_id, Shift.kind,
        Shift.status, Shift.starts_at, Shift.ends_at, Shift.start_address, Shift.end_address,
        Shift.start_lat, Shift.start_lon, Shift.neighbourhood,
        _request_attr("resident_id"), _request_attr("notes"), _request_attr("wheelchair"),
        _request_attr("escort"), Person.first_name, Person.phone, Assignment.confirmed_at,
        logged.label("logged"),
    ]  # fmt: skip


@cache
def _schedule() -> sa.Select[Any]:
    """Built once (building it cost more than running it); after the mappers are set up,
    since the request's columns are found through them."""
    request = Shift.request.property.mapper.class_
    return (
        sa.select(*_legs_columns())
        .join(Assignment, Assignment.shift_id == Shift.id)
        .outerjoin(request, request.id == Shift.request_id)
        .outerjoin(Person, Person.id == request.resident_id)
        .where(
            Assignment.volunteer_id == sa.bindparam("person_id"),
            sa.or_(
                sa.and_(Shift.status.in_(HOLDING), Shift.ends_at > sa.bindparam("held_since")),
                sa.and_(Shift.status == S.COMPLETED, Shift.ends_at > sa.bindparam("done_since")),
            ),
        )
    )


def _ended() -> list[sa.ColumnElement[bool]]:
    return [
        Assignment.shift_id == Shift.id,
        Assignment.volunteer_id == sa.bindparam("person_id"),
        Shift.ends_at <= sa.bindparam("now"),
    ]


_PAST = (
    sa.select(
        Shift.id, Shift.kind, Shift.status, Shift.starts_at, Shift.ends_at, Shift.neighbourhood
    )
    .where(*_ended())
    .order_by(Shift.starts_at.desc(), Shift.id.desc())
    .limit(sa.bindparam("limit"))
    .offset(sa.bindparam("offset"))
)
_PAST_COUNT = sa.select(sa.func.count(Shift.id)).where(*_ended())


@dataclass
class Card:
    """One booked unit (a visit, a ride and its return, a shared ride) as the schedule
    shows it; ``legs`` are rows of :func:`_legs_columns`, earliest first."""

    legs: list[Any]
    show_address: bool
    route: RideRoute | None = None
    actions: dict[str, bool] = field(default_factory=dict)

    @property
    def first(self) -> Any:
        return self.legs[0]

    @property
    def passengers(self) -> int:
        return len({leg.group_key for leg in self.legs})


class Words:
    """The page's fixed words, translated once a drawing (a lookup each is a cost per
    card), and the dates and times written as the reader reads them."""

    def __init__(self, tz: Any) -> None:
        self.tz = tz
        self.kinds = {"visit": _("Home visit"), "ride_out": _("Ride there"),
                      "ride_back": _("Ride back")}  # fmt: skip
        self.status = {s: str(label) for s, label in STATUS_LABELS.items()}
        self._days: dict[date, str] = {}

    def day(self, at: datetime) -> str:
        local = at.astimezone(self.tz).date()
        if local not in self._days:
            self._days[local] = reader_date(local, short=True)
        return self._days[local]

    def time(self, at: datetime) -> str:
        return at.astimezone(self.tz).strftime("%H:%M")

    def when(self, leg: Any) -> str:
        return f"{self.day(leg.starts_at)} {self.time(leg.starts_at)}–{self.time(leg.ends_at)}"

    def directions(self, leg: Any) -> str | None:
        return directions_url(leg.start_lat, leg.start_lon)


def _routes(rows: Sequence[Any]) -> dict[int, RideRoute]:
    """The shared rides among ``rows``, with their legs' requests and residents (their
    stops name every passenger): one statement, none when there is no shared ride."""
    ids = {r.route_id for r in rows if r.route_id is not None}
    if not ids:
        return {}
    legs = selectinload(RideRoute.legs).joinedload(Shift.request)
    routes = db.session.scalars(
        sa.select(RideRoute)
        .where(RideRoute.id.in_(ids))
        .options(legs.joinedload(_request_attr("resident")))
    )
    return {r.id: r for r in routes}


@dataclass
class Listed:
    """The schedule's cards: coming up (soonest first), done lately (newest first), and
    when time alone changes them (an upcoming unit starts: "I can't make it" gives way to
    "Log how it went"; a listed leg leaves the list), if it does."""

    coming: list[Card]
    lately: list[Card]
    changes_at: datetime | None


def listed(person_id: int, now: datetime) -> Listed:
    """The units the schedule lists: those with a leg held and ended less than
    :data:`HELD_FOR` ago or later, or finished less than :data:`DONE_FOR` ago. One
    statement (and one more for shared rides' stops, if any)."""
    params = {"person_id": person_id, "held_since": now - HELD_FOR, "done_since": now - DONE_FOR}
    rows: list[Any] = list(db.session.execute(_schedule(), params))
    routes = _routes(rows)
    coming: list[Card] = []
    lately: list[Card] = []
    user = current_user._get_current_object()  # once, not through the proxy per card
    # (Rows, not shifts: by_group reads only their id, start, route and group.)
    for legs in by_group(rows):
        s: Any = legs[0]
        fields = holder_fields(user, s.organisation_id, s.status, s.resident_id)
        card = Card(legs, "address" in fields, routes.get(s.route_id) if s.route_id else None)
        started = s.starts_at <= now
        card.actions = {
            "confirm": s.status == S.APPROVED and s.confirmed_at is None,
            "log": s.status in BOOKED and started,
            "checkin": s.status == S.COMPLETED and not s.logged,
            "withdraw": s.status in HOLDING and not started,
            "waiting": s.status in WAITING,
        }
        (lately if started else coming).append(card)
    lately.reverse()
    leaving = (r.ends_at + (DONE_FOR if r.status == S.COMPLETED else HELD_FOR) for r in rows)
    changes = [*(c.first.starts_at for c in coming[:1]), *leaving]
    return Listed(coming, lately, min(changes, default=None))


def past(person_id: int, now: datetime, raw_page: str | None) -> Page[Any]:
    """The volunteer's shifts that have ended, newest first, a page of :data:`PAST_PAGE`
    lines (any status: done, missed, or still waiting to be closed): two statements
    (a count and the page), whatever the page."""
    params: dict[str, Any] = {"person_id": person_id, "now": now}
    total = db.session.scalar(_PAST_COUNT, params) or 0
    page = page_number(raw_page, total, PAST_PAGE)
    params.update(limit=PAST_PAGE, offset=(page - 1) * PAST_PAGE)
    return Page(list(db.session.execute(_PAST, params)), total, page, PAST_PAGE)
