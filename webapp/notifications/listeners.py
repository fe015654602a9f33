"""Messages caused by shift changes, written in the same transaction as the change.

``webapp.shifts.signals.shift_status_changed`` is sent inside the operation before the
commit; the rows written here land or roll back with it. The person who made the change
is not told about it.
"""

from __future__ import annotations

from typing import Any

from webapp.extensions import db
from webapp.notifications.operations import enqueue
from webapp.notifications.shift_messages import shift_context

HOLDING = {"proposed", "claimed", "approved", "confirmed"}


def _first_leg(shift: Any) -> bool:
    """A ride's two legs change together: write one message per group, not two."""
    from webapp.shifts.operations import group_of

    return group_of(shift)[0].id == shift.id


def on_status_changed(shift: Any, old: Any, new: Any, actor: Any, reason: str | None,
                      **_kw: Any) -> None:
    old_v, new_v = getattr(old, "value", old), getattr(new, "value", new)
    if new_v == "approved" and old_v in ("claimed", "proposed", "open"):
        kind = "shift_approved"
    elif new_v == "open" and old_v in HOLDING:
        kind = "shift_released"
    elif new_v == "cancelled" and old_v in HOLDING:
        kind = "shift_cancelled"
    else:
        return
    # Shifts may change inside a flush (a resident erased -> future shifts cancelled in
    # a before_flush hook): then no autoflush and no flush of our own; our rows join the
    # flush under way.
    flushing = db.session()._flushing
    with db.session.no_autoflush:
        if not _first_leg(shift):
            return
        actor_person = getattr(actor, "person_id", None)
        context = {"shift": shift_context(shift), "reason": reason or ""}
        for a in shift.assignments:
            if a.volunteer_id != actor_person:
                enqueue(a.volunteer, kind, context, event_at=shift.starts_at,
                        flush=not flushing)


def connect() -> None:
    from webapp.shifts.signals import shift_status_changed

    shift_status_changed.connect(on_status_changed)  # strong ref: a module function
