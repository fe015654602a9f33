"""What a message about a shift may say, built from plain values only.

The one place that decides which resident details reach a volunteer: name, address,
time, the request's notes for the volunteer and the practical needs (wheelchair, walker,
escort, hard of hearing). ``ResidentProfile.health_notes`` is never read here.
"""

from __future__ import annotations

from typing import Any

from webapp.people.models import Person


def resident_of(shift: Any) -> Person | None:
    return shift.request.resident if shift.request is not None else None


def shift_context(shift: Any, *, booked: bool = True) -> dict[str, Any]:
    """For volunteers (and coordinators): the shift, where, when, and practical needs.

    ``booked=False`` (an invitation to volunteers not on the shift): only the resident's
    first name and neighbourhood, no phone number or street address."""
    request = shift.request
    resident = resident_of(shift)
    profile = resident.resident if resident is not None else None
    needs = []
    if profile is not None:
        needs = [name for name in ("uses_wheelchair", "uses_walker", "needs_escort",
                                   "hard_of_hearing") if getattr(profile, name)]
    if request is not None and getattr(request, "wheelchair", False):
        needs.append("uses_wheelchair")
    if resident is None:
        name = phone = ""
    elif booked:
        name, phone = resident.full_name, resident.phone or ""
    else:
        name, phone = resident.first_name, ""
    start = shift.start_address if booked else (shift.neighbourhood or "")
    end = shift.end_address
    if not booked and shift.kind.value == "ride_back":
        end = shift.neighbourhood or ""  # the way home: the resident's street stays private
    return {
        "shift_id": shift.id,
        "kind": shift.kind.value,
        "starts_at": shift.starts_at,
        "ends_at": shift.ends_at,
        "start_address": start,
        "end_address": end,
        "resident_name": name,
        "resident_phone": phone,
        "notes": (request.notes or "") if request is not None else "",
        "needs": sorted(set(needs)),
        "volunteers": [a.volunteer.first_name for a in shift.assignments],
    }


def resident_item(shift: Any) -> dict[str, Any]:
    """For the resident: when, what, and who is coming (first names only)."""
    return {
        "kind": shift.kind.value,
        "starts_at": shift.starts_at,
        "end_address": shift.end_address,
        "volunteers": [a.volunteer.first_name for a in shift.assignments],
    }
