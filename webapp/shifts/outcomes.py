"""Guard rails on what a shift's outcome says happened (docs/guard-rails.md).

- Logged times must be plausible against the planned shift: within the organisation's
  tolerance of the planned start and end, and at most its factor times the planned
  length. Beyond that the shift is done but its hours are *held*: nothing is paid until
  a coordinator confirms the logged times or puts the planned ones back.
- A no-show can be undone by a coordinator within ``UNDO_DAYS``; the undo is recorded in
  the shift's history.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _

from webapp.auth.models import User
from webapp.core.errors import FieldError
from webapp.db import utcnow
from webapp.extensions import db
from webapp.orgs.settings import settings_for
from webapp.shifts import signals
from webapp.shifts.legs import group_of
from webapp.shifts.loading import with_request_and_seats
from webapp.shifts.models import Assignment, Shift, ShiftEvent, ShiftStatus
from webapp.shifts.transitions import UNDOABLE, undo

S = ShiftStatus

# A coordinator may take back a no-show for a week: long enough to hear the other side
# of the story, short enough that the record settles.
UNDO_DAYS = 7


def implausible(legs: Sequence[Shift], start: datetime | None, end: datetime | None) -> bool:
    """Logged times (None: the planned one) too far from the planned group of legs."""
    if start is None and end is None:
        return False
    rules = settings_for(legs[0].organisation_id)
    planned_start, planned_end = legs[0].starts_at, legs[-1].ends_at
    start, end = start or planned_start, end or planned_end
    slack = timedelta(minutes=rules.checkin_tolerance_min)
    planned = planned_end - planned_start
    return (
        abs(start - planned_start) > slack
        or abs(end - planned_end) > slack
        or (end - start) > planned * rules.checkin_max_factor
    )


def is_held(legs: Sequence[Shift]) -> bool:
    return any(a.times_held for leg in legs for a in leg.assignments)


def held_in(org_id: int, limit: int | None = None) -> list[Shift]:
    """First legs of the completed groups whose hours wait for a coordinator, oldest first
    (the first ``limit`` groups only, if given: the desk's home), with their requests,
    residents and volunteers: the legs of all the groups in one statement."""
    shifts = db.session.scalars(
        sa.select(Shift)
        .join(Assignment, Assignment.shift_id == Shift.id)
        .where(Shift.organisation_id == org_id, Assignment.times_held == sa.true())
        .order_by(Shift.starts_at, Shift.id)
    ).unique()
    held: dict[str, Shift] = {}  # a shift of each group, the groups in order
    for shift in shifts:
        if limit is not None and len(held) >= limit:
            break
        held.setdefault(shift.group_key, shift)
    if not held:
        return []
    # Each group's legs as group_of reads them: its route's, if it is part of a shared
    # ride, else those sharing its group key.
    routes = {s.route_id for s in held.values() if s.route_id is not None}
    keys = {s.group_key for s in held.values() if s.route_id is None}
    legs = db.session.scalars(
        sa.select(Shift)
        .where(sa.or_(Shift.route_id.in_(routes), Shift.group_key.in_(keys)))
        .order_by(Shift.starts_at, Shift.id)
        .options(*with_request_and_seats(volunteers=True))
    ).all()
    first_by_route: dict[int, Shift] = {}
    first_by_key: dict[str, Shift] = {}
    for leg in legs:  # earliest first: the first seen is the group's first leg
        if leg.route_id is not None:
            first_by_route.setdefault(leg.route_id, leg)
        first_by_key.setdefault(leg.group_key, leg)
    return [
        first_by_route[s.route_id] if s.route_id is not None else first_by_key[s.group_key]
        for s in held.values()
    ]


def confirm_times(shift: Shift, actor: User | None, *, keep_logged: bool) -> None:
    """A coordinator settles held times: keep what was logged, or put the planned times
    back. The hours are then paid (once: the ledger's keys refuse a second payment)."""
    legs = group_of(shift)
    if not is_held(legs):
        raise FieldError("shift", _("These times are not waiting for a confirmation."))
    for i, leg in enumerate(legs):
        for a in leg.assignments:
            if not keep_logged:
                if i == 0:
                    a.actual_start = leg.starts_at
                if i == len(legs) - 1:
                    a.actual_end = leg.ends_at
            a.times_held = False
        db.session.add(
            ShiftEvent(
                shift=leg,
                actor_id=getattr(actor, "id", None),
                from_status=leg.status.value,
                to_status=leg.status.value,
                reason="logged times confirmed" if keep_logged else "planned times restored",
            )
        )
    db.session.flush()
    signals.shift_completed.send(legs[0], actor=actor)


def undo_window_ends(shift: Shift) -> datetime | None:
    """Until when the group's no-show may be undone (None: there is nothing to undo)."""
    legs = group_of(shift)
    if any(leg.status not in UNDOABLE for leg in legs):
        return None
    events = [e for e in legs[0].events if e.to_status == legs[0].status.value]
    if not events:
        return None
    return max(e.at for e in events) + timedelta(days=UNDO_DAYS)


def undo_no_show(shift: Shift, actor: User | None, now: datetime | None = None) -> None:
    """A coordinator takes back a no-show within ``UNDO_DAYS``: each leg returns to the
    status it had, and the undo is in its history."""
    ends = undo_window_ends(shift)
    if ends is None:
        raise FieldError("shift", _("There is no no-show to undo on this shift."))
    if (now or utcnow()) > ends:
        raise FieldError(
            "shift",
            _("A no-show can be undone for %(days)s days; this one is older.", days=UNDO_DAYS),
        )
    for leg in group_of(shift):
        event = max((e for e in leg.events if e.to_status == leg.status.value), key=lambda e: e.at)
        back_to = ShiftStatus(event.from_status)
        leg.no_show_side = None
        undo(leg, back_to, actor, "no-show undone by a coordinator")
