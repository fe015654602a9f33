"""Factory functions: build valid objects with sensible defaults; override what matters."""

from __future__ import annotations

import itertools
from datetime import date, time, timedelta

from webapp.auth.models import Role, User
from webapp.auth.passwords import hash_password
from webapp.extensions import db
from webapp.orgs.models import Organisation
from webapp.people.models import (
    AvailabilitySlot,
    Credential,
    CredentialKind,
    Person,
    ResidentProfile,
    VolunteerProfile,
    VolunteerStatus,
)

PASSWORD = "correct horse battery"
_HASH = hash_password(PASSWORD)  # hashing is deliberately slow: do it once
_seq = itertools.count(1)

ISERNIA = (41.5936, 14.2325)


def make_org(name: str | None = None) -> Organisation:
    n = next(_seq)
    org = Organisation(
        name=name or f"Comune {n}", slug=f"comune-{n}", centre_lat=ISERNIA[0], centre_lon=ISERNIA[1]
    )
    db.session.add(org)
    db.session.flush()
    return org


def make_user(
    org: Organisation | None,
    role: Role = Role.MEMBER,
    *,
    person: Person | None = None,
    email: str | None = None,
) -> User:
    user = User(
        email=email or f"user{next(_seq)}@example.org",
        password_hash=_HASH,
        role=role,
        organisation_id=org.id if org else None,
        person_id=person.id if person else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_coordinator(org: Organisation, email: str | None = None) -> User:
    return make_user(org, Role.COORDINATOR, email=email)


def make_person(org: Organisation, **kw) -> Person:  # type: ignore[no-untyped-def]
    n = next(_seq)
    defaults = dict(
        first_name=f"Anna{n}",
        last_name="Rossi",
        phone=f"+39 0865 {n:06d}",
        address=f"Corso Garibaldi {n}, Isernia",
        lat=ISERNIA[0],
        lon=ISERNIA[1],
        neighbourhood="Centro storico",
        location_source="manual",
        languages=["it"],
        interests=[],
    )
    defaults.update(kw)
    person = Person(organisation_id=org.id, **defaults)
    db.session.add(person)
    db.session.flush()
    return person


def make_volunteer(
    org: Organisation,
    *,
    visits: bool = True,
    driving: bool = False,
    status: VolunteerStatus = VolunteerStatus.APPROVED,
    credentials: bool = True,
    with_user: bool = True,
    max_km: float = 10.0,
    seats: int | None = None,
    wheelchair: bool = False,
    **person_kw,
) -> Person:  # type: ignore[no-untyped-def]
    person = make_person(org, is_volunteer=True, **person_kw)
    person.volunteer = VolunteerProfile(
        offers_visits=visits,
        offers_driving=driving,
        max_km=max_km,
        hours_per_week=4,
        car_seats=seats if seats is not None else (3 if driving else None),
        car_wheelchair=wheelchair,
        status=status,
    )
    for weekday in range(7):
        person.slots.append(AvailabilitySlot(weekday=weekday, start=time(8), end=time(20)))
    if credentials:
        today = date.today()
        kinds = [CredentialKind.IDENTITY]
        if visits:
            kinds.append(CredentialKind.BACKGROUND_CHECK)
        if driving:
            kinds += [CredentialKind.DRIVING_LICENCE, CredentialKind.INSURANCE]
        for kind in kinds:
            person.credentials.append(
                Credential(
                    kind=kind,
                    checked_on=today - timedelta(days=30),
                    expires_on=today + timedelta(days=365),
                )
            )
    db.session.flush()
    if with_user:
        make_user(org, person=person)
    return person


def make_resident(org: Organisation, **person_kw) -> Person:  # type: ignore[no-untyped-def]
    person = make_person(org, is_resident=True, **person_kw)
    person.resident = ResidentProfile(wants_visits=True, wants_rides=True)
    db.session.flush()
    return person
