"""Coordinators manage volunteers: one who phones in, their hours, availability and
absences, and roles added or removed after sign-up."""

from __future__ import annotations

from datetime import date, time

import pytest

from tests.factories import (
    PASSWORD,
    make_coordinator,
    make_org,
    make_resident,
    make_user,
    make_volunteer,
)
from tests.helpers import csrf_token, login, notices_to, post_form
from tests.people.helpers import HOME, add_address, volunteer_data
from tests.shifts.builders import make_request, shifts_of, visit_draft
from webapp.extensions import db
from webapp.people.models import Person, VolunteerStatus
from webapp.requests.models import RequestStatus
from webapp.shifts import operations as ops
from webapp.shifts.models import ShiftStatus


@pytest.fixture
def desk(client, db_session):  # type: ignore[no-untyped-def]
    org = make_org("Comune di Isernia")
    add_address(org, HOME)
    coord = make_coordinator(org, email="c-vol@example.org")
    db.session.commit()
    login(client, "c-vol@example.org", PASSWORD)
    return org, coord


def _phone_data(**changes):  # type: ignore[no-untyped-def]
    data = volunteer_data(**{"email": "", "password": None, "consent": "y", **changes})
    return {k: v for k, v in data.items() if v != ""}


def test_a_volunteer_who_phones_in_is_registered_pending(client, desk):
    org, _ = desk
    html = client.get("/coordinator/volunteers").get_data(as_text=True)
    assert "/coordinator/volunteers/new" in html
    resp = post_form(client, "/coordinator/volunteers/new", _phone_data(consent=None))
    assert "Ask for consent" in resp.get_data(as_text=True)
    resp = post_form(client, "/coordinator/volunteers/new", _phone_data())
    assert resp.status_code == 302
    person = db.session.query(Person).filter_by(last_name="Bianchi").one()
    assert resp.location == f"/coordinator/people/{person.id}"
    assert person.is_volunteer and person.volunteer.status == VolunteerStatus.PENDING
    assert person.user is None and person.volunteer.max_km == 7.5
    assert [(s.weekday, s.start) for s in person.slots] == [(1, time(9)), (1, time(15))]
    # An address outside the town's list: registered all the same, then to the map.
    resp = post_form(
        client,
        "/coordinator/volunteers/new",
        _phone_data(first_name="Piero", address="Contrada Colle 3, Pesche"),
    )
    piero = db.session.query(Person).filter_by(first_name="Piero").one()
    assert resp.location == f"/coordinator/people/{piero.id}/map" and piero.lat is None


def test_the_coordinator_edits_hours_availability_and_absences(client, desk):
    org, _ = desk
    vol = make_volunteer(org)
    db.session.commit()
    url = f"/coordinator/people/{vol.id}/volunteering"
    page = client.get(url).get_data(as_text=True)
    assert 'value="08:00"' in page  # the saved slots are prefilled
    data = {
        "first_name": vol.first_name,
        "last_name": vol.last_name,
        "phone": vol.phone,
        "address": vol.address,
        "offers": "visits",
        "max_km": "3",
        "hours_per_week": "6",
        "gender": "",
        "slots-0-weekday": "2",
        "slots-0-start": "14:00",
        "slots-0-end": "17:00",
        "absences-0-start": "2031-01-10",
        "absences-0-end": "2031-01-20",
    }
    bad = post_form(client, url, {**data, "slots-0-end": "13:00"})
    assert "must end after it starts" in bad.get_data(as_text=True)
    assert len(vol.slots) == 7  # nothing saved
    resp = post_form(client, url, data)
    assert resp.status_code == 302
    db.session.refresh(vol)
    assert vol.volunteer.hours_per_week == 6 and vol.volunteer.max_km == 3
    assert [(s.weekday, s.start, s.end) for s in vol.slots] == [(2, time(14), time(17))]
    assert [(a.start, a.end) for a in vol.absences] == [(date(2031, 1, 10), date(2031, 1, 20))]


def test_a_volunteer_who_later_needs_help_and_back(client, desk):
    org, coord = desk
    vol = make_volunteer(org)
    req_other = make_request(org, visit_draft(), actor=coord)
    ops.assign(shifts_of(req_other)[0], vol, coord)
    db.session.commit()
    url = f"/coordinator/people/{vol.id}/roles/resident"
    resp = post_form(client, url, {})
    assert "Ask for consent" in resp.get_data(as_text=True)
    resp = post_form(client, url, {"consent": "y"})
    assert resp.status_code == 302
    db.session.refresh(vol)
    assert vol.is_resident and vol.resident.consent_method == "phone"
    # Now a request can be made for them, and the volunteering can be taken away.
    own = make_request(org, visit_draft(), resident=vol, actor=coord)
    db.session.commit()
    page = client.get(f"/coordinator/people/{vol.id}/roles/volunteer").get_data(as_text=True)
    assert "given back" in page  # says what it will do before doing it
    resp = post_form(client, f"/coordinator/people/{vol.id}/roles/volunteer", {})
    assert resp.status_code == 302
    db.session.refresh(vol)
    assert not vol.is_volunteer and vol.volunteer is None and vol.credentials
    held = shifts_of(req_other)[0]
    assert held.status == ShiftStatus.OPEN and held.assignments == []
    assert [n.kind for n in notices_to(vol)] == ["shift_released"]
    # The last role cannot go; the resident role can once volunteering is back.
    resp = post_form(client, f"/coordinator/people/{vol.id}/roles/resident", {})
    assert "keeps at least one role" in resp.get_data(as_text=True)
    post_form(client, f"/coordinator/people/{vol.id}/roles/volunteer", {})
    db.session.refresh(vol)
    assert vol.is_volunteer and vol.volunteer.status == VolunteerStatus.PENDING
    post_form(client, f"/coordinator/people/{vol.id}/roles/resident", {})
    db.session.refresh(vol)
    assert not vol.is_resident and vol.resident is None
    assert own.status == RequestStatus.CANCELLED


def test_a_resident_who_starts_to_give_goes_to_the_volunteering_form(client, desk):
    org, _ = desk
    resident = make_resident(org)
    db.session.commit()
    resp = post_form(client, f"/coordinator/people/{resident.id}/roles/volunteer", {})
    assert resp.location == f"/coordinator/people/{resident.id}/volunteering"
    db.session.refresh(resident)
    assert resident.is_volunteer and resident.volunteer.status == VolunteerStatus.PENDING


def test_only_the_organisations_coordinators_manage_volunteers(client, db_session):
    org, other = make_org(), make_org()
    vol = make_volunteer(org, with_user=False)
    make_user(org, person=vol, email="v-self@example.org")
    make_coordinator(other, email="c-else@example.org")
    db.session.commit()
    urls = [
        f"/coordinator/people/{vol.id}/volunteering",
        f"/coordinator/people/{vol.id}/roles/resident",
        f"/coordinator/people/{vol.id}/map",
    ]
    login(client, "c-else@example.org", PASSWORD)
    token = csrf_token(client)
    for url in urls:
        assert client.get(url).status_code == 404
        assert client.post(url, data={"csrf_token": token, "consent": "y"}).status_code == 404
    client.post("/logout", data={"csrf_token": token})
    login(client, "v-self@example.org", PASSWORD)
    token = csrf_token(client)
    for url in [*urls, "/coordinator/volunteers/new"]:
        assert client.post(url, data={"csrf_token": token, "consent": "y"}).status_code == 403
