"""Pay volunteers when a shift is completed (``webapp/listeners.py`` connects
:func:`pay_completed_shift` to ``shift_completed``).

The signal is sent inside the shift operation, before its commit: the payment lands in
the same transaction as the completion, or neither does. This is the one path that pays
for shifts: a volunteer's log, a coordinator's "done" and the auto-confirm job all
complete shifts through the shifts feature's operations, which send the signal.

A ride is booked as legs sharing a ``group_key`` (out, and back after the appointment),
served by the same driver. The driver is paid once for the group, door to door: from the
first leg's start to the last leg's end, so the waiting in between counts. The payment is
made when the group's last leg reaches a final state, under the first leg's id.

A shared ride (a route: several passengers' legs with one driver, ``shifts.legs``) is
one group: the driver is paid once, from the route's first leg to its last. No one
passenger pays for the others: the community chest pays for a route shared by several.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from webapp.shifts.legs import group_of
from webapp.shifts.models import Shift, ShiftKind, ShiftStatus
from webapp.shifts.transitions import FINAL
from webapp.timebank.models import Transfer
from webapp.timebank.payments import pay_for_shift


def shift_payments(legs: Sequence[Shift]) -> tuple[int, list[tuple[int, int]]] | None:
    """(shift id to pay under, [(volunteer person id, minutes)]), or None while another
    leg of the group is still to be done. Minutes run from a volunteer's earliest logged
    start to their latest logged end over the group's completed legs (booked times where
    nothing was logged). None too while logged times wait for a coordinator."""
    if any(leg.status not in FINAL for leg in legs):
        return None
    if any(a.times_held for leg in legs for a in leg.assignments):
        return None  # implausible logged times: a coordinator confirms them first
    done = [leg for leg in legs if leg.status == ShiftStatus.COMPLETED]
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


def pay_for_legs(legs: Sequence[Shift], actor: Any = None) -> list[Transfer]:
    """Pay for a group whose legs are all final (nothing while one is still to be done)."""
    found = shift_payments(legs)
    if found is None or not found[1]:
        return []
    shift_id, volunteers = found
    first = legs[0]
    residents = {leg.request.resident_id if leg.request is not None else None for leg in legs}
    return pay_for_shift(
        shift_id=shift_id,
        organisation_id=first.organisation_id,
        kind="visit" if first.kind == ShiftKind.VISIT else "ride",
        service_date=first.occurrence_date,
        resident_person_id=residents.pop() if len(residents) == 1 else None,
        volunteers=volunteers,
        actor_id=getattr(actor, "id", None),
    )


def pay_completed_shift(shift: Shift, actor: Any = None, **_kw: Any) -> list[Transfer]:
    """The ``shift_completed`` listener."""
    return pay_for_legs(group_of(shift), actor)
