"""Sign-up and editing of people. Operations flush; the view commits once.

Input is the parsed data of a form (a mapping of field name to value; keys that a form
does not have are left alone). Rules are enforced here and broken rules are raised as
:class:`FieldError`, keyed by the form field's name (``slots-2-end`` for the end time of
the third availability row), so that the view can show each message next to its field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, time
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from webapp.audit import operations as audit
from webapp.audit.operations import diff, snapshot
from webapp.auth.models import Role, User
from webapp.auth.passwords import MIN_LENGTH, hash_password, verify_password
from webapp.core.errors import FieldError
from webapp.db import utcnow
from webapp.extensions import db
from webapp.notifications.operations import notify_coordinators
from webapp.orgs.models import Organisation
from webapp.orgs.settings import settings_for
from webapp.people.models import (
    Absence,
    AvailabilitySlot,
    Person,
    ResidentProfile,
    VolunteerProfile,
)
from webapp.people.signals import person_located, resident_checked
from webapp.places.geocoding import (
    AddressNotFound,
    InvalidCoordinates,
    locate,
    manual_location,
    normalise,
    remember_pin,
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
MAX_KM = 100  # further than this is a typo (metres?) rather than a plan
MAX_HOURS = 80

PERSON_FIELDS = ("first_name", "last_name", "phone", "gender", "languages", "interests")
VOLUNTEER_FIELDS = ("max_km", "hours_per_week", "car_wheelchair")
RESIDENT_FIELDS = (
    "wants_visits",
    "wants_rides",
    "uses_wheelchair",
    "uses_walker",
    "needs_escort",
    "hard_of_hearing",
    "health_notes",
    "guardian_name",
    "guardian_relation",
    "guardian_phone",
    "guardian_email",
)


def weekday_name(day: int) -> str:
    names = (
        _("Monday"),
        _("Tuesday"),
        _("Wednesday"),
        _("Thursday"),
        _("Friday"),
        _("Saturday"),
        _("Sunday"),
    )
    return names[day]


# --- checks: each adds messages to ``errors`` -------------------------------------------


def check_slots(
    rows: Sequence[Mapping[str, Any]], errors: dict[str, str]
) -> list[tuple[int, time, time, int]]:
    """Rows of ``{weekday, start, end}``; blank rows are skipped. Returns clean tuples."""
    clean: list[tuple[int, time, time, int]] = []
    for i, row in enumerate(rows):
        start, end, weekday = row.get("start"), row.get("end"), row.get("weekday")
        if start is None and end is None:
            continue
        if start is None:
            errors[f"slots-{i}-start"] = _("Give the time this slot starts.")
        elif end is None:
            errors[f"slots-{i}-end"] = _("Give the time this slot ends.")
        elif weekday is None or weekday not in range(7):
            errors[f"slots-{i}-weekday"] = _("Choose a day of the week.")
        elif end <= start:
            errors[f"slots-{i}-end"] = _("The slot must end after it starts.")
        else:
            clean.append((weekday, start, end, i))
    clean.sort()
    for prev, cur in zip(clean, clean[1:], strict=False):
        if prev[0] == cur[0] and cur[1] < prev[2]:
            errors[f"slots-{cur[3]}-start"] = _(
                "This slot overlaps another one on %(day)s (%(start)s-%(end)s).",
                day=weekday_name(cur[0]),
                start=prev[1].strftime("%H:%M"),
                end=prev[2].strftime("%H:%M"),
            )
    return clean


def check_absences(
    rows: Sequence[Mapping[str, Any]], errors: dict[str, str]
) -> list[tuple[date, date]]:
    clean: list[tuple[date, date]] = []
    for i, row in enumerate(rows):
        start, end = row.get("start"), row.get("end")
        if start is None and end is None:
            continue
        if start is None:
            errors[f"absences-{i}-start"] = _("Give the first day you are away.")
        elif end is None:
            errors[f"absences-{i}-end"] = _("Give the last day you are away.")
        elif end < start:
            errors[f"absences-{i}-end"] = _("The last day cannot be before the first day.")
        else:
            clean.append((start, end))
    return clean


def check_volunteering(data: Mapping[str, Any], errors: dict[str, str]) -> None:
    if "max_km" in data:
        km = data["max_km"]
        if km is None:
            errors["max_km"] = _("Say how many kilometres you can travel.")
        elif km <= 0:
            errors["max_km"] = _("The distance must be more than 0 km.")
        elif km > MAX_KM:
            errors["max_km"] = _("The distance can be at most %(n)s km.", n=MAX_KM)
    if "hours_per_week" in data:
        hours = data["hours_per_week"]
        if hours is None or hours <= 0 or hours > MAX_HOURS:
            errors["hours_per_week"] = _(
                "Give the hours per week as a number between 1 and %(n)s.", n=MAX_HOURS
            )
    visits, driving = _offers(data)
    if "offers" in data and not (visits or driving):
        errors["offers"] = _("Choose what you can offer.")
    if driving:
        seats = data.get("car_seats")
        if seats is None:
            errors["car_seats"] = _("Say how many passengers your car can take.")
        elif not 1 <= seats <= 8:
            errors["car_seats"] = _("A car takes between 1 and 8 passengers.")


def _offers(data: Mapping[str, Any]) -> tuple[bool, bool]:
    if "offers" in data:
        offers = data["offers"] or ""
        return offers in ("visits", "both"), offers in ("driving", "both")
    return bool(data.get("offers_visits")), False


def check_email(
    data: Mapping[str, Any], errors: dict[str, str], *, own: User | None = None
) -> str | None:
    email = (data.get("email") or "").strip().lower() or None
    if email is None:
        return None
    taken = db.session.scalar(sa.select(User).where(User.email == email))
    if taken is not None and (own is None or taken.id != own.id):
        errors["email"] = _("This e-mail is already registered. Log in, or use another e-mail.")
    return email


def check_password(data: Mapping[str, Any], errors: dict[str, str], *, required: bool) -> None:
    password = data.get("password") or ""
    if not password:
        if required:
            errors["password"] = _(
                "Choose a password of at least %(n)s characters to log in.", n=MIN_LENGTH
            )
        return
    if len(password) < MIN_LENGTH:
        errors["password"] = _("The password needs at least %(n)s characters.", n=MIN_LENGTH)


def geocode_into(person: Person, address: str, errors: dict[str, str]) -> None:
    """Set the pin from ``address`` if it is new (a hand-placed pin survives other edits).

    An address no step of the chain knows is kept without a pin (``lat`` None): it never
    blocks a sign-up or a registration; a coordinator places the pin on the map, and until
    then the person is left out of matching (``needs_pin``)."""
    address = (address or "").strip()
    if not address:
        errors["address"] = _("Give the home address.")
        return
    if person.lat is not None and normalise(address) == normalise(person.address or ""):
        person.address = address
        return
    person.address = address
    try:
        found = locate(person.organisation_id, address)
    except AddressNotFound:
        person.lat = person.lon = None
        person.neighbourhood = None
        person.location_source = None
        return
    person.lat, person.lon = found.lat, found.lon
    person.neighbourhood = found.neighbourhood
    person.location_source = found.source


def needs_pin(person: Person) -> bool:
    """The home is not on the map yet: a coordinator places the pin."""
    return person.lat is None or person.lon is None


def address_problem(org_id: int, address: str) -> str | None:
    """The message for an address that cannot be used (empty), else None. Used to show it
    together with the form's other errors; may flush a cache row, so the caller rolls
    back (nothing else is saved on a form with errors anyway)."""
    errors: dict[str, str] = {}
    geocode_into(Person(organisation_id=org_id), address, errors)
    return errors.get("address")


# --- applying data ----------------------------------------------------------------------


def _apply(obj: object, data: Mapping[str, Any], names: Sequence[str]) -> None:
    for name in names:
        if name in data:
            value = data[name]
            if isinstance(value, str):
                value = value.strip() or None
            setattr(obj, name, value)


def _replace_slots(person: Person, slots: list[tuple[int, time, time, int]]) -> None:
    person.slots.clear()
    for weekday, start, end, _i in slots:
        person.slots.append(AvailabilitySlot(weekday=weekday, start=start, end=end))


def _replace_absences(person: Person, absences: list[tuple[date, date]]) -> None:
    person.absences.clear()
    for start, end in absences:
        person.absences.append(Absence(start=start, end=end))


def save_person(
    person: Person,
    data: Mapping[str, Any],
    *,
    user: User | None = None,
    volunteer: bool = False,
    resident: bool = False,
    consent_method: str | None = None,
    consent_by: User | None = None,
    actor: User | None = None,
) -> Person:
    """Create or update ``person`` (and their profiles) from form ``data``.

    ``volunteer``/``resident`` say which profile the data describes (a neighbour may have
    both). Raises :class:`FieldError` with every broken rule at once; on error the
    caller rolls back, so nothing is half-saved.
    """
    errors: dict[str, str] = {}
    for name in ("first_name", "last_name"):
        if name in data and not (data[name] or "").strip():
            errors[name] = _("This field is required.")
        elif name in data and _CONTROL.search(data[name] or ""):
            # A line break in a name forges extra lines in messages, run sheets and CSV.
            errors[name] = _("A name is one line: no line breaks or tabs.")
    slots = check_slots(data.get("slots", []), errors) if "slots" in data else None
    absences = check_absences(data.get("absences", []), errors) if "absences" in data else None
    if volunteer:
        check_volunteering(data, errors)
    asks = {"wants_visits", "wants_rides"} <= data.keys()
    if resident and asks and not (data["wants_visits"] or data["wants_rides"]):
        errors["wants_visits"] = _("Choose the help you would like.")
    email = check_email(data, errors, own=user) if "email" in data else None
    if user is not None and email and email != user.email:
        current = data.get("current_password") or ""
        if not verify_password(user.password_hash, current):
            errors["current_password"] = _(
                "Type your password to change the e-mail you log in with."
            )
    if "password" in data:
        check_password(data, errors, required=bool(email) and user is None)
        if data.get("password") and not email:
            errors["email"] = _("Give your e-mail too, to log in with this password.")
    pin_before = (person.lat, person.lon)
    before = _audited(person) if person.id is not None else {}
    if "address" in data:
        geocode_into(person, data["address"], errors)
    if errors:
        raise FieldError(errors)

    _apply(person, data, PERSON_FIELDS)
    if "email" in data:
        person.email = email
    db.session.add(person)
    if slots is not None:
        _replace_slots(person, slots)
    if absences is not None:
        _replace_absences(person, absences)
    if volunteer:
        profile = person.volunteer or VolunteerProfile()
        person.volunteer = profile
        visits, driving = _offers(data)
        profile.offers_visits, profile.offers_driving = visits, driving
        _apply(profile, data, VOLUNTEER_FIELDS)
        profile.car_seats = data.get("car_seats") if driving else None
        if not driving:
            profile.car_wheelchair = False
        if consent_method and profile.consent_given_at is None:
            profile.consent_given_at = utcnow()
            profile.consent_method = consent_method
    if resident:
        needs = person.resident or ResidentProfile()
        person.resident = needs
        _apply(needs, data, RESIDENT_FIELDS)
        if needs.guardian_email:
            needs.guardian_email = needs.guardian_email.lower()
        if consent_method and needs.consent_given_at is None:
            needs.consent_given_at = utcnow()
            needs.consent_method = consent_method
            needs.consent_recorded_by_id = consent_by.id if consent_by else None
    db.session.flush()
    if user is not None and email and user.email != email:
        user.email = email
    elif user is None and email and data.get("password"):
        user = User(
            email=email,
            password_hash=hash_password(data["password"]),
            role=Role.MEMBER,
            organisation_id=person.organisation_id,
            person=person,
        )
        db.session.add(user)
    db.session.flush()
    changes = diff(before, _audited(person))
    if changes:
        audit.record(
            "person.changed" if before else "person.created",
            actor=actor or consent_by or user,
            organisation_id=person.organisation_id,
            person_id=person.id,
            changes=changes,
        )
    if person.id is not None and (person.lat, person.lon) != pin_before:
        person_located.send(person, actor=consent_by)
    return person


def _audited(person: Person) -> dict[str, Any]:
    """The values of a person's record the audit log compares before and after."""
    out = snapshot(person, (*PERSON_FIELDS, "email", "address"))
    if person.resident is not None:
        out.update(
            {f"resident.{k}": v for k, v in snapshot(person.resident, RESIDENT_FIELDS).items()}
        )
    if person.volunteer is not None:
        fields = (*VOLUNTEER_FIELDS, "offers_visits", "offers_driving", "car_seats")
        out.update({f"volunteer.{k}": v for k, v in snapshot(person.volunteer, fields).items()})
    return out


