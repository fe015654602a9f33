"""What each request form sets on a :class:`~webapp.requests.operations.Draft`: shared by
the pages that ask for help and the pages that change a request."""

from __future__ import annotations

from datetime import time
from typing import Any

from webapp.requests.forms import CoordinatorRequestForm, ResidentRideForm
from webapp.requests.models import RequestKind, RidePurpose
from webapp.requests.operations import Draft

# The resident's form asks for a part of the day, not a time.
PARTS = {"morning": (time(9), time(12)), "afternoon": (time(15), time(18))}


def ride_fields(form: ResidentRideForm) -> dict[str, Any]:
    """What the resident's ride form sets on a draft (asking, and changing a ride)."""
    return dict(
        start_date=form.start_date.data,
        appointment_time=form.appointment_time.data,
        destination_name=form.destination_name.data,
        destination_address=form.destination_address.data,
        purpose=RidePurpose(form.purpose.data),
        return_wanted=form.return_wanted.data,
        return_time=form.return_time.data,
        wheelchair=form.wheelchair.data,
        escort=form.escort.data,
        notes=form.notes.data,
        confirm_far_date=form.confirm_far_date.data,
    )


def coordinator_draft(form: CoordinatorRequestForm, kind: RequestKind | None = None) -> Draft:
    """The form's details as a draft; ``kind`` when the form has no kind (a change)."""
    kind = kind or RequestKind(form.kind.data)
    return Draft(
        kind=kind,
        start_date=form.start_date.data,
        windows=form.weekly_windows() if kind == RequestKind.VISIT else [],
        duration_minutes=form.duration_minutes.data
        if form.duration_minutes.data is not None
        else 60,
        recurring=form.recurring.data,
        end_date=form.end_date.data,
        languages=list(form.languages.data or []),
        gender_preference=form.gender_preference.data or None,
        interests=list(form.interests.data or []),
        priority=form.priority.data or 1,
        preferred_volunteer_id=form.preferred_volunteer.data or None,
        two_volunteers=form.two_volunteers.data,
        notes=form.notes.data,
        pickup_address=form.pickup_address.data,
        destination_name=form.destination_name.data,
        destination_address=form.destination_address.data,
        destination_lat=form.destination_lat.data,
        destination_lon=form.destination_lon.data,
        purpose=RidePurpose(form.purpose.data),
        appointment_time=form.appointment_time.data,
        stay_minutes=form.stay_minutes.data,
        return_time=form.return_time.data,
        return_wanted=form.return_wanted.data,
        passengers=form.passengers.data or 1,
        wheelchair=form.wheelchair.data,
        escort=form.escort.data,
        max_ride_minutes=form.max_ride_minutes.data,
        override_reason=form.override_reason.data,
        accept_clash=form.accept_clash.data,
        confirm_far_date=form.confirm_far_date.data,
    )
