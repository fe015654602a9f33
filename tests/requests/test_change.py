"""Changing a request's date, time or place through the web (CSRF on)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.factories import (
    PASSWORD,
    make_coordinator,
    make_org,
    make_resident,
    make_user,
    make_volunteer,
)
from tests.helpers import csrf_token, login, messages_to, notices_to, post_form
from tests.shifts.builders import (
    HOSPITAL,
    in_days,
    make_request,
    requests_of,
    ride_draft,
    shifts_of,
    visit_draft,
)
from webapp.extensions import db
from webapp.requests.models import RequestStatus
from webapp.shifts import operations as ops
from webapp.shifts.models import ShiftStatus

S = ShiftStatus


def _booked_visit(org):  # type: ignore[no-untyped-def]
    """A one-off visit in 5 days, 10:00-12:00, with a volunteer approved on it."""
    coord = make_coordinator(org)
    req = make_request(org, visit_draft(notes="Ring twice"), actor=coord)
    vol = make_volunteer(org)
    ops.assign(shifts_of(req)[0], vol, coord)
    db.session.commit()  # a refused form rolls the view back: keep the set-up
    return req, vol, coord


def _visit_form(req, **changes) -> dict:  # type: ignore[no-untyped-def]
    """What the prefilled form sends back when submitted as it is (plus ``changes``)."""
    data = {
        "start_date": req.start_date.isoformat(),
        "weekdays": [req.start_date.weekday()],
        "window_start": "10:00",
        "window_end": "12:00",
        "duration_minutes": "60",
        "gender_preference": "",
        "notes": "Ring twice",  # no ride fields: they are not on a visit's page
    }
    data.update(changes)
    return data


def _on(day) -> dict:  # type: ignore[no-untyped-def]
    return {"start_date": day.isoformat(), "weekdays": [day.weekday()]}


def _value(html: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    return match.group(1) if match else None


def _login_coordinator(client, coord) -> None:  # type: ignore[no-untyped-def]
    assert login(client, coord.email, PASSWORD).status_code == 302


def test_the_form_is_prefilled_with_the_request(client, db_session):
    org = make_org()
    req, _vol, coord = _booked_visit(org)
    _login_coordinator(client, coord)
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert f'href="/requests/{req.id}/change"' in page
    html = client.get(f"/requests/{req.id}/change").get_data(as_text=True)
    assert "Change date, time or place" in html
    assert f'value="{req.start_date.isoformat()}"' in html
    assert (_value(html, "window_start"), _value(html, "window_end")) == ("10:00", "12:00")
    assert f'checked id="weekdays-{req.start_date.weekday()}"' in html
    assert "Ring twice" in html
    assert 'name="resident"' not in html and 'name="kind"' not in html
    assert 'id="destination_address"' not in html  # a visit: no ride fields


def test_a_ride_is_prefilled_with_its_destination_and_return(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    req = make_request(org, ride_draft(), actor=coord)
    db.session.commit()
    _login_coordinator(client, coord)
    html = client.get(f"/requests/{req.id}/change").get_data(as_text=True)
    assert f'value="{HOSPITAL[0]}"' in html and 'value="11:00"' in html
    assert _value(html, "stay_minutes") == "60" and 'checked id="return_wanted"' in html
    assert _value(html, "pickup_address") == ""  # the resident's home


def test_a_new_time_makes_a_new_request_and_tells_the_volunteer(client, db_session):
    org = make_org()
    req, vol, coord = _booked_visit(org)
    old_shifts = shifts_of(req)
    _login_coordinator(client, coord)
    url = f"/requests/{req.id}/change"
    resp = post_form(client, url, _visit_form(req, window_start="15:00", window_end="17:00"))
    assert resp.status_code == 302
    old, new = requests_of(req.resident)
    assert resp.location == f"/requests/{new.id}"
    assert old.status == RequestStatus.CANCELLED and old.cancel_reason == "request changed"
    assert all(s.status == S.CANCELLED for s in old_shifts)
    assert {s.cancel_reason for s in old_shifts} == {"request changed"}
    (notice,) = notices_to(vol)
    assert notice.kind == "shift_cancelled" and "Reason: request changed" in notice.body
    assert new.status == RequestStatus.ACTIVE and new.notes == "Ring twice"
    assert [(w.start.hour, w.end.hour) for w in new.windows] == [(15, 17)]
    assert [s.status for s in shifts_of(new)] == [S.OPEN]
    html = client.get(resp.location).get_data(as_text=True)
    assert "future shifts were cancelled and their volunteers were told" in html
    # The old request's page says it was cancelled and offers no change any more.
    html = client.get(f"/requests/{old.id}").get_data(as_text=True)
    assert "request changed" in html and f"/requests/{old.id}/change" not in html


def test_the_preferred_volunteer_stays(client, db_session):
    org = make_org()
    req, vol, coord = _booked_visit(org)
    req.preferred_volunteer_id = vol.id
    db.session.commit()
    _login_coordinator(client, coord)
    post_form(client, f"/requests/{req.id}/change", _visit_form(req, window_start="09:00"))
    assert requests_of(req.resident)[-1].preferred_volunteer_id == vol.id


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"window_end": "09:00"}, "must end after it starts"),
        ({"window_end": "10:30"}, "shorter than the visit"),
        ({"weekdays": []}, "at least one day of the week"),
        ({"start_date": ""}, "Please fill this in."),
        (_on(in_days(-1)), "already in the past"),
        (_on(in_days(1)), "give a reason for the urgent booking"),
        ({"duration_minutes": "abc"}, "Not a valid integer value"),
    ],
)
def test_a_refused_change_keeps_the_input_and_the_old_shifts(client, db_session, changes, words):
    org = make_org()
    req, vol, coord = _booked_visit(org)
    _login_coordinator(client, coord)
    data = _visit_form(req, notes="Bring the photo album", window_start="10:00", **changes)
    resp = post_form(client, f"/requests/{req.id}/change", data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert words in html and "Please correct the fields marked below." in html
    assert "Bring the photo album" in html  # nothing the coordinator typed is lost
    db.session.expire_all()
    assert len(requests_of(req.resident)) == 1
    assert [s.status for s in shifts_of(req)] == [S.APPROVED]
    assert not notices_to(vol)


def test_an_unchanged_form_cancels_nothing(client, db_session):
    org = make_org()
    req, vol, coord = _booked_visit(org)
    _login_coordinator(client, coord)
    resp = post_form(client, f"/requests/{req.id}/change", _visit_form(req), follow_redirects=True)
    assert "Nothing changed, so the shifts stay as they were." in resp.get_data(as_text=True)
    assert len(requests_of(req.resident)) == 1
    assert [s.status for s in shifts_of(req)] == [S.APPROVED]
    assert not notices_to(vol)


def test_only_new_notes_keep_the_shifts(client, db_session):
    org = make_org()
    req, vol, coord = _booked_visit(org)
    _login_coordinator(client, coord)
    data = _visit_form(req, notes="The gate code is 1234")
    resp = post_form(client, f"/requests/{req.id}/change", data, follow_redirects=True)
    assert "The day and time stay" in resp.get_data(as_text=True)
    assert len(requests_of(req.resident)) == 1 and req.notes == "The gate code is 1234"
    assert [s.status for s in shifts_of(req)] == [S.APPROVED]
    assert [m.kind for m in notices_to(vol)] == ["shift_changed"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("coordinator", 200),
        ("owner", 200),
        ("other_org_coordinator", 404),
        ("volunteer", 403),
        ("other_resident", 403),
        ("anonymous", 302),
    ],
)
def test_who_may_change_a_request(client, db_session, who, status):
    org = make_org()
    req, vol, coord = _booked_visit(org)
    other_org = make_org()
    users = {
        "coordinator": lambda: coord,
        "owner": lambda: make_user(org, person=req.resident),
        "other_org_coordinator": lambda: make_coordinator(other_org),
        "volunteer": lambda: vol.user,
        "other_resident": lambda: make_user(org, person=make_resident(org)),
    }
    if who != "anonymous":
        user = users[who]()
        db.session.commit()
        assert login(client, user.email, PASSWORD).status_code == 302
    url = f"/requests/{req.id}/change"
    assert client.get(url).status_code == status
    # A move to another day that either form (coordinator's, resident's) accepts, sent
    # with a valid token from a page everyone may open: only the permission can refuse it.
    data = {**_visit_form(req, **_on(in_days(6))), "part_of_day": "morning"}
    resp = client.post(url, data={"csrf_token": csrf_token(client), **data})
    if status == 200:
        assert resp.status_code == 302 and resp.location != "/login"
        old, _new = requests_of(req.resident)
        assert old.status == RequestStatus.CANCELLED
    else:
        assert resp.status_code == status
        if who == "anonymous":
            assert resp.location.startswith("/login")
        assert len(requests_of(req.resident)) == 1
        assert [s.status for s in shifts_of(req)] == [S.APPROVED]


@pytest.mark.parametrize("state", ["cancelled", "over"])
def test_a_cancelled_or_finished_request_cannot_be_changed(client, db_session, state):
    org = make_org()
    req, _vol, coord = _booked_visit(org)
    if state == "cancelled":
        from webapp.requests.operations import cancel_request

        cancel_request(req, coord, "moved away")
        words = "was cancelled, so it cannot be changed"
    else:
        req.start_date = in_days(-3)
        words = "is over, so it cannot be changed"
    db.session.commit()
    _login_coordinator(client, coord)
    url = f"/requests/{req.id}/change"
    assert f'href="{url}"' not in client.get(f"/requests/{req.id}").get_data(as_text=True)
    resp = client.get(url, follow_redirects=True)
    assert words in resp.get_data(as_text=True)
    resp = post_form(
        client, url, _visit_form(req, window_start="15:00"), page=f"/requests/{req.id}"
    )
    assert resp.status_code == 302 and len(requests_of(req.resident)) == 1


def test_the_resident_moves_her_ride_from_my_visits_and_rides(client, db_session):
    org = make_org()
    resident = make_resident(org, first_name="Maria")
    user = make_user(org, person=resident)
    coord = make_coordinator(org)
    req = make_request(org, ride_draft(), resident=resident, actor=coord)
    vol = make_volunteer(org, driving=True)
    ops.assign(shifts_of(req)[0], vol, coord)
    db.session.commit()
    assert login(client, user.email, PASSWORD).status_code == 302
    mine = client.get("/requests/mine").get_data(as_text=True)
    assert mine.count(f'href="/requests/{req.id}/change"') == 1
    url = f"/requests/{req.id}/change"
    html = client.get(url).get_data(as_text=True)
    assert (_value(html, "appointment_time"), _value(html, "return_time")) == ("11:00", "12:00")
    day = in_days(6)
    data = {"start_date": day.isoformat(), "appointment_time": "09:30",
            "destination_name": "Ospedale Veneziale", "destination_address": HOSPITAL[0],
            "purpose": "medical", "return_wanted": "y", "return_time": "09:00"}  # fmt: skip
    html = post_form(client, url, data).get_data(as_text=True)
    assert "The return must be after the appointment." in html and 'value="09:30"' in html
    data["return_time"] = "10:30"
    resp = post_form(client, url, data, follow_redirects=True)
    assert "any volunteer who was coming has been told" in resp.get_data(as_text=True)
    old, new = requests_of(resident)
    assert old.status == RequestStatus.CANCELLED and new.start_date == day
    assert new.stay_minutes == 60 and new.passengers == 1
    out, back = shifts_of(new)
    assert back.starts_at - out.starts_at > timedelta(minutes=60)
    assert len(messages_to(vol, "shift_cancelled")) == 1  # one per ride, both legs
