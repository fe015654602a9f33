"""What a message about a shift may say, built from plain values only.

The one place that decides which resident details reach a volunteer: name, address,
time and the request's notes for the volunteer. Health and mobility (the health notes,
wheelchair, walker, escort, hearing) are special-category data (GDPR Art. 9): they never
leave in a message, which sits in an inbox or a phone for years. Coordinators see them
on the resident's record and tell the volunteer what the visit needs.
"""

from __future__ import annotations

from typing import Any

from webapp.people.models import Person


def resident_of(shift: Any) -> Person | None:
    return shift.request.resident if shift.request is not None else None


def shift_context(shift: Any, *, booked: bool = True) -> dict[str, Any]:
    """For volunteers (and coordinators): the shift, where and when.

    ``booked=False`` (an invitation to volunteers not on the shift): only the resident's
    first name and neighbourhood, no phone number or street address."""
    request = shift.request
    resident = resident_of(shift)
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