def sign_up(
    org: Organisation, kind: str, data: Mapping[str, Any], *, locale: str | None = None
) -> Person:
    """Public sign-up: ``kind`` is volunteer, neighbour or resident. Volunteering starts
    pending (not matchable until a coordinator approves); help asked for waits for a
    coordinator's check of the person (unless the organisation turned the check off)."""
    person = Person(organisation_id=org.id, preferred_locale=locale, languages=[], interests=[])
    if kind == "volunteer":
        person.is_volunteer = True
        return save_person(person, data, volunteer=True, consent_method="online")
    person = _sign_up_asking(org, kind, person, data)
    if person.resident is not None and settings_for(org.id).check_online_residents:
        person.resident.checked_at = None
        db.session.flush()
        notify_coordinators(
            org.id, "resident_to_check", {"name": person.full_name, "address": person.address or ""}
        )
    return person


def _sign_up_asking(
    org: Organisation, kind: str, person: Person, data: Mapping[str, Any]
) -> Person:
    if kind == "neighbour":
        person.is_neighbour = True
        gives = bool(data.get("offers_visits"))
        asks = bool(data.get("wants_visits") or data.get("wants_rides"))
        if not (gives or asks):
            errors = {"offers_visits": _("Tick what you can offer, what you need, or both.")}
            raise FieldError(errors)
        # Only the parts this neighbour uses: no empty profiles that other features
        # would mistake for a volunteer or a resident.
        return save_person(
            person,
            data if gives else {k: v for k, v in data.items() if k not in ("slots", "max_km")},
            volunteer=gives,
            resident=asks,
            consent_method="online" if asks else None,
        )
    person.is_resident = True
    return save_person(person, data, resident=True, consent_method="online")


