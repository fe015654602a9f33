"""Pay volunteers when a shift is completed (the shifts feature's ``shift_completed``).

The signal is sent inside the shift operation, before its commit: the payment lands in
the same transaction as the completion, or neither does. Until the shifts feature is on
this branch, :func:`connect` finds no signal and does nothing.

A ride is booked as legs sharing a ``group_key`` (out, and back after the appointment),
served by the same driver. The driver is paid once for the group, door to door: from the
first leg's start to the last leg's end, so the waiting in between counts. The payment is
made when the group's last leg reaches a final state, under the first leg's id.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from webapp.extensions import db
from webapp.timebank.models import Transfer

FINAL = {"completed", "cancelled", "no_show", "unfilled"}
_connected = False


def _value(x: object) -> str:
    return str(getattr(x, "value", x))


def _legs(shift) -> list:  # type: ignore[no-untyped-def]
    model = type(shift)
    if getattr(shift, "group_key", None) is None:
        return [shift]
    return list(
        db.session.scalars(
            sa.select(model)
            .where(
                model.group_key == shift.group_key,
                model.organisation_id == shift.organisation_id,
            )
            .order_by(model.starts_at, model.id)
        )
    )


def shift_payments(shift) -> tuple[int, list[tuple[int, int]]] | None:  # type: ignore[no-untyped-def]
    """(shift id to pay under, [(volunteer person id, minutes)]), or None while another
    leg of the group is still to be done. Minutes run from a volunteer's earliest logged
    start to their latest logged end over the group's completed legs (booked times where
    nothing was logged)."""
    legs = _legs(shift)
    if any(_value(leg.status) not in FINAL for leg in legs):
        return None
    done = [leg for leg in legs if _value(leg.status) == "completed"]
    if not done:
        return None
    spans: dict[int, tuple[datetime, datetime]] = {}
    for leg in done:
        for a in leg.assignments:
            start = a.actual_start or leg.starts_at
            end = a.actual_end or leg.ends_at
            if a.volunteer_id in spans:
                first, last = spans[a.volunteer_id]
                start, end = min(first, start), max(last, end)
            spans[a.volunteer_id] = (start, end)
    paid = [
        (person_id, round((end - start).total_seconds() / 60))
        for person_id, (start, end) in sorted(spans.items())
    ]
    return done[0].id, [(p, m) for p, m in paid if m > 0]


def pay_completed_shift(shift, actor=None, **_kw) -> list[Transfer]:  # type: ignore[no-untyped-def]
    from webapp.timebank.payments import pay_for_shift

    found = shift_payments(shift)
    if found is None or not found[1]:
        return []
    shift_id, volunteers = found
    kind = "visit" if _value(shift.kind) == "visit" else "ride"
    request = getattr(shift, "request", None)
    return pay_for_shift(
        shift_id=shift_id,
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
