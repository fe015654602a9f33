"""A person's export (JSON and CSV): everything about them, nothing about others; from
their own page and from the coordinator's. Consent for volunteers as for residents,
and its withdrawal."""

from __future__ import annotations

import csv
import io
import json

import sqlalchemy as sa

from tests.factories import (
    PASSWORD,
    make_coordinator,
    make_org,
    make_resident,
    make_user,
    make_volunteer,
)
from tests.helpers import csrf_from, login, post_form
from tests.people.helpers import HOME, add_address
from tests.shifts.builders import in_days, make_request, shifts_of, visit_draft
from webapp.audit.models import AuditEvent
from webapp.core.errors import FieldError
from webapp.extensions import db
from webapp.orgs.models import Organisation
from webapp.people.eligibility import can_serve
from webapp.people.operations import sign_up
from webapp.privacy import consent
from webapp.requests.models import Request
from webapp.shifts import operations as ops


def _world():  # type: ignore[no-untyped-def]
    org = make_org()
    coordinator = make_coordinator(org)
    resident = make_resident(org, first_name="Ida", last_name="Verdimare", address="Via Lontana 3")
    resident.resident.health_notes = "asthma"
    resident_login = make_user(org, person=resident, email="ida@example.org")
    volunteer = make_volunteer(org, first_name="Marco", last_name="Biancospino")
    req = make_request(org, visit_draft(in_days(4)), resident=resident, actor=coordinator)
    req.notes = "Ring twice at Via Lontana 3"
    (shift,) = shifts_of(req)
    ops.assign(shift, volunteer, coordinator)
    db.session.commit()
    return org, coordinator, resident, resident_login, volunteer, shift


def test_a_member_downloads_their_data_as_json_and_csv(client, db_session):
    org, coordinator, resident, resident_login, volunteer, shift = _world()
    login(client, resident_login.email, PASSWORD)
    page = client.get("/privacy/me").get_data(as_text=True)
    assert "Download my data (JSON)" in page
    resp = client.get("/privacy/me/export.json")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    assert resp.headers["Cache-Control"] == "no-store"
    data = json.loads(resp.get_data(as_text=True))
    assert data["person"]["first_name"] == "Ida"
    assert data["resident_profile"]["health_notes"] == "asthma"  # Art. 15: their own data
    assert data["login"]["email"] == "ida@example.org"
    assert data["requests"][0]["notes"] == "Ring twice at Via Lontana 3"
    assert len(data["visits_and_rides_received"]) == 1
    text = resp.get_data(as_text=True)
    assert "Biancospino" not in text and "Marco" not in text  # nothing about the volunteer
    assert "password_hash" not in text and "token_hash" not in text
    rows = list(
        csv.reader(io.StringIO(client.get("/privacy/me/export.csv").get_data(as_text=True)))
    )
    assert rows[0] == ["section", "field", "value"]
    assert ["person", "first_name", "Ida"] in rows
    assert ["resident_profile", "health_notes", "asthma"] in rows


def test_a_volunteers_export_keeps_the_resident_out(client, db_session):
    org, coordinator, resident, resident_login, volunteer, shift = _world()
    login(client, volunteer.user.email, PASSWORD)
    text = client.get("/privacy/me/export.json").get_data(as_text=True)
    data = json.loads(text)
    assert data["person"]["last_name"] == "Biancospino"
    assert data["visits_and_rides_given"][0]["shift_id"] == shift.id
    for other in ("Verdimare", "Via Lontana", "asthma", "Ring twice"):
        assert other not in text, other


def test_a_coordinator_exports_and_it_is_written_down(client, db_session):
    org, coordinator, resident, resident_login, volunteer, shift = _world()
    login(client, coordinator.email, PASSWORD)
    assert "Export (CSV)" in client.get(f"/privacy/people/{resident.id}").get_data(as_text=True)
    resp = client.get(f"/privacy/people/{resident.id}/export.json")
    assert json.loads(resp.get_data(as_text=True))["person"]["last_name"] == "Verdimare"
    assert client.get(f"/privacy/people/{resident.id}/export.xml").status_code == 404
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.person_id == resident.id)
    ).all()
    assert "person.exported" in actions
    other = make_org()
    stranger = make_resident(other)
    db.session.commit()
    assert client.get(f"/privacy/people/{stranger.id}/export.json").status_code == 404