def register_resident(org_id: int, data: Mapping[str, Any], coordinator: User) -> Person:
    """A coordinator registers a resident on the phone; consent taken by phone."""
    person = Person(organisation_id=org_id, is_resident=True, languages=[], interests=[])
    save_person(person, data, resident=True, consent_method="phone", consent_by=coordinator)
    person.resident.checked_by_id = coordinator.id  # checked on the phone, at once
    db.session.flush()
    return person


def check_resident(person: Person, by: User) -> None:
    """A coordinator has checked who an online sign-up is and where they live: their
    requests may now reach volunteers (the requests feature plans them on the signal)."""
    profile = person.resident
    if profile is None:
        raise FieldError("resident", _("This person does not ask for help."))
    if profile.checked_at is not None:
        return
    profile.checked_at = utcnow()
    profile.checked_by_id = by.id
    db.session.flush()
    resident_checked.send(person, by=by)


def register_volunteer(org_id: int, data: Mapping[str, Any]) -> Person:
    """A coordinator registers a volunteer who phoned in: pending until vetted."""
    person = Person(organisation_id=org_id, is_volunteer=True, languages=[], interests=[])
    data = {k: v for k, v in data.items() if k != "password"}  # no login by phone
    return save_person(person, data, volunteer=True, consent_method="phone")


