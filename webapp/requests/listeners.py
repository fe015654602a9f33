"""Whoever deletes a resident (the people feature, an erasure), their future shifts are
cancelled in the same transaction, without that code knowing about requests.
``webapp/listeners.py`` connects :func:`cancel_for_deleted_residents` to the session's
``before_flush``, :func:`plan_checked_resident` to ``people.signals.resident_checked``
and :func:`follow_pin` to ``people.signals.person_located``; :func:`note_needs_changed`
to the session's ``after_flush`` (the board's candidates read the request's needs)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from webapp.db import utcnow
from webapp.extensions import db
from webapp.people.models import Person
from webapp.places.geocoding import normalise
from webapp.requests.models import Request, RequestKind, RequestStatus
from webapp.requests.operations import cancel_request, resident_removed
from webapp.requests.planning import default_until, expand_request
from webapp.shifts import candidate_marks
from webapp.shifts import operations as shift_ops
from webapp.shifts.models import Assignment, Shift
from webapp.shifts.transitions import FINAL, HOLDING


def cancel_for_deleted_residents(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(session.deleted):
        if isinstance(obj, Person) and obj.is_resident:
            with session.no_autoflush:
                resident_removed(obj, flush=False)


# What ``shifts.eligibility`` reads of a request: a change may change who may serve its shifts.
NEEDS = ("languages", "gender_preference", "wheelchair", "passengers", "kind")


def note_needs_changed(session: Session, _flush_context: Any) -> None:
    """A request's needs changed in place (its shifts kept): their board candidates are
    worked out again before the commit."""
    changed = [
        r.id for r in session.dirty
        if isinstance(r, Request) and candidate_marks.changed(r, NEEDS)
    ]  # fmt: skip
    if changed:
        candidate_marks.mark(session, "requests", changed)


def plan_checked_resident(person: Person, **_kw: Any) -> int:
    """A coordinator checked a resident who signed up online: the requests they made
    while waiting become shifts now (those whose time has passed are skipped)."""
    requests = db.session.scalars(
        sa.select(Request).where(
            Request.resident_id == person.id, Request.status == RequestStatus.ACTIVE
        )
    ).all()
    until = default_until(person.organisation_id)
    return sum(expand_request(r, max(until, r.start_date)) for r in requests)


def follow_pin(person: Person, actor: Any = None, **_kw: Any) -> None:
    """``person_located``: the person's pin was placed or moved. Their active requests
    that start from home, and the future shifts at their home, take the new pin (a shift
    keeps a snapshot of where it is, so placing a pin after booking must reach it)."""
    home = normalise(person.address or "")
    with db.session.no_autoflush:
        requests = db.session.scalars(
            sa.select(Request).where(
                Request.resident_id == person.id, Request.status == RequestStatus.ACTIVE
            )
        ).all()
        for req in requests:
            if req.kind == RequestKind.RIDE and normalise(req.pickup_address or "") == home:
                req.pickup_lat, req.pickup_lon = person.lat, person.lon
        shifts = db.session.scalars(
            sa.select(Shift).where(
                Shift.request_id.in_([r.id for r in requests]),
                Shift.starts_at > utcnow(),
                Shift.status.not_in(tuple(FINAL)),
            )
        ).all()
        for shift in shifts:
            if normalise(shift.start_address or "") == home:
                shift.start_lat, shift.start_lon = person.lat, person.lon
            if normalise(shift.end_address or "") == home:
                shift.end_lat, shift.end_lon = person.lat, person.lon
            shift.neighbourhood = person.neighbourhood
    db.session.flush()


def let_go_of_role(person: Person, role: str, added: bool, actor: Any = None, **_kw: Any) -> None:
    """``role_changed``: a role removed lets go of what it held. A volunteer leaves every
    future shift they hold (it reopens; the resident's coordinator finds it unfilled), a
    resident's active requests are cancelled (the volunteers on them are told)."""
    if added:
        return
    if role == "resident":
        for req in db.session.scalars(
            sa.select(Request).where(
                Request.resident_id == person.id, Request.status == RequestStatus.ACTIVE
            )
        ).all():
            cancel_request(req, actor, "no longer receiving help")
        return
    held = db.session.scalars(
        sa.select(Shift)
        .join(Assignment, Assignment.shift_id == Shift.id)
        .where(
            Assignment.volunteer_id == person.id,
            Shift.starts_at > utcnow(),
            Shift.status.in_(tuple(HOLDING)),
        )
        .order_by(Shift.starts_at)
    ).all()
    done: set[str] = set()
    for shift in held:
        if shift.group_key not in done:
            done.add(shift.group_key)
            shift_ops.withdraw(shift, person, actor, "no longer volunteering")
