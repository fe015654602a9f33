"""A resident's coming visits and rides, as their home page and a request's "done" page
list them: every shift not yet over and not left unfilled, with what its card shows (the
request's destination, whether it can still be changed, who is coming).

Read as rows of the columns shown, not as ORM objects with their requests, seats and
volunteers: on a page this small, loading a shift, its request and its volunteers in full
cost more CPU than the database spent finding them. The statements are built once, with
bound parameters (building them cost more than sending them; docs/benchmarks.md, ninth
round)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from webapp.db import read_columns, utcnow
from webapp.extensions import db
from webapp.people.models import Person
from webapp.requests.changes import refusal_of
from webapp.requests.models import Request
from webapp.shifts.models import Assignment, Shift, ShiftKind, ShiftStatus


@dataclass(slots=True)
class Coming:
    """A coming shift as a resident's card shows it."""

    id: int
    request_id: int
    kind: ShiftKind
    status: ShiftStatus
    starts_at: datetime
    destination_name: str | None
    changeable: bool  # the request can still be changed (requests.operations.refusal_of)
    volunteers: list[str] = field(default_factory=list)  # first names, by seat


def _coming(where: sa.ColumnElement[bool]) -> sa.Select[tuple]:  # type: ignore[type-arg]
    return (
        sa.select(
            Shift.id,
            Shift.request_id,
            Shift.kind,
            Shift.status,
            Shift.starts_at,
            # A shared ride's legs are one booked unit (shifts/legs.unit_key).
            sa.case(
                (Shift.route_id.is_not(None), "route:" + sa.cast(Shift.route_id, sa.String)),
                else_=Shift.group_key,
            ),
            Request.destination_name,
            Request.status,
            Request.resident_id,
            Request.recurring,
            Request.start_date,
            Request.end_date,
            Request.organisation_id,
        )
        .join(Request, Shift.request_id == Request.id)
        .where(
            where,
            Shift.ends_at > sa.bindparam("now"),
            Shift.status.not_in((ShiftStatus.UNFILLED,)),
        )
        .order_by(Shift.starts_at, Shift.id)
    )


_OF_RESIDENT = _coming(Request.resident_id == sa.bindparam("resident_id"))
_OF_REQUEST = _coming(Request.id == sa.bindparam("request_id"))
_VOLUNTEERS = (
    sa.select(Assignment.shift_id, Person.first_name)
    .join(Person, Assignment.volunteer_id == Person.id)
    .where(Assignment.shift_id.in_(sa.bindparam("shift_ids", expanding=True)))
    .order_by(Assignment.shift_id, Assignment.seat)
)


def coming_of_resident(resident_id: int) -> list[list[Coming]]:
    """The resident's coming shifts, by booked unit (a ride's legs together, in time
    order), units in order of their first leg."""
    return _grouped(_OF_RESIDENT, {"resident_id": resident_id})


def coming_of_request(request_id: int) -> list[list[Coming]]:
    """One request's coming shifts, by booked unit."""
    return _grouped(_OF_REQUEST, {"request_id": request_id})


def _grouped(statement: sa.Select[tuple], params: dict[str, int]) -> list[list[Coming]]:  # type: ignore[type-arg]
    now = utcnow()
    units: dict[str, list[Coming]] = {}
    changeable: dict[int, bool] = {}
    for (shift_id, request_id, kind, status, starts_at, unit, destination, request_status,
         resident_id, recurring, start_date, end_date, org_id) in read_columns(
        db.session(), statement, {**params, "now": now}
    ):  # fmt: skip
        if request_id not in changeable:
            refusal = refusal_of(request_status, resident_id, recurring, start_date, end_date,
                                 org_id, now)  # fmt: skip
            changeable[request_id] = refusal is None
        units.setdefault(unit, []).append(
            Coming(shift_id, request_id, kind, status, starts_at, destination,
                   changeable[request_id])  # fmt: skip
        )
    shown = [c for unit in units.values() for c in unit]
    if any(c.status in (ShiftStatus.APPROVED, ShiftStatus.CONFIRMED) for c in shown):
        names: dict[int, list[str]] = defaultdict(list)
        ids = [c.id for c in shown]
        for shift_id, first_name in read_columns(db.session(), _VOLUNTEERS, {"shift_ids": ids}):
            names[shift_id].append(first_name)
        for c in shown:
            c.volunteers = names[c.id]
    return list(units.values())