def set_pin(
    person: Person, lat: float | None, lon: float | None, actor: User | None = None
) -> None:
    """Place or correct the pin by hand (``location_source = "manual"``). An address the
    map did not know is remembered with this pin, so the next person at that address is
    found; the person's future visits and rides follow the pin (``person_located``)."""
    errors = {}
    if lat is None:
        errors["lat"] = _("Give the latitude, e.g. 41.59360.")
    if lon is None:
        errors["lon"] = _("Give the longitude, e.g. 14.23250.")
    if lat is None or lon is None:
        raise FieldError(errors)
    try:
        found = manual_location(person.organisation_id, lat, lon, person.address)
    except InvalidCoordinates as error:
        raise FieldError({error.field: str(error.message)}) from None
    unknown_address = person.location_source in (None, "manual")
    person.lat, person.lon = found.lat, found.lon
    person.neighbourhood = found.neighbourhood
    person.location_source = found.source
    if unknown_address and person.address:
        remember_pin(person.organisation_id, person.address, found)
    db.session.flush()
    person_located.send(person, actor=actor)


def slot_rows(person: Person) -> list[dict[str, Any]]:
    return [{"weekday": s.weekday, "start": s.start, "end": s.end} for s in person.slots]


def absence_rows(person: Person) -> list[dict[str, date]]:
    return [{"start": a.start, "end": a.end} for a in person.absences]
