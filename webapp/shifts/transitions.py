"""The one transition table of a shift, and the only function that changes its status.

open      -> proposed (solver/coordinator suggests), claimed (a volunteer takes it),
             approved (coordinator assigns by hand), cancelled, unfilled
proposed  -> approved, open (rejected), cancelled, unfilled
claimed   -> approved, open (rejected or withdrawn), cancelled, unfilled
approved  -> confirmed, completed (coordinator on the volunteer's behalf),
             open (volunteer declines or cancels), cancelled, no_show
confirmed -> completed, open (volunteer cancels), cancelled, no_show
completed, cancelled, no_show, unfilled: final.

One way back, outside the table: a coordinator may undo a no-show (``undo``, within
``outcomes.UNDO_DAYS``), which returns the shift to the status it had; the undo is a
ShiftEvent like any move.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from webapp.auth.models import User
from webapp.core.errors import FieldError
from webapp.extensions import db
from webapp.shifts import signals
from webapp.shifts.models import Shift, ShiftEvent, ShiftStatus

S = ShiftStatus

TRANSITIONS: dict[ShiftStatus, frozenset[ShiftStatus]] = {
    S.OPEN: frozenset({S.PROPOSED, S.CLAIMED, S.APPROVED, S.CANCELLED, S.UNFILLED}),
    S.PROPOSED: frozenset({S.APPROVED, S.OPEN, S.CANCELLED, S.UNFILLED}),
    S.CLAIMED: frozenset({S.APPROVED, S.OPEN, S.CANCELLED, S.UNFILLED}),
    S.APPROVED: frozenset({S.CONFIRMED, S.COMPLETED, S.OPEN, S.CANCELLED, S.NO_SHOW}),
    S.CONFIRMED: frozenset({S.COMPLETED, S.OPEN, S.CANCELLED, S.NO_SHOW}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
    S.NO_SHOW: frozenset(),
    S.UNFILLED: frozenset(),
}

FINAL = frozenset(s for s, targets in TRANSITIONS.items() if not targets)
# Statuses in which a volunteer holds the shift (counted for overlaps).
HOLDING = frozenset({S.PROPOSED, S.CLAIMED, S.APPROVED, S.CONFIRMED})
# A coordinator approved the volunteers: the shift will happen.
BOOKED = frozenset({S.APPROVED, S.CONFIRMED})
# Nobody approved yet: still open, or a claim or proposal waiting for a coordinator.
NOT_BOOKED = frozenset({S.OPEN, S.PROPOSED, S.CLAIMED})
AWAITING_APPROVAL = frozenset({S.CLAIMED, S.PROPOSED})
# A volunteer may take a seat (a shift with a claim may have a second seat free).
CLAIMABLE = frozenset({S.OPEN, S.CLAIMED})

# Final statuses a coordinator may take back, and the statuses they may return to.
UNDOABLE: dict[ShiftStatus, frozenset[ShiftStatus]] = {
    S.NO_SHOW: frozenset({S.APPROVED, S.CONFIRMED}),
}

STATUS_LABELS = {
    S.OPEN: _l("open"),
    S.PROPOSED: _l("proposed"),
    S.CLAIMED: _l("claimed"),
    S.APPROVED: _l("approved"),
    S.CONFIRMED: _l("confirmed"),
    S.COMPLETED: _l("completed"),
    S.CANCELLED: _l("cancelled"),
    S.NO_SHOW: _l("no-show"),
    S.UNFILLED: _l("unfilled"),
}


class IllegalTransition(FieldError):
    """A move the table does not allow, on the field "status"; it knows both statuses."""

    def __init__(self, old: ShiftStatus, new: ShiftStatus) -> None:
        # Lazy: translated when shown (a job outside any request may raise this too).
        super().__init__(
            "status",
            _l(
                "This shift is %(old)s, so it cannot become %(new)s.",
                old=STATUS_LABELS[old],
                new=STATUS_LABELS[new],
            ),
        )
        self.old, self.new = old, new

    def __str__(self) -> str:
        return f"illegal shift transition {self.old.value} -> {self.new.value}"


def can_move(old: ShiftStatus, new: ShiftStatus) -> bool:
    return new in TRANSITIONS[old]


def move(
    shift: Shift,
    new: ShiftStatus,
    actor: User | None = None,
    reason: str | None = None,
    *,
    flush: bool = True,
) -> None:
    """Change ``shift.status`` following the table, record a ShiftEvent, send signals.

    Flushes (unless ``flush=False``: inside a ``before_flush`` hook); the caller commits.
    Raises :class:`IllegalTransition`.
    """
    old = shift.status
    reason = str(reason) if reason else None
    if not can_move(old, new):
        raise IllegalTransition(old, new)
    shift.status = new
    db.session.add(
        ShiftEvent(
            shift=shift,
            actor_id=getattr(actor, "id", None),
            from_status=old.value,
            to_status=new.value,
            reason=reason and reason[:300],
        )
    )
    if flush:
        db.session.flush()
    signals.shift_status_changed.send(shift, old=old, new=new, actor=actor, reason=reason)
    if new == S.COMPLETED:
        signals.shift_completed.send(shift, actor=actor)


def undo(shift: Shift, back_to: ShiftStatus, actor: User | None, reason: str) -> None:
    """Take back a final status listed in ``UNDOABLE`` (the caller checks the window),
    recording it in the shift's history. Raises :class:`IllegalTransition`."""
    old = shift.status
    if back_to not in UNDOABLE.get(old, frozenset()):
        raise IllegalTransition(old, back_to)
    shift.status = back_to
    db.session.add(
        ShiftEvent(
            shift=shift,
            actor_id=getattr(actor, "id", None),
            from_status=old.value,
            to_status=back_to.value,
            reason=reason[:300],
        )
    )
    db.session.flush()
    signals.shift_status_changed.send(shift, old=old, new=back_to, actor=actor, reason=reason)
