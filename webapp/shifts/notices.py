"""Volunteers hear about their shifts: in-app notices written by listeners of the shift
signals (in the same transaction as the change). E-mail/SMS is the notifications
feature's business; it listens to the same signals."""

from __future__ import annotations

from webapp.extensions import db
from webapp.shifts import signals
from webapp.shifts.models import Shift, ShiftNotice, ShiftStatus

S = ShiftStatus


def tell_volunteers(shift: Shift, code: str, reason: str | None, actor=None) -> None:  # type: ignore[no-untyped-def]
    actor_person = getattr(actor, "person_id", None)
    for a in shift.assignments:
        if a.volunteer_id != actor_person:
            db.session.add(
                ShiftNotice(person_id=a.volunteer_id, shift_id=shift.id, code=code, reason=reason)
            )


@signals.shift_status_changed.connect
def _notice_on_change(shift: Shift, old, new, actor, reason, **_kw) -> None:  # type: ignore[no-untyped-def]
    """Volunteers hear about a cancellation or being taken off, unless they did it."""
    if new == S.CANCELLED and old in (S.CLAIMED, S.PROPOSED, S.APPROVED, S.CONFIRMED):
        tell_volunteers(shift, "cancelled", reason, actor)
    elif new == S.OPEN and old in (S.CLAIMED, S.PROPOSED, S.APPROVED, S.CONFIRMED):
        tell_volunteers(shift, "released", reason, actor)


@signals.shift_details_changed.connect
def _notice_on_details(shift: Shift, actor, changes, **_kw) -> None:  # type: ignore[no-untyped-def]
    tell_volunteers(shift, "changed", ", ".join(changes), actor)
