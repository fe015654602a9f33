from __future__ import annotations

from datetime import date, time

import sqlalchemy as sa

from tests.factories import PASSWORD, make_org, make_resident, make_user, make_volunteer
from tests.helpers import csrf_from, login, post_form
from tests.people.helpers import HOME, OTHER_HOME, people_count, volunteer_data
from webapp.auth.models import Role, User
from webapp.extensions import db
from webapp.people.eligibility import can_serve
from webapp.people.models import Person, VolunteerStatus


def _person(email: str) -> Person:
    return db.session.scalar(sa.select(Person).where(Person.email == email))


def test_volunteer_signs_up_and_waits_for_approval(client, org):
    url = f"/join/{org.slug}/volunteer"
    resp = post_form(client, url, volunteer_data(), follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "waiting for a coordinator" in html
    person = _person("giulia@example.org")
    assert person.is_volunteer and person.organisation_id == org.id
    assert person.location_source == "gazetteer" and person.lat == 41.5936
    v = person.volunteer
    assert v.status == VolunteerStatus.PENDING
    assert (v.offers_visits, v.offers_driving, v.max_km, v.car_seats, v.car_wheelchair) == (
        True, True, 7.5, 3, True,
    )  # fmt: skip
    assert [(s.weekday, s.start, s.end) for s in person.slots] == [
        (1, time(9), time(12)),
        (1, time(15), time(18)),
    ]
    assert [(a.start, a.end) for a in person.absences] == [(date(2030, 8, 1), date(2030, 8, 15))]
    assert person.languages == ["it", "en"] and person.interests == ["music", "walks"]
    assert person.user.role == Role.MEMBER and person.user.email == "giulia@example.org"
    # Pending: never matchable, whatever the credentials.
    assert not can_serve(person, "visit", date(2030, 1, 7))
    # Logged in straight away: "My details" shows the waiting status.
    assert "Awaiting approval" in client.get("/me").get_data(as_text=True)


def test_add_another_slot_rerenders_without_saving(client, org):
    url = f"/join/{org.slug}/volunteer"
    resp = post_form(client, url, volunteer_data(add_slot="1"))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'name="slots-2-start"' in html  # a third row
    assert 'value="15:00"' in html  # what was typed is kept
    assert people_count() == 0


def test_neighbour_who_gives_and_asks_holds_both_roles(client, org):
    data = {
        "first_name": "Pino",
        "last_name": "Neri",
        "email": "pino@example.org",
        "password": "a long password 2",
        "phone": "0865 111222",
        "address": HOME,
        "offers_visits": "y",
        "wants_rides": "y",
        "max_km": "1",
        "hours_per_week": "2",
        "slots-0-weekday": "5",
        "slots-0-start": "10:00",
        "slots-0-end": "12:00",
        "consent": "y",
    }
    resp = post_form(client, f"/join/{org.slug}/neighbour", data)
    assert resp.status_code == 302
    person = _person("pino@example.org")
    assert person.is_neighbour and not person.is_volunteer
    assert person.volunteer.offers_visits and person.volunteer.status == VolunteerStatus.PENDING
    assert person.resident.wants_rides and not person.resident.wants_visits
    assert person.resident.consent_method == "online" and person.resident.consent_given_at


def test_neighbour_who_only_asks_gets_no_volunteer_profile(client, org):
    data = {
        "first_name": "Ada",
        "last_name": "Neri",
        "email": "ada@example.org",
        "password": "a long password 3",
        "phone": "0865 111223",
        "address": HOME,
        "wants_visits": "y",
        "consent": "y",
    }
    assert post_form(client, f"/join/{org.slug}/neighbour", data).status_code == 302
    person = _person("ada@example.org")
    assert person.volunteer is None and person.resident.wants_visits


def test_resident_without_email_gets_no_login_and_a_phone_call(client, org):
    data = {
        "first_name": "Rosa",
        "last_name": "Gialli",
        "phone": "0865 999888",
        "address": OTHER_HOME,
        "wants_visits": "y",
        "consent": "y",
    }
    resp = post_form(client, f"/join/{org.slug}/resident", data, follow_redirects=True)
    assert "will call you" in resp.get_data(as_text=True)
    person = db.session.scalar(sa.select(Person).where(Person.last_name == "Gialli"))
    assert person.is_resident and person.user is None
    assert person.resident.consent_method == "online"
    assert person.resident.consent_recorded_by_id is None


def test_resident_with_email_can_log_in(client, org):
    data = {
        "first_name": "Rosa",
        "last_name": "Blu",
        "phone": "0865 999887",
        "address": OTHER_HOME,
        "wants_rides": "y",
        "email": "rosa@example.org",
        "password": "a long password 4",
        "consent": "y",
    }
    assert post_form(client, f"/join/{org.slug}/resident", data).status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "rosa@example.org"))
    assert user.person.resident.wants_rides


