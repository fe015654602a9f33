"""Hooks other features attach to without editing this one (blinker signals).

``shift_status_changed`` -- sender: the Shift; keyword arguments
    ``old`` (ShiftStatus | None), ``new`` (ShiftStatus), ``actor`` (User | None: None for
    the system, e.g. a scheduled job or a resident removed), ``reason`` (str | None).
    Sent inside the operation, after the change is flushed and BEFORE the commit: a
    listener writes its rows in the same transaction, so they land or roll back together.
    Listeners must not commit.
``shift_completed`` -- sender: the Shift; ``actor`` (User | None). Sent right after the
    ``shift_status_changed`` for a move to ``completed`` (same transaction). The time bank
    connects here to credit hours; actual times are on ``shift.assignments``.
``shift_details_changed`` -- sender: the Shift; ``actor``, ``changes`` (list of field
    names). The request behind a shift that already has volunteers changed in a way that
    keeps the shift (notes, mobility needs); volunteers should be told.
``checkin_recorded`` -- sender: the CheckIn (flushed); ``actor`` (User | None). A
    volunteer filed how the visit or ride went (mood, worry). The desk raises an alert
    for a worry or a mood of "unwell". Same transaction as the check-in.

Usage::

    from webapp.shifts.signals import shift_completed

    @shift_completed.connect
    def pay(shift, actor, **_):
        ...
"""

from blinker import Namespace

_signals = Namespace()

shift_status_changed = _signals.signal("shift-status-changed")
shift_completed = _signals.signal("shift-completed")
shift_details_changed = _signals.signal("shift-details-changed")
checkin_recorded = _signals.signal("checkin-recorded")
