"""Builders for requests and shifts in tests (real operations, no shortcuts)."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from tests.factories import make_coordinator, make_resident
from webapp.core.timeutil import today_local
from webapp.db import utcnow
from webapp.extensions import db
from webapp.orgs.settings import DEFAULT_TIMEZONE
from webapp.people.models import Person
from webapp.places.geocoding import normalise
from webapp.places.models import GazetteerEntry
from webapp.requests.models import Request, RequestKind, RidePurpose
from webapp.requests.operations import Draft, create_request
from webapp.shifts.eligibility import ineligibility
from webapp.shifts.models import BoardCandidate, Shift
from webapp.shifts.transitions import FINAL

HOSPITAL = ("Via Santo Spirito 1, Isernia", 41.5990, 14.2290)


def add_place(org, address: str, lat: float, lon: float, hood: str = "Ospedale") -> None:  # type: ignore[no-untyped-def]
    db.session.add(
        GazetteerEntry(
            organisation_id=org.id,
            key=normalise(address),
            address=address,
            lat=lat,
            lon=lon,
            neighbourhood=hood,
        )
    )
    db.session.flush()


def in_days(n: int) -> date:
    """``n`` days after today where the test organisations are (their time zone, the
    default): from 23:00 UTC in winter the machine's date is a day behind Rome's, and a
    visit "in two days" would be one day's notice there."""
    return today_local(ZoneInfo(DEFAULT_TIMEZONE)) + timedelta(days=n)


MON, TUE, WED, THU, FRI, SAT, SUN = range(7)  # date.weekday() numbers


def next_weekday(weekday: int, at_least: int = 3) -> date:
    """The first ``weekday`` at least ``at_least`` days ahead (past the booking notice)."""
    day = in_days(at_least)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def visit_draft(day: date | None = None, **kw) -> Draft:  # type: ignore[no-untyped-def]
    day = day or in_days(5)
    base = dict(
        kind=RequestKind.VISIT,
        start_date=day,
        windows=[(day.weekday(), time(10), time(12))],
        duration_minutes=60,
    )
    base.update(kw)
    return Draft(**base)


def ride_draft(day: date | None = None, **kw) -> Draft:  # type: ignore[no-untyped-def]
    base = dict(
        kind=RequestKind.RIDE,
        start_date=day or in_days(5),
        destination_name="Ospedale Veneziale",
        destination_address=HOSPITAL[0],
        purpose=RidePurpose.MEDICAL,
        appointment_time=time(11),
        return_wanted=True,
        stay_minutes=60,
    )
    base.update(kw)
    return Draft(**base)


def make_request(org, draft: Draft, resident=None, actor=None):  # type: ignore[no-untyped-def]
    if draft.kind == RequestKind.RIDE:
        from webapp.places.models import GazetteerEntry as G

        if not db.session.query(G).filter_by(organisation_id=org.id).count():
            add_place(org, *HOSPITAL)
    resident = resident or make_resident(org)
    actor = actor or make_coordinator(org)
    return create_request(resident, draft, actor)


def requests_of(resident) -> list[Request]:  # type: ignore[no-untyped-def]
    """Every request for ``resident``, oldest first (a change adds a new one)."""
    return list(
        db.session.scalars(
            sa.select(Request).where(Request.resident_id == resident.id).order_by(Request.id)
        )
    )


def shifts_of(req):  # type: ignore[no-untyped-def]
    return db.session.query(Shift).filter_by(request_id=req.id).order_by(Shift.starts_at).all()


# --- the board's candidates (webapp/shifts/candidates.py), as their definition says -------

CENTRE = (41.5936, 14.2325)  # Isernia


def candidates_from_scratch(org) -> set[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """Every person of the organisation against every shift not final and not started,
    by :func:`ineligibility`: what ``board_candidate`` must hold."""
    people = db.session.scalars(sa.select(Person).where(Person.organisation_id == org.id)).all()
    live = db.session.scalars(
        sa.select(Shift).where(
            Shift.organisation_id == org.id,
            Shift.status.not_in(FINAL),
            Shift.starts_at > utcnow(),
        )
    ).all()
    return {(p.id, s.id) for p in people for s in live if ineligibility(p, s) is None}


def candidate_table() -> set[tuple[int, int]]:
    rows = db.session.execute(sa.select(BoardCandidate.person_id, BoardCandidate.shift_id))
    return {(p, s) for p, s in rows}
