"""Builders shared by the demo's people steps: a geocoded person, a volunteer profile
with slots and credentials, a resident profile with consent, a member login."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from webapp.auth.models import Role, User
from webapp.demo.names import HEALTH_NOTES, INTERESTS, RELATIONS, mobile
from webapp.demo.registry import DemoContext
from webapp.extensions import db
from webapp.people.models import (
    Absence,
    AvailabilitySlot,
    Credential,
    CredentialKind,
    Person,
    ResidentProfile,
    VolunteerProfile,
    VolunteerStatus,
)
from webapp.places.geocoding import locate

# Mornings and evenings mostly (when retired and working volunteers are free).
PERIODS = [
    (time(9), time(12)),
    (time(9), time(12)),
    (time(8, 30), time(12, 30)),
    (time(17), time(20)),
    (time(17), time(20)),
    (time(15), time(18)),
]


def geocoded_person(ctx: DemoContext, rng: random.Random, **fields: object) -> Person:
    """A person living at a free gazetteer address, located through the real chain."""
    address = ctx.free_address(rng)
    found = locate(ctx.org.id, address)
    fields.setdefault("interests", rng.sample(INTERESTS, rng.randint(1, 3)))
    fields.setdefault("preferred_locale", "it")
    person = Person(
        organisation_id=ctx.org.id,
        address=address,
        lat=found.lat,
        lon=found.lon,
        neighbourhood=found.neighbourhood,
        location_source=found.source,
        **fields,
    )
    db.session.add(person)
    db.session.flush()
    return person


def member_login(ctx: DemoContext, person: Person) -> User:
    user = User(
        email=person.email,
        password_hash=ctx.password_hash,
        role=Role.MEMBER,
        organisation_id=person.organisation_id,
        person_id=person.id,
        locale=person.preferred_locale,
    )
    db.session.add(user)
    return user


def weekly_slots(rng: random.Random, count: int) -> list[AvailabilitySlot]:
    chosen: set[tuple[int, int]] = set()
    while len(chosen) < count:
        weekday = rng.choice([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 5, 6])
        chosen.add((weekday, rng.randrange(len(PERIODS))))
    # Two periods on one day may overlap (08:30-12:30 and 09:00-12:00): keep one per
    # day and half-day.
    slots, taken = [], set()
    for weekday, index in sorted(chosen):
        start, end = PERIODS[index]
        half = start < time(13)
        if (weekday, half) not in taken:
            taken.add((weekday, half))
            slots.append(AvailabilitySlot(weekday=weekday, start=start, end=end))
    return slots


def volunteer_profile(
    ctx: DemoContext,
    rng: random.Random,
    person: Person,
    *,
    visits: bool,
    driving: bool,
    status: VolunteerStatus,
    lapsing_in_days: int | None = None,
) -> VolunteerProfile:
    """Profile, slots, maybe an absence, and credentials. ``lapsing_in_days``: a required
    credential expires that many days from today (negative: already lapsed)."""
    coordinator = rng.choice(ctx.coordinators)
    profile = VolunteerProfile(
        offers_visits=visits,
        offers_driving=driving,
        max_km=float(rng.choice([5, 8, 10, 15, 20, 25]) if driving else rng.choice([2, 3, 5, 8])),
        hours_per_week=float(rng.choice([2, 2, 3, 4, 4, 6, 8])),
        car_seats=rng.choice([3, 4, 4]) if driving else None,
        car_wheelchair=driving and rng.random() < 0.15,
        status=status,
    )
    if status != VolunteerStatus.PENDING:
        profile.status_changed_at = datetime.now(UTC) - timedelta(days=rng.randint(5, 200))
        profile.status_changed_by_id = coordinator.id
    if status == VolunteerStatus.SUSPENDED:
        profile.status_reason = "Sospeso: due visite mancate senza avvisare."
    elif status == VolunteerStatus.REJECTED:
        profile.status_reason = "Certificato del casellario giudiziale non presentato."
    person.volunteer = profile
    person.slots = weekly_slots(rng, rng.randint(2, 5))
    if rng.random() < 0.12:
        start = ctx.today + timedelta(days=rng.randint(3, 40))
        person.absences = [Absence(start=start, end=start + timedelta(days=rng.randint(2, 14)))]
    if status == VolunteerStatus.PENDING:
        kinds = [CredentialKind.IDENTITY] if rng.random() < 0.5 else []
    else:
        kinds = [CredentialKind.IDENTITY]
        kinds += [CredentialKind.BACKGROUND_CHECK] if visits else []
        kinds += [CredentialKind.DRIVING_LICENCE, CredentialKind.INSURANCE] if driving else []
    required = CredentialKind.DRIVING_LICENCE if driving else CredentialKind.BACKGROUND_CHECK
    for kind in kinds:
        checked = ctx.today - timedelta(days=rng.randint(20, 300))
        if lapsing_in_days is not None and kind == required:
            expires = ctx.today + timedelta(days=lapsing_in_days)
            checked = min(checked, expires - timedelta(days=300))
        elif kind == CredentialKind.INSURANCE:
            expires = ctx.today + timedelta(days=rng.randint(60, 365))
        else:
            expires = ctx.today + timedelta(days=rng.randint(365, 5 * 365))
        person.credentials.append(
            Credential(
                kind=kind, checked_on=checked, expires_on=expires, recorded_by_id=coordinator.id
            )
        )
    return profile


def resident_profile(ctx: DemoContext, rng: random.Random, person: Person) -> ResidentProfile:
    """Needs, mobility, maybe a guardian, and consent taken by a coordinator."""
    wants_visits = rng.random() < 0.75
    profile = ResidentProfile(
        wants_visits=wants_visits,
        wants_rides=(not wants_visits) or rng.random() < 0.5,
        uses_wheelchair=rng.random() < 0.08,
        uses_walker=rng.random() < 0.22,
        needs_escort=rng.random() < 0.15,
        hard_of_hearing=rng.random() < 0.2,
        health_notes=rng.choice(HEALTH_NOTES) if rng.random() < 0.2 else None,
        consent_given_at=datetime.now(UTC) - timedelta(days=rng.randint(1, 365)),
        consent_recorded_by_id=rng.choice(ctx.coordinators).id,
        consent_method=rng.choices(["phone", "paper", "online"], [80, 15, 5])[0],
    )
    if rng.random() < 0.3:
        relation = rng.choice(RELATIONS)
        first = rng.choice(["Giulia", "Marco", "Anna", "Paolo", "Sara", "Luca", "Chiara"])
        last = "Servizi Sociali" if relation == "assistente sociale" else person.last_name
        profile.guardian_name = f"{first} {last}"
        profile.guardian_relation = relation
        profile.guardian_phone = mobile(rng)
        if rng.random() < 0.8:
            slug = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
            profile.guardian_email = f"{slug}{person.id}@example.org"
    person.resident = profile
    return profile
