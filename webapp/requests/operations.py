"""Creating, changing and cancelling requests. Operations flush; views commit.

Errors are :class:`FieldError` keyed by the form field they belong to.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _

from webapp.auth.models import User
from webapp.core.errors import FieldError
from webapp.db import utcnow
from webapp.extensions import db
from webapp.people.models import Person
from webapp.places.geocoding import (
    AddressNotFound,
    InvalidCoordinates,
    Location,
    locate,
    manual_location,
    remember_pin,
)
from webapp.requests.checks import check_consent, check_far_ahead, check_notice
from webapp.requests.clashes import check_clash
from webapp.requests.models import (
    Priority,
    Request,
    RequestKind,
    RequestStatus,
    RequestWindow,
    RidePurpose,
)
from webapp.requests.planning import default_until, expand_request, first_start
from webapp.shifts.operations import cancel_future


@dataclass
class Draft:
    """What a form collected; the operation checks the rules and builds the request."""

    kind: RequestKind
    start_date: date
    # visits
    windows: list[tuple[int, time, time]] = field(default_factory=list)
    duration_minutes: int = 60
    recurring: bool = False
    end_date: date | None = None
    languages: list[str] = field(default_factory=list)
    gender_preference: str | None = None
    interests: list[str] = field(default_factory=list)
    two_volunteers: bool = False
    notes: str | None = None
    # coordinator's: how much it matters, and who should go if they can (continuity)
    priority: int = Priority.NORMAL
    preferred_volunteer_id: int | None = None
    # rides
    pickup_address: str | None = None
    destination_name: str | None = None
    destination_address: str | None = None
    purpose: RidePurpose | None = None
    appointment_time: time | None = None
    stay_minutes: int | None = None
    return_time: time | None = None
    return_wanted: bool = False
    passengers: int = 1
    wheelchair: bool = False
    escort: bool = False
    max_ride_minutes: int | None = None  # tightens the organisation's (shared rides)
    # A destination the town's list does not know: a pin placed on the map, or (a
    # resident asking) kept without one for a coordinator to place.
    destination_lat: float | None = None
    destination_lon: float | None = None
    allow_unplaced: bool = False
    # coordinator-only: bypass the minimum notice, with the reason recorded
    override_reason: str | None = None
    # coordinator-only: book although the resident has another booking at that time
    accept_clash: bool = False
    # a first date more than a year ahead is asked about once (a typed 2030 for 2026)
    confirm_far_date: bool = False


def create_request(
    resident: Person, draft: Draft, actor: User | None, now: datetime | None = None
) -> Request:
    """Check ``draft``, save the request and create its shifts for the horizon."""
    now = now or utcnow()
    if not resident.is_resident and not resident.is_neighbour:
        raise FieldError("resident", _("This person is not registered as a resident."))
    check_consent(resident, actor)
    req = Request(organisation_id=resident.organisation_id, resident=resident, kind=draft.kind)
    fill_from_draft(req, resident, draft)
    db.session.add(req)
    db.session.flush()
    starts = first_start(req)
    if starts is None:
        raise FieldError("windows", _("Choose at least one day of the week."))
    if starts <= now:
        field_name = "appointment_time" if draft.kind == RequestKind.RIDE else "start_date"
        raise FieldError(field_name, _("This time is already in the past."))
    check_far_ahead(req, starts, draft.confirm_far_date, now)
    check_notice(req, starts, draft.override_reason, actor, now)
    req.created_by_id = getattr(actor, "id", None)
    expand_request(req, max(default_until(req.organisation_id, now), req.start_date), now)
    check_clash(req, actor, draft.accept_clash)
    return req


def fill_from_draft(req: Request, resident: Person, d: Draft) -> None:
    if d.recurring:
        if d.end_date is None:
            raise FieldError("end_date", _("Say until when it should repeat."))
        if d.end_date < d.start_date:
            raise FieldError("end_date", _("The last date must be on or after the first date."))
    req.start_date = d.start_date
    req.recurring = d.recurring
    req.end_date = d.end_date if d.recurring else None
    req.languages = sorted({x for x in d.languages if x})
    req.gender_preference = d.gender_preference or None
    req.interests = sorted({x for x in d.interests if x})
    req.notes = (d.notes or "").strip() or None
    _fill_coordination(req, resident, d.priority, d.preferred_volunteer_id)
    if d.kind == RequestKind.VISIT:
        if d.duration_minutes is None or d.duration_minutes <= 0:
            raise FieldError("duration_minutes", _("The duration must be more than 0 minutes."))
        if not d.windows:
            raise FieldError("windows", _("Choose at least one day of the week."))
        for wd, start, end in d.windows:
            if end <= start:
                raise FieldError(
                    "window_end", _("The window must end after it starts."), weekday=wd
                )
            if (datetime.combine(date.min, end) - datetime.combine(date.min, start)) < timedelta(
                minutes=d.duration_minutes
            ):
                raise FieldError(
                    "window_end", _("The window is shorter than the visit."), weekday=wd
                )
        req.duration_minutes = d.duration_minutes
        req.two_volunteers = d.two_volunteers
        req.windows = [RequestWindow(weekday=wd, start=s, end=e) for wd, s, e in d.windows]
        return
    _fill_ride(req, resident, d)


def _fill_coordination(
    req: Request, resident: Person, priority: int, preferred_id: int | None
) -> None:
    if priority not in {p.value for p in Priority}:
        raise FieldError("priority", _("Choose normal, high or urgent."))
    req.priority = priority
    if preferred_id:
        person = db.session.get(Person, preferred_id)
        if (
            person is None
            or person.organisation_id != resident.organisation_id
            or not person.is_volunteer
            or person.volunteer is None
        ):
            raise FieldError("preferred_volunteer", _("Choose one of your volunteers."))
        if person.id == resident.id:
            raise FieldError("preferred_volunteer", _("A person cannot visit themselves."))
    req.preferred_volunteer_id = preferred_id or None


def set_coordination(req: Request, priority: int, preferred_id: int | None) -> bool:
    """A coordinator sets the priority and the preferred volunteer; nothing about the
    shifts changes and nobody is told. Returns whether anything changed."""
    before = (req.priority, req.preferred_volunteer_id)
    _fill_coordination(req, req.resident, priority, preferred_id)
    db.session.flush()
    return before != (req.priority, req.preferred_volunteer_id)


def _fill_ride(req: Request, resident: Person, d: Draft) -> None:
    if d.appointment_time is None:
        raise FieldError("appointment_time", _("Give the time of the appointment."))
    destination = d.destination_address
    if destination is None or not destination.strip():
        raise FieldError("destination_address", _("Where should we take you?"))
    dest = _destination(resident.organisation_id, destination.strip(), d)
    pickup = (d.pickup_address or "").strip()
    if pickup and pickup != resident.address:
        try:
            loc = locate(resident.organisation_id, pickup)
        except AddressNotFound:
            raise FieldError("pickup_address", _("We could not find this address.")) from None
        req.pickup_address, req.pickup_lat, req.pickup_lon = pickup, loc.lat, loc.lon
    else:
        req.pickup_address, req.pickup_lat, req.pickup_lon = (
            resident.address,
            resident.lat,
            resident.lon,
        )
    stay = d.stay_minutes
    if d.return_wanted and d.return_time is not None:
        stay = int(
            (
                datetime.combine(date.min, d.return_time)
                - datetime.combine(date.min, d.appointment_time)
            ).total_seconds()
            // 60
        )
        if stay <= 0:
            raise FieldError("return_time", _("The return must be after the appointment."))
    if d.return_wanted and (stay is None or stay <= 0):
        raise FieldError("stay_minutes", _("How long you stay must be more than 0 minutes."))
    if not 1 <= d.passengers <= 8:
        raise FieldError("passengers", _("Between 1 and 8 passengers."))
    req.destination_name = (d.destination_name or "").strip() or None
    req.destination_address = destination.strip()
    req.destination_lat = dest.lat if dest is not None else None
    req.destination_lon = dest.lon if dest is not None else None
    req.purpose = d.purpose or RidePurpose.OTHER
    req.appointment_time = d.appointment_time
    req.return_wanted = d.return_wanted
    req.stay_minutes = stay if d.return_wanted else None
    req.passengers = d.passengers
    req.wheelchair = d.wheelchair
    req.escort = d.escort
    req.max_ride_minutes = d.max_ride_minutes or None
    req.duration_minutes = 60


def _destination(org_id: int, address: str, d: Draft) -> Location | None:
    """Where the ride goes: a pin placed on the map wins (and is remembered for the next
    booking there); else the address chain; else, for a resident, no pin yet."""
    if d.destination_lat is not None or d.destination_lon is not None:
        if d.destination_lat is None or d.destination_lon is None:
            name = "destination_lat" if d.destination_lat is None else "destination_lon"
            raise FieldError(name, _("Give both latitude and longitude, or neither."))
        try:
            found = manual_location(org_id, d.destination_lat, d.destination_lon, address)
        except InvalidCoordinates as error:
            raise FieldError(f"destination_{error.field}", str(error.message)) from None
        with suppress(AddressNotFound):
            locate(org_id, address)  # a known address is cached as the chain found it...
        remember_pin(org_id, address, found)  # ...so only an unknown one takes this pin
        return found
    try:
        return locate(org_id, address)
    except AddressNotFound:
        if d.allow_unplaced:
            return None
        raise FieldError(
            "destination_address",
            _(
                "This address is not in the town's list. Point to it on the map below "
                "(or type its coordinates) and save again."
            ),
        ) from None


def cancel_request(
    req: Request, actor: User | None, reason: str | None, *, flush: bool = True
) -> int:
    """Stop the request: every future shift is cancelled (volunteers are told)."""
    if req.status == RequestStatus.CANCELLED:
        return 0
    req.status = RequestStatus.CANCELLED
    req.cancelled_at = utcnow()
    req.cancelled_by_id = getattr(actor, "id", None)
    req.cancel_reason = (reason or None) and reason[:300]
    return cancel_future(req.id, actor, reason or "request cancelled", flush=flush)


def resident_removed(person: Person, actor: User | None = None, *, flush: bool = True) -> int:
    """A resident is deleted: their future shifts are cancelled ("resident removed") and
    the volunteers told; past shifts stay (anonymised by ``resident_id`` SET NULL)."""
    reqs = db.session.scalars(sa.select(Request).where(Request.resident_id == person.id)).all()
    return sum(cancel_request(r, actor, "resident removed", flush=flush) for r in reqs)
