"""Pay volunteers when a shift is completed (the shifts feature's ``shift_completed``).

The signal is sent inside the shift operation, before its commit: the payment lands in
the same transaction as the completion, or neither does. Until the shifts feature is on
this branch, :func:`connect` finds no signal and does nothing.
"""

from __future__ import annotations

from datetime import datetime

from webapp.timebank.models import Transfer

_connected = False


def _minutes(start: datetime | None, end: datetime | None) -> int:
    if start is None or end is None or end <= start:
        return 0
    return round((end - start).total_seconds() / 60)


def shift_payments(shift) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """(volunteer person id, minutes) for each volunteer of a completed shift: the times
    they logged (a ride: door to door, waiting included), else the booked times."""
    booked = _minutes(shift.starts_at, shift.ends_at)
    paid = []
    for assignment in shift.assignments:
        minutes = _minutes(assignment.actual_start, assignment.actual_end) or booked
        if minutes > 0:
            paid.append((assignment.volunteer_id, minutes))
    return paid


def pay_completed_shift(shift, actor=None, **_kw) -> list[Transfer]:  # type: ignore[no-untyped-def]
    from webapp.timebank.payments import pay_for_shift

    volunteers = shift_payments(shift)
    if not volunteers:
        return []
    kind = "visit" if str(getattr(shift.kind, "value", shift.kind)) == "visit" else "ride"
    request = getattr(shift, "request", None)
    return pay_for_shift(
        shift_id=shift.id,
        organisation_id=shift.organisation_id,
        kind=kind,
        service_date=shift.occurrence_date,
        resident_person_id=getattr(request, "resident_id", None),
        volunteers=volunteers,
        actor_id=getattr(actor, "id", None),
    )


def connect() -> bool:
    """Connect to ``shift_completed`` once; False when the shifts feature is absent."""
    global _connected
    try:
        from webapp.shifts.signals import shift_completed
    except ImportError:
        return False
    if not _connected:
        shift_completed.connect(pay_completed_shift, weak=False)
        _connected = True
    return True