def test_choose_organisation_then_sign_up(client, org):
    make_org("Comune di Venafro")
    html = client.get("/join/volunteer").get_data(as_text=True)
    assert "Comune di Isernia" in html and "Comune di Venafro" in html
    resp = client.get(f"/join/volunteer?organisation={org.slug}")
    assert resp.status_code == 302 and resp.location.endswith(f"/join/{org.slug}/volunteer")
    resp = client.get("/join/volunteer?organisation=nowhere")
    assert "Choose your municipality" in resp.get_data(as_text=True)
    assert client.get("/join/nowhere/volunteer").status_code == 404


def test_member_edits_slots_absences_and_address(client, org):
    person = make_volunteer(org, driving=True)
    login(client, person.user.email, PASSWORD)
    html = client.get("/me").get_data(as_text=True)
    assert 'name="slots-7-start"' in html  # seven saved slots plus an empty row
    data = volunteer_data(email=person.user.email, password=None, address=OTHER_HOME)
    resp = post_form(client, "/me", data)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    db.session.refresh(person)
    assert len(person.slots) == 2 and len(person.absences) == 1
    assert person.address == OTHER_HOME and person.lat == 41.6  # re-geocoded
    assert person.volunteer.status == VolunteerStatus.APPROVED  # editing keeps the status


def test_member_edit_keeps_a_hand_placed_pin_when_address_is_unchanged(client, org):
    person = make_volunteer(org, address=HOME, lat=41.0, lon=14.0)
    login(client, person.user.email, PASSWORD)
    post_form(client, "/me", volunteer_data(email=person.user.email, password=None))
    db.session.refresh(person)
    assert (person.lat, person.lon, person.location_source) == (41.0, 14.0, "manual")


def test_resident_member_edits_needs(client, org):
    resident = make_resident(org)
    user = make_user(org, person=resident)
    login(client, user.email, PASSWORD)
    html = client.get("/me").get_data(as_text=True)
    assert 'name="uses_walker"' in html and 'name="slots-0-start"' not in html
    data = {
        "first_name": resident.first_name,
        "last_name": "Nuovo",
        "phone": "0865 121212",
        "address": HOME,
        "email": user.email,
        "wants_rides": "y",
        "uses_walker": "y",
    }
    assert post_form(client, "/me", data).status_code == 302
    db.session.refresh(resident)
    assert resident.last_name == "Nuovo" and resident.resident.uses_walker
    assert not resident.resident.wants_visits


def test_sign_up_page_in_italian(client, org):
    html = client.get("/").get_data(as_text=True)
    client.post("/language", data={"csrf_token": csrf_from(html), "locale": "it"})
    html = client.get(f"/join/{org.slug}/volunteer").get_data(as_text=True)
    assert "Diventa volontario" in html and "Aggiungi un'altra fascia oraria" in html
    resp = post_form(client, f"/join/{org.slug}/volunteer", volunteer_data(max_km="500"))
    assert "La distanza può essere al massimo di 100 km." in resp.get_data(as_text=True)
