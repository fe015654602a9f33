"""What the coordinator decides about a request: priority, preferred volunteer, languages
and interests chosen from lists (a typed "Italiano" once made every volunteer ineligible)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident, make_volunteer
from tests.helpers import login, messages_to, post_form
from tests.shifts.builders import in_days, make_request, shifts_of, visit_draft
from webapp.extensions import db
from webapp.requests.models import Priority, Request
from webapp.shifts import operations as ops
from webapp.shifts.eligibility import ineligibility


def _visit(resident, **extra) -> dict:  # type: ignore[no-untyped-def]
    start = in_days(5)
    data = {
        "resident": resident.id, "kind": "visit", "start_date": start.isoformat(),
        "weekdays": [start.weekday()], "window_start": "10:00", "window_end": "12:00",
        "duration_minutes": "60", "purpose": "other", "passengers": "1",
    }  # fmt: skip
    data.update(extra)
    return data


def test_languages_interests_priority_and_preferred_volunteer_from_the_form(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    resident = make_resident(org)
    speaks_en = make_volunteer(org, languages=["en"], first_name="Emma", last_name="Brown")
    only_it = make_volunteer(org, languages=["it"])
    assert login(client, coord.email, PASSWORD).status_code == 302
    html = client.get("/requests/new").get_data(as_text=True)
    assert 'type="checkbox" value="it"' in html and "Italian" in html  # a picker, not text
    assert "Emma Brown" in html  # the preferred-volunteer picker
    data = _visit(
        resident,
        languages=["en", "ro"],
        interests=["cards"],
        priority="3",
        preferred_volunteer=str(speaks_en.id),
    )
    resp = post_form(client, "/requests/new", data)
    assert resp.status_code == 302
    req = db.session.scalars(sa.select(Request).where(Request.resident_id == resident.id)).one()
    assert req.languages == ["en", "ro"] and req.interests == ["cards"]
    assert req.priority == Priority.URGENT and req.preferred_volunteer_id == speaks_en.id
    shift = shifts_of(req)[0]
    assert ineligibility(speaks_en, shift) is None
    assert "speaks" in str(ineligibility(only_it, shift))
    page = client.get(resp.location).get_data(as_text=True)
    assert "Urgent" in page and "Emma Brown" in page and "English, Romanian" in page


def test_a_code_not_in_the_list_is_refused_next_to_the_field(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    resident = make_resident(org)
    login(client, coord.email, PASSWORD)
    resp = post_form(client, "/requests/new", _visit(resident, languages=["Italiano"]))
    assert resp.status_code == 200
    assert "not a valid choice" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Request)) == 0


def test_a_preferred_volunteer_of_another_organisation_is_refused(client, db_session):
    org, other = make_org(), make_org()
    coord = make_coordinator(org)
    resident = make_resident(org)
    stranger = make_volunteer(other)
    login(client, coord.email, PASSWORD)
    resp = post_form(
        client, "/requests/new", _visit(resident, preferred_volunteer=str(stranger.id))
    )
    assert resp.status_code == 200
    assert "Choose one of your volunteers." in resp.get_data(as_text=True)


def test_an_old_request_with_a_typed_language_is_flagged(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    req = make_request(org, visit_draft(languages=["Italiano"]), actor=coord)
    db.session.commit()
    login(client, coord.email, PASSWORD)
    html = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert "does not know (Italiano)" in html


def test_priority_and_preferred_volunteer_change_without_touching_the_shifts(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    req = make_request(org, visit_draft(notes="Ring twice"), actor=coord)
    vol = make_volunteer(org)
    ops.assign(shifts_of(req)[0], vol, coord)
    db.session.commit()
    before = [(s.id, s.status) for s in shifts_of(req)]
    login(client, coord.email, PASSWORD)
    url = f"/requests/{req.id}"
    resp = post_form(
        client,
        f"{url}/notes",
        {"notes": "Ring twice", "priority": "2", "preferred_volunteer": str(vol.id)},
        page=url,
    )
    assert resp.status_code == 302
    assert req.priority == Priority.HIGH and req.preferred_volunteer_id == vol.id
    assert [(s.id, s.status) for s in shifts_of(req)] == before
    assert messages_to(vol, "shift_changed") == []  # nothing for the volunteer to read
    # The change form too: only the priority differs, so the request stays.
    resp = post_form(
        client,
        f"{url}/change",
        {
            "start_date": req.start_date.isoformat(),
            "weekdays": [req.start_date.weekday()],
            "window_start": "10:00",
            "window_end": "12:00",
            "duration_minutes": "60",
            "notes": "Ring twice",
            "priority": "1",
            "preferred_volunteer": "0",
        },
    )
    assert resp.status_code == 302 and resp.location == url
    assert req.priority == Priority.NORMAL and req.preferred_volunteer_id is None
    assert [(s.id, s.status) for s in shifts_of(req)] == before
