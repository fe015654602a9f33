"""The demo town gets requests and shifts in every state a coordinator meets on a day."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from webapp.demo.loader import load_demo
from webapp.extensions import db
from webapp.requests.models import Request, RequestKind
from webapp.shifts.board import open_board
from webapp.shifts.models import CheckIn, Shift, ShiftKind, ShiftStatus


def test_demo_has_requests_shifts_matches_and_an_alert(db_session):
    result = load_demo()
    assert "shifts" in result.steps
    # Today's town (the year of history behind it has requests that ended before today).
    kinds = db.session.scalars(
        sa.select(Request.kind).where(
            sa.or_(Request.end_date.is_(None), Request.end_date >= date.today())
        )
    ).all()
    assert kinds.count(RequestKind.VISIT) == 40 and kinds.count(RequestKind.RIDE) >= 15
    statuses = set(db.session.scalars(sa.select(Shift.status)))
    assert {ShiftStatus.OPEN, ShiftStatus.CLAIMED, ShiftStatus.APPROVED, ShiftStatus.CONFIRMED,
            ShiftStatus.COMPLETED} <= statuses  # fmt: skip
    assert db.session.scalar(sa.select(sa.func.count()).where(Shift.kind == ShiftKind.RIDE_BACK))
    worries = sa.select(sa.func.count()).where(CheckIn.worried.is_(True))
    assert db.session.scalar(worries) >= 1  # today's, and some in the year of history
    # Some approved volunteer has something on the board.
    from webapp.people.models import Person

    volunteers = db.session.scalars(sa.select(Person).where(Person.is_volunteer.is_(True))).all()
    assert any(open_board(v) for v in volunteers[:10])
