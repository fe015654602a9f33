"""A resident's coming visits and rides, as their home page and a request's "done" page
list them: every shift not yet over and not left unfilled, with its request and who is
coming, in a fixed number of statements.

The statements are built once, with bound parameters: on a small page like the
resident's home, building an ORM statement with its joins and loader options cost more
CPU than the database spent answering it (docs/benchmarks.md, ninth round)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, selectinload

from webapp.db import utcnow
from webapp.extensions import db
from webapp.requests.models import Request
from webapp.shifts.legs import by_group
from webapp.shifts.models import Assignment, Shift, ShiftStatus


def _coming(where: sa.ColumnElement[bool]) -> sa.Select[Shift]:
    return (
        sa.select(Shift)
        .join(Shift.request)
        .where(
            where,
            Shift.ends_at > sa.bindparam("now"),
            Shift.status.not_in((ShiftStatus.UNFILLED,)),
        )
        .order_by(Shift.starts_at)
        # The request comes in the shifts' own rows; the seats and their volunteers (whose
        # first names the cards show) in one statement each, however many shifts.
        .options(
            contains_eager(Shift.request),
            selectinload(Shift.assignments).selectinload(Assignment.volunteer),
        )
    )


_OF_RESIDENT = _coming(Request.resident_id == sa.bindparam("resident_id"))
_OF_REQUEST = _coming(Request.id == sa.bindparam("request_id"))


def coming_of_resident(resident_id: int) -> list[list[Shift]]:
    """The resident's coming shifts, by booked unit (a ride's legs together)."""
    return by_group(db.session.scalars(_OF_RESIDENT, {"resident_id": resident_id, "now": utcnow()}))


def coming_of_request(request_id: int) -> list[list[Shift]]:
    """One request's coming shifts, by booked unit."""
    return by_group(db.session.scalars(_OF_REQUEST, {"request_id": request_id, "now": utcnow()}))
