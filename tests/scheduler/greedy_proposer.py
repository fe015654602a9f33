"""A small real proposer for testing the job's wiring (the solver integration is another
feature's): the nearest eligible volunteer for each open shift in the window."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from webapp.extensions import db
from webapp.shifts import operations as ops
from webapp.shifts.models import Shift, ShiftStatus
from webapp.shifts.tasks import eligible_volunteers


def propose_shifts(org_id: int, start: datetime, end: datetime, now: datetime) -> int:
    shifts = db.session.scalars(
        sa.select(Shift).where(Shift.organisation_id == org_id, Shift.status == ShiftStatus.OPEN,
                               Shift.starts_at >= start, Shift.starts_at < end)
        .order_by(Shift.starts_at)
    ).all()
    count = 0
    for shift in shifts:
        candidates = eligible_volunteers(org_id, shift)
        if candidates:
            ops.propose(shift, candidates[0], None)
            count += 1
    return count
