"""Who may see which field of a shift, in one place (tested as a role x state table)."""

from __future__ import annotations

from webapp.auth.models import User
from webapp.permissions import is_coordinator, same_organisation
from webapp.shifts.models import Shift, ShiftStatus
from webapp.shifts.transitions import BOOKED

S = ShiftStatus
# The volunteer gets the door, the phone and the notes once a coordinator approved them.
REVEALED_TO_VOLUNTEER = BOOKED
PUBLIC = frozenset({"neighbourhood", "distance", "time", "kind", "destination"})
VOLUNTEER_APPROVED = PUBLIC | {"address", "phone", "directions", "notes", "first_name"}
# Health and mobility (special-category data) stay with coordinators.
COORDINATOR = VOLUNTEER_APPROVED | {
    "health_notes",
    "mobility",
    "last_name",
    "history",
    "volunteers",
}
RESIDENT = frozenset({"time", "kind", "destination", "volunteer_first_names"})


def visible_fields(shift: Shift, user: User) -> frozenset[str]:
    """The fields of ``shift`` that ``user`` may see (empty: not even the shift)."""
    if not user.is_authenticated or not same_organisation(user, shift):
        return frozenset()
    if is_coordinator(user) or user.person_id is None:
        return holder_fields(user, shift.organisation_id, shift.status, None)
    request = shift.request
    resident_id = request.resident_id if request is not None else None
    if user.person_id == resident_id or user.person_id in shift.volunteer_ids:
        return holder_fields(user, shift.organisation_id, shift.status, resident_id)
    return PUBLIC


def holder_fields(
    user: User, organisation_id: int, status: ShiftStatus, resident_id: int | None
) -> frozenset[str]:
    """The fields that ``user`` may see of a shift of ``organisation_id`` in ``status``
    that they hold a seat of (or whose resident is ``resident_id``): for pages that read
    a volunteer's own shifts as rows, not objects (``shifts/schedule.py``)."""
    if not user.is_authenticated or user.organisation_id != organisation_id:
        return frozenset()
    if is_coordinator(user):
        return frozenset(COORDINATOR)
    person_id = user.person_id
    if person_id is None:
        return frozenset()
    if resident_id is not None and resident_id == person_id:
        return RESIDENT
    return VOLUNTEER_APPROVED if status in REVEALED_TO_VOLUNTEER else PUBLIC


def directions_url(lat: float | None, lon: float | None) -> str | None:
    if lat is None or lon is None:
        return None
    return f"https://www.openstreetmap.org/directions?to={lat:.6f},{lon:.6f}"
