"""Helpers for the people tests: known addresses, complete and valid form payloads, and
the error shown next to a field."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.shifts.builders import add_place
from webapp.extensions import db
from webapp.people.models import Person

HOME = "Corso Garibaldi 12, Isernia"
OTHER_HOME = "Via Roma 3, Isernia"


def add_address(org, address: str, lat: float = 41.5936, lon: float = 14.2325) -> None:  # type: ignore[no-untyped-def]
    add_place(org, address, lat, lon, hood="Centro storico")


def arranged() -> None:
    """Commit the test's set-up (only the fixture's savepoint: still rolled back after
    the test), so that a view's rollback after a bad form cannot undo it."""
    db.session.commit()


def people_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Person))


def volunteer_data(**overrides) -> dict:  # type: ignore[no-untyped-def]
    data = {
        "first_name": "Giulia",
        "last_name": "Bianchi",
        "email": "giulia@example.org",
        "password": "a long password 1",
        "consent": "y",
        "phone": "+39 333 1234567",
        "address": HOME,
        "offers": "both",
        "max_km": "7,5",
        "hours_per_week": "4",
        "car_seats": "3",
        "car_wheelchair": "y",
        "gender": "female",
        "languages": ["it", "en"],
        "interests": ["music", "walks"],
        "slots-0-weekday": "1",
        "slots-0-start": "09:00",
        "slots-0-end": "12:00",
        "slots-1-weekday": "1",
        "slots-1-start": "15:00",
        "slots-1-end": "18:00",
        "absences-0-start": "2030-08-01",
        "absences-0-end": "2030-08-15",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def resident_phone_data(**overrides) -> dict:  # type: ignore[no-untyped-def]
    data = {
        "first_name": "Maria",
        "last_name": "Verdi",
        "phone": "0865 412345",
        "address": OTHER_HOME,
        "wants_visits": "y",
        "uses_walker": "y",
        "hard_of_hearing": "y",
        "languages": ["it"],
        "interests": ["cards"],
        "guardian_name": "Luca Verdi",
        "guardian_relation": "son",
        "guardian_phone": "333 7654321",
        "guardian_email": "Luca@Example.org",
        "health_notes": "Diabetic; insulin at noon.",
        "consent": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def error_for(html: str, field_id: str) -> str:
    """The message shown next to ``field_id`` (the form macro's ``<id>-error``)."""
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">([^<]*)</p>', html)
    assert match, f"no error shown next to {field_id}"
    return match.group(1)