def test_volunteers_give_consent_when_they_sign_up(db_session):
    org = make_org()
    add_address(org, HOME)
    data = {
        "first_name": "Lia",
        "last_name": "Neri",
        "phone": "+39 0865 1",
        "address": HOME,
        "email": "lia@example.org",
        "password": "a long enough password",
        "password_repeat": "a long enough password",
        "offers_visits": True,
        "offers_driving": False,
        "max_km": 5,
        "hours_per_week": 2,
    }
    person = sign_up(db.session.get(Organisation, org.id), "volunteer", data)
    assert person.volunteer.consent_given_at is not None
    assert person.volunteer.consent_method == "online"


def test_withdrawing_consent_lets_go_and_stops_matching(client, db_session):
    org, coordinator, resident, resident_login, volunteer, shift = _world()
    assert can_serve(volunteer, "visit", shift.occurrence_date)
    login(client, volunteer.user.email, PASSWORD)
    page = client.get("/privacy/me").get_data(as_text=True)
    token = csrf_from(page)
    assert client.post("/privacy/me/withdraw", data={"csrf_token": token}).status_code == 400
    resp = client.post("/privacy/me/withdraw", data={"csrf_token": token, "confirm": "y"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert volunteer.volunteer.consent_withdrawn_at is not None
    assert volunteer.id not in shift.volunteer_ids  # the shift they held is offered again
    assert not can_serve(volunteer, "visit", shift.occurrence_date)
    assert (
        "consent.withdrawn"
        in db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.person_id == volunteer.id)
        ).all()
    )
    consent.give(volunteer, coordinator, "phone")
    assert volunteer.volunteer.consent_withdrawn_at is None
    assert can_serve(volunteer, "visit", shift.occurrence_date)


def test_a_coordinator_records_a_withdrawal_by_phone(client, db_session):
    org, coordinator, resident, resident_login, volunteer, shift = _world()
    login(client, coordinator.email, PASSWORD)
    token = csrf_from(client.get(f"/privacy/people/{resident.id}").get_data(as_text=True))
    resp = client.post(
        f"/privacy/people/{resident.id}/consent",
        data={"csrf_token": token, "action": "withdraw", "method": "phone"},
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert resident.resident.consent_withdrawn_at is not None
    assert all(r.status.value == "cancelled" for r in resident_requests(resident.id))
    bad = client.post(f"/privacy/people/{resident.id}/consent", data={"csrf_token": token})
    assert bad.status_code == 400 and "Choose given or withdrawn." in bad.get_data(as_text=True)


def resident_requests(person_id: int):  # type: ignore[no-untyped-def]
    return db.session.scalars(sa.select(Request).where(Request.resident_id == person_id)).all()


def test_after_withdrawing_no_new_request_until_consent_is_given_again(client, db_session):
    org, coordinator, resident, resident_login, volunteer, shift = _world()
    consent.withdraw(resident, coordinator)
    db.session.commit()
    # The resident, asking online: told why, and where to give consent again.
    login(client, resident_login.email, PASSWORD)
    resp = post_form(
        client,
        "/requests/help/visit",
        {"start_date": in_days(6).isoformat(), "part_of_day": "morning"},
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, html
    assert "You withdrew your consent" in html
    assert not [r for r in resident_requests(resident.id) if r.status.value != "cancelled"]
    # A coordinator on the phone: told to record consent first; then it goes through.
    draft = visit_draft(in_days(6))
    try:
        make_request(org, draft, resident=resident, actor=coordinator)
    except FieldError as exc:
        assert "withdrew their consent" in str(exc.errors["resident"])
    else:
        raise AssertionError("a request was made without consent")
    db.session.rollback()
    consent.give(resident, coordinator, "phone")
    db.session.commit()
    req = make_request(org, visit_draft(in_days(6)), resident=resident, actor=coordinator)
    assert req.id is not None
