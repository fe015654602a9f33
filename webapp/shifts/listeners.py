"""Volunteers hear about changes to their shifts: one message each, through the outbox
(in the app's bell, and by e-mail or SMS as they chose), written in the same transaction
as the change. ``webapp/listeners.py`` connects these to the shift signals.

The person who made the change is not told about it, and a ride's two legs change
together, so a group gets one message, not two.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from webapp.auth.models import User
from webapp.db import utcnow
from webapp.extensions import db
from webapp.notifications.operations import enqueue, notify_coordinators
from webapp.people.models import Person
from webapp.shifts import operations as shift_ops
from webapp.shifts.legs import group_of
from webapp.shifts.messages import shift_context
from webapp.shifts.models import CalendarToken, Shift, ShiftStatus
from webapp.shifts.transitions import HOLDING, NOT_BOOKED

S = ShiftStatus
# Messages telling volunteers they no longer hold a shift: they no longer need (nor
# may keep) the resident's street address and phone, only enough to know which one.
_LEAVING = ("shift_released", "shift_cancelled")


def _kind_of(old: ShiftStatus | None, new: ShiftStatus) -> str | None:
    if new == S.APPROVED and old in NOT_BOOKED:
        return "shift_approved"
    if new == S.OPEN and old in HOLDING:
        return "shift_released"
    if new == S.CANCELLED and old in HOLDING:
        return "shift_cancelled"
    return None


def _tell_volunteers(shift: Shift, kind: str, context: dict[str, Any], actor: Any) -> None:
    # Shifts may change inside a flush (a resident erased -> future shifts cancelled in
    # a before_flush hook): then no autoflush and no flush of our own; our rows join the
    # flush under way.
    flushing = db.session()._flushing
    with db.session.no_autoflush:
        if group_of(shift)[0].id != shift.id:
            return  # the other leg of a ride: its first leg speaks for the group
        actor_person = getattr(actor, "person_id", None)
        context = {"shift": shift_context(shift, booked=kind not in _LEAVING), **context}
        for a in shift.assignments:
            if a.volunteer_id != actor_person:
                enqueue(a.volunteer, kind, context, event_at=shift.starts_at,
                        flush=not flushing, about=shift_ops.about(shift))


def on_status_changed(shift: Shift, old: ShiftStatus | None, new: ShiftStatus, actor: Any,
                      reason: str | None, **_kw: Any) -> None:
    """Approved, released (taken off, or the claim turned down) or cancelled."""
    kind = _kind_of(old, new)
    if kind is not None:
        _tell_volunteers(shift, kind, {"reason": reason or ""}, actor)


def on_details_changed(shift: Shift, actor: Any, changes: list[str], **_kw: Any) -> None:
    """The request behind a booked shift changed in a way that keeps the shift (notes,
    wheelchair, escort): its volunteers should read the details again."""
    _tell_volunteers(shift, "shift_changed", {"changes": list(changes)}, actor)


def release_all(person: Person, actor: User | None, reason: str) -> list[dict[str, Any]]:
    """Take ``person`` off every shift they hold that has not ended; each opens again
    for other volunteers. Returns what coordinators are told (one item per group)."""
    released = []
    for legs in shift_ops.held_groups(person, utcnow()):
        shift_ops.withdraw(legs[0], person, actor, reason)
        released.append(shift_context(legs[0]))
    return released


def on_volunteer_suspended(person: Person, by: User | None, reason: str | None,
                           **_kw: Any) -> None:
    """A suspended volunteer holds nothing any more and their calendar feed stops: the
    coordinators hear which shifts are open again."""
    db.session.execute(sa.delete(CalendarToken).where(CalendarToken.person_id == person.id))
    released = release_all(person, by, shift_ops.SUSPENDED)
    if released:
        notify_coordinators(person.organisation_id, "shifts_released",
                            {"volunteer_name": person.full_name, "why": "suspended",
                             "shifts": released})
