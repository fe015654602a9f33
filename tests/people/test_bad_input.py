"""Bad input: a clear message next to the field, what was typed kept, nothing saved."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, make_coordinator, make_user
from tests.helpers import login, post_form
from tests.people.helpers import (
    HOME,
    arranged,
    error_for,
    people_count,
    resident_phone_data,
    volunteer_data,
)
from webapp.auth.models import User
from webapp.extensions import db
from webapp.people.models import Person
from webapp.places.models import GeocodeCache

CASES = [
    ({"first_name": ""}, "first_name", "This field is required."),
    ({"email": "not-an-email"}, "email", "Enter an e-mail like name@example.org."),
    ({"phone": "call me"}, "phone", "Enter a phone number with at least 6 digits"),
    ({"password": "short"}, "password", "at least 10 characters"),
    ({"offers": None}, "offers", "Choose what you can offer."),
    ({"max_km": "0"}, "max_km", "must be more than 0 km"),
    ({"max_km": "-3"}, "max_km", "must be more than 0 km"),
    ({"max_km": "150"}, "max_km", "at most 100 km"),
    ({"max_km": "lots"}, "max_km", "Enter a number."),
    ({"max_km": "nan"}, "max_km", "Enter a number."),
    ({"max_km": ""}, "max_km", "how many kilometres"),
    ({"hours_per_week": "0"}, "hours_per_week", "between 1 and 80"),
    ({"car_seats": ""}, "car_seats", "how many passengers"),
    ({"car_seats": "9"}, "car_seats", "between 1 and 8"),
    ({"car_seats": "2.5"}, "car_seats", "Enter a whole number."),
    ({"slots-1-end": "14:00"}, "slots-1-end", "must end after it starts"),
    ({"slots-1-start": "11:00"}, "slots-1-start", "overlaps another one on Tuesday (09:00-12:00)"),
    ({"slots-1-end": ""}, "slots-1-end", "Give the time this slot ends."),
    ({"slots-0-start": "9 o'clock"}, "slots-0-start", "Not a valid time value."),
    ({"absences-0-end": "2030-07-01"}, "absences-0-end", "cannot be before the first day"),
    ({"address": ""}, "address", "This field is required."),
]


@pytest.mark.parametrize("change,field,message", CASES, ids=[c[1] + ":" + str(c[0]) for c in CASES])
def test_volunteer_sign_up_bad_input(client, org, change, field, message):
    data = volunteer_data(**change)
    resp = post_form(client, f"/join/{org.slug}/volunteer", data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert message in error_for(html, field)
    assert people_count() == 0
    assert db.session.query(User).count() == 0
    # Everything typed is kept, including the address that was not found.
    assert 'value="Bianchi"' in html
    if field != "address":
        assert f'value="{HOME}"' in html


def test_unknown_address_keeps_everything_and_caches_nothing(client, org):
    data = volunteer_data(address="Via Inesistente 99, Isernia", max_km="0")
    html = post_form(client, f"/join/{org.slug}/volunteer", data).get_data(as_text=True)
    assert 'value="Via Inesistente 99, Isernia"' in html
    assert 'value="a long password 1"' in html
    assert 'value="15:00"' in html and 'value="2030-08-01"' in html
    assert db.session.query(GeocodeCache).count() == 0


def test_every_error_is_shown_at_once(client, org):
    data = volunteer_data(max_km="0", **{"slots-1-end": "08:00"}, phone="abc")
    html = post_form(client, f"/join/{org.slug}/volunteer", data).get_data(as_text=True)
    for field in ("max_km", "slots-1-end", "phone"):
        error_for(html, field)


def test_email_already_used(client, org):
    make_user(org, email="giulia@example.org")
    arranged()
    data = volunteer_data(email="Giulia@Example.org")
    html = post_form(client, f"/join/{org.slug}/volunteer", data).get_data(as_text=True)
    assert "already registered" in error_for(html, "email")
    assert people_count() == 0


def test_resident_must_consent_and_choose_help(client, org):
    data = {"first_name": "Rosa", "last_name": "Gialli", "phone": "0865 999888", "address": HOME}
    html = post_form(client, f"/join/{org.slug}/resident", data).get_data(as_text=True)
    assert "tick the box" in error_for(html, "consent")
    data.update(consent="y")
    html = post_form(client, f"/join/{org.slug}/resident", data).get_data(as_text=True)
    assert "Choose the help" in error_for(html, "wants_visits")
    data.update(wants_visits="y", password="a long password 9")
    html = post_form(client, f"/join/{org.slug}/resident", data).get_data(as_text=True)
    assert "Give your e-mail too" in error_for(html, "email")
    data.update(password="", email="rosa@example.org")
    html = post_form(client, f"/join/{org.slug}/resident", data).get_data(as_text=True)
    assert "Choose a password" in error_for(html, "password")
    assert people_count() == 0


def test_neighbour_must_give_or_ask(client, org):
    data = {
        "first_name": "Pino",
        "last_name": "Neri",
        "email": "pino@example.org",
        "password": "a long password 2",
        "phone": "0865 111222",
        "address": HOME,
        "consent": "y",
    }
    html = post_form(client, f"/join/{org.slug}/neighbour", data).get_data(as_text=True)
    assert "Tick what you can offer" in error_for(html, "offers_visits")
    assert people_count() == 0


@pytest.mark.parametrize(
    "change,field,message",
    [
        ({"consent": None}, "consent", "Ask for consent"),
        ({"first_name": ""}, "first_name", "This field is required."),
        ({"phone": ""}, "phone", "This field is required."),
        ({"guardian_email": "luca@"}, "guardian_email", "name@example.org"),
        ({"guardian_phone": "abc"}, "guardian_phone", "at least 6 digits"),
        ({"wants_visits": None}, "wants_visits", "Choose the help"),
    ],
)
def test_register_resident_bad_input(client, org, change, field, message):
    coordinator = make_coordinator(org)
    login(client, coordinator.email, PASSWORD)
    data = resident_phone_data(**change)
    resp = post_form(client, "/coordinator/residents/new", data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert message in error_for(html, field)
    assert people_count() == 0
    assert "Diabetic; insulin at noon." in html  # typed notes kept


def test_an_address_outside_the_town_list_does_not_block_sign_up(client, org):
    """The form's own example once was refused: an address the gazetteer does not know is
    kept without a pin, for a coordinator to place on the map."""
    data = volunteer_data(first_name="", address="Via Inesistente 99, Isernia")
    html = post_form(client, f"/join/{org.slug}/volunteer", data).get_data(as_text=True)
    assert "This field is required." in error_for(html, "first_name")
    assert 'id="address-error"' not in html
    assert db.session.query(GeocodeCache).count() == 0
    resp = post_form(
        client, f"/join/{org.slug}/volunteer", volunteer_data(address="Via Inesistente 99")
    )
    assert resp.status_code == 302
    person = db.session.query(Person).one()
    assert person.address == "Via Inesistente 99" and person.lat is None
    assert person.location_source is None
    done = client.get(resp.location).get_data(as_text=True)
    assert "could not find your address on our map" in done


def test_slot_and_distance_rules_are_reported_with_parse_errors(client, org):
    data = volunteer_data(email="", max_km="0", **{"slots-1-end": "08:00"})
    html = post_form(client, f"/join/{org.slug}/volunteer", data).get_data(as_text=True)
    assert "This field is required." in error_for(html, "email")
    assert "must end after it starts" in error_for(html, "slots-1-end")
    assert "more than 0 km" in error_for(html, "max_km")
    # The summary at the top names the row and the field.
    assert "Time slot 2, Until: The slot must end after it starts." in html
    # A number that did not parse gets only that message, not a second one.
    data = volunteer_data(email="", max_km="abc")
    html = post_form(client, f"/join/{org.slug}/volunteer", data).get_data(as_text=True)
    assert error_for(html, "max_km") == "Enter a number."
    assert people_count() == 0
