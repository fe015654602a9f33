"""The activity pages through the test client: a coordinator creates a day (errors
named next to the field), signs someone up on the phone, selects after confirming; a
resident applies and drops out; a volunteer signs up as a helper on the board."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from tests.activities.builders import CENTRE, applicant, make_activity
from tests.factories import (
    PASSWORD,
    make_coordinator,
    make_org,
    make_resident,
    make_user,
    make_volunteer,
)
from tests.helpers import login, post_form
from tests.shifts.builders import add_place
from webapp.activities.models import Activity, ApplicationStatus
from webapp.extensions import db


def test_coordinator_creates_selects_and_signs_up_on_the_phone(client, db_session):
    org = make_org()
    coordinator = make_coordinator(org)
    add_place(org, *CENTRE, hood="Centro storico")
    db.session.commit()
    login(client, coordinator.email, PASSWORD)
    day = (date.today() + timedelta(days=12)).isoformat()
    form = {
        "title": "Museum day", "place_name": "Museo", "address": CENTRE[0], "first_day": day,
        "start": "10:00", "duration_minutes": "180", "sessions": "1", "every_days": "14",
        "capacity": "0", "helpers_needed": "1", "weight_age": "3", "age_from": "75",
        "weight_alone": "3", "weight_income": "2", "weight_outlying": "2",
        "outlying": "Castelromano", "survey_months": "3",
    }  # fmt: skip
    resp = post_form(client, "/activities/new", form)
    assert resp.status_code == 200 and "capacity-error" in resp.get_data(as_text=True)
    resp = post_form(client, "/activities/new", {**form, "capacity": "1"})
    assert resp.status_code == 302
    act = db.session.scalar(sa.select(Activity).where(Activity.organisation_id == org.id))
    page = f"/activities/{act.id}"
    anna, bruno = make_resident(org, first_name="Anna"), make_resident(org, first_name="Bruno")
    db.session.commit()
    data = {"person_id": str(anna.id), "age": "81", "lives_alone": "y", "income": "low"}
    resp = post_form(client, f"{page}/phone", data, page=page)
    assert resp.status_code == 302
    resp = post_form(client, f"{page}/phone", {"person_id": str(bruno.id), "age": "abc",
                                               "income": "low"}, page=page)  # fmt: skip
    assert resp.status_code == 400 and "Enter a whole number." in resp.get_data(as_text=True)
    post_form(client, f"{page}/phone", {"person_id": str(bruno.id), "age": "70",
                                        "income": "unknown"}, page=page)  # fmt: skip
    # Select: asks once, saying what it will do; then does it.
    resp = post_form(client, f"{page}/select", {}, page=page)
    assert "1 of the 2 applicants will be selected" in resp.get_data(as_text=True)
    assert act.selected_at is None
    resp = post_form(client, f"{page}/select", {"confirm": "yes"}, page=page)
    html = client.get(page).get_data(as_text=True)
    db.session.refresh(act)
    assert act.selected_at is not None
    assert "8 points: aged 75 or more (+3), lives alone (+3), low income (+2)" in html
    statuses = {a.person_id: a.status for a in act.applications}
    assert statuses == {anna.id: ApplicationStatus.SELECTED, bruno.id: ApplicationStatus.WAITING}


def test_resident_applies_and_drops_out(client, db_session):
    org = make_org()
    act = make_activity(org, capacity=1)
    person = make_resident(org)
    user = make_user(org, person=person)
    db.session.commit()
    login(client, user.email, PASSWORD)
    assert "Walk in the park" in client.get("/activities/").get_data(as_text=True)
    resp = post_form(client, f"/activities/{act.id}/apply", {"age": "200", "income": "low"})
    assert "Give an age between 1 and 129." in resp.get_data(as_text=True)
    resp = post_form(client, f"/activities/{act.id}/apply", {"age": "80", "income": "low"})
    assert resp.status_code == 302
    app = act.applications[0]
    html = client.get("/activities/").get_data(as_text=True)
    assert "My applications" in html
    resp = post_form(client, f"/activities/applications/{app.id}/drop-out", {},
                     page="/activities/")  # fmt: skip
    db.session.refresh(app)
    assert app.status == ApplicationStatus.WITHDRAWN


def test_volunteer_helps_from_the_board(client, db_session):
    org = make_org()
    act = make_activity(org, helpers_needed=1)
    applicant(org, act)
    vol = make_volunteer(org)
    db.session.commit()
    login(client, vol.user.email, PASSWORD)
    html = client.get("/shifts/board").get_data(as_text=True)
    assert "Helper at Walk in the park" in html
    post_form(client, f"/activities/{act.id}/help", {}, page="/shifts/board")
    db.session.refresh(act)
    assert [h.person_id for h in act.helpers] == [vol.id]
    assert "I can&#39;t help after all" in client.get("/shifts/board").get_data(as_text=True)
