"""Online resident sign-up is vetted: a new resident's requests wait for a coordinator's
check before any volunteer sees them (an organisation may turn this off, knowingly)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.factories import PASSWORD, make_coordinator
from tests.helpers import csrf_token, login, post_form
from tests.people.helpers import OTHER_HOME
from tests.shifts.builders import in_days
from webapp.auth.models import User
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.orgs.settings import settings_for
from webapp.requests.models import Request
from webapp.shifts.models import Shift

SIGNUP = {
    "first_name": "Rosa",
    "last_name": "Blu",
    "phone": "0865 999887",
    "address": OTHER_HOME,
    "wants_visits": "y",
    "email": "rosa@trust.example",
    "password": "a long password 4",
    "consent": "y",
}


def _sign_up_and_ask(client, org):  # type: ignore[no-untyped-def]
    assert post_form(client, f"/join/{org.slug}/resident", SIGNUP).status_code == 302
    day = in_days(5)
    resp = post_form(
        client,
        "/requests/help/visit",
        {"start_date": day.isoformat(), "part_of_day": "morning"},
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    user = db.session.scalar(sa.select(User).where(User.email == SIGNUP["email"]))
    request = db.session.scalar(sa.select(Request).where(Request.resident_id == user.person_id))
    return user, request


def _shifts(request) -> list[Shift]:  # type: ignore[no-untyped-def]
    return list(db.session.scalars(sa.select(Shift).where(Shift.request_id == request.id)))


def test_a_new_residents_request_waits_for_the_coordinators_check(client, org):
    coordinator = make_coordinator(org)
    db.session.commit()
    user, request = _sign_up_and_ask(client, org)
    assert _shifts(request) == []  # nothing for volunteers to see or claim
    mine = client.get("/requests/mine").get_data(as_text=True)
    assert "coordinator will call you" in mine
    told = db.session.scalars(
        sa.select(Notification).where(Notification.kind == "resident_to_check")
    ).all()
    assert [m.user_id for m in told] == [coordinator.id]

    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, coordinator.email, PASSWORD)
    page = f"/coordinator/people/{user.person_id}"
    assert "Not checked yet" in client.get(page).get_data(as_text=True)
    assert "Rosa Blu" in client.get("/coordinator/residents?to_check=1").get_data(as_text=True)
    assert post_form(client, f"{page}/check", {}, page=page).status_code == 302
    assert _shifts(request)  # planned now
    listed = client.get("/coordinator/residents?to_check=1").get_data(as_text=True)
    assert f'href="{page}"' not in listed


def test_turning_the_check_off_must_be_done_knowingly(client, org):
    coordinator = make_coordinator(org)
    db.session.commit()
    login(client, coordinator.email, PASSWORD)
    rules = {"min_notice_days": "2", "horizon_weeks": "4", "travel_speed_kmh": "30",
             "checkin_tolerance_min": "60", "checkin_max_factor": "2"}
    resp = post_form(client, "/requests/settings", rules)
    assert resp.status_code == 200 and "understand" in resp.get_data(as_text=True)
    assert settings_for(org.id).check_online_residents
    resp = post_form(client, "/requests/settings", {**rules, "understand_unchecked": "y"})
    assert resp.status_code == 302
    assert not settings_for(org.id).check_online_residents
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    _user, request = _sign_up_and_ask(client, org)
    assert _shifts(request)  # the organisation chose to skip the check


def test_residents_registered_by_a_coordinator_are_checked_at_once(client, org):
    from tests.people.helpers import resident_phone_data

    coordinator = make_coordinator(org)
    db.session.commit()
    login(client, coordinator.email, PASSWORD)
    resp = post_form(client, "/coordinator/residents/new", resident_phone_data())
    assert resp.status_code == 302
    person_id = int(resp.location.rsplit("/", 1)[-1])
    from webapp.people.models import Person

    profile = db.session.get(Person, person_id).resident
    assert profile.checked_at is not None and profile.checked_by_id == coordinator.id
