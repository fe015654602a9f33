"""The lower findings of issue 15: timing that reveals accounts, the e-mail changed
without the password, lock-out through throttling, unbounded match runs, and old
messages that keep a resident's details after a cancellation."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident, make_volunteer
from tests.helpers import FreshRequestClient, csrf_from, login, messages_to, post_form
from tests.people.helpers import HOME, volunteer_data
from tests.shifts.builders import in_days, make_request, shifts_of, visit_draft
from webapp.core.errors import FieldError
from webapp.extensions import db
from webapp.matchrun import operations as match_ops
from webapp.matchrun.models import MatchRun, RunScope, RunStatus
from webapp.people.operations import save_person
from webapp.shifts import operations as shift_ops

FLOOR = 0.4


def _timed(call):  # type: ignore[no-untyped-def]
    started = time.monotonic()
    resp = call()
    return resp, time.monotonic() - started


def test_reset_and_sign_up_take_as_long_for_unknown_and_known_addresses(
    app, client, org, monkeypatch
):
    monkeypatch.setitem(app.config, "ACCOUNT_ANSWER_SECONDS", FLOOR)
    taken = make_volunteer(org).user.email
    db.session.commit()
    for email in (taken, "nobody@trust.example"):
        resp, seconds = _timed(lambda e=email: post_form(client, "/password/forgot", {"email": e}))
        assert resp.status_code == 302 and seconds >= FLOOR, (email, seconds)
        data = volunteer_data(email=email, password="a long password 9")
        resp, seconds = _timed(lambda d=data: post_form(client, f"/join/{org.slug}/volunteer", d))
        assert seconds >= FLOOR, (email, seconds)
        if resp.status_code == 302:  # the new account is logged in: log out again
            client.post(
                "/logout", data={"csrf_token": csrf_from(client.get("/me").get_data(as_text=True))}
            )


def test_changing_the_login_email_needs_the_password(client, org):
    person = make_resident(org, address=HOME)
    from tests.factories import make_user

    user = make_user(org, person=person, email="old@trust.example")
    db.session.commit()
    login(client, user.email, PASSWORD)
    html = client.get("/me").get_data(as_text=True)
    form = {
        "csrf_token": csrf_from(html),
        "first_name": person.first_name,
        "last_name": person.last_name,
        "phone": person.phone,
        "address": HOME,
        "email": "attacker@trust.example",
        "wants_visits": "y",
    }
    resp = client.post("/me", data=form)
    assert resp.status_code == 200
    assert "Type your password" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert user.email == "old@trust.example"
    resp = client.post("/me", data={**form, "current_password": PASSWORD})
    assert resp.status_code == 302
    db.session.expire_all()
    assert user.email == "attacker@trust.example"


def test_strangers_typing_wrong_passwords_cannot_lock_the_owner_out(app, client, db_session):
    owner = make_volunteer(make_org()).user
    db.session.commit()
    assert login(client, owner.email, PASSWORD).status_code == 302  # the owner's phone
    device = client.get_cookie("ponte_device")
    assert device is not None and device.http_only
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/me").get_data(as_text=True))})

    app.test_client_class = FreshRequestClient
    stranger = app.test_client()
    for _ in range(12):
        login(stranger, owner.email, "wrong password!")
    resp = login(stranger, owner.email, PASSWORD)
    assert resp.status_code == 429  # unknown browsers wait
    assert login(client, owner.email, PASSWORD).status_code == 302  # the owner does not


def test_one_match_run_at_a_time_per_organisation(db_session):
    org = make_org()
    coordinator, other = make_coordinator(org), make_coordinator(make_org())
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    match_ops.start_run(coordinator, monday, monday + timedelta(days=6), RunScope.VISITS)
    with pytest.raises(FieldError) as refused:
        match_ops.start_run(coordinator, monday, monday + timedelta(days=6), RunScope.VISITS)
    assert refused.value.field == "date_from"
    # Another organisation is not held up; a finished run frees the place.
    match_ops.start_run(other, monday, monday + timedelta(days=6), RunScope.VISITS)
    for run in db.session.scalars(sa.select(MatchRun)):
        run.status = RunStatus.DONE
    match_ops.start_run(coordinator, monday, monday + timedelta(days=6), RunScope.VISITS)


@pytest.mark.postgres
def test_presses_at_the_same_moment_start_one_run(app, committed_db, postgres_only):
    org = make_org()
    coordinator_id = make_coordinator(org).id
    db.session.commit()
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def press() -> None:
        with app.app_context():
            from webapp.auth.models import User

            user = db.session.get(User, coordinator_id)
            barrier.wait()
            try:
                match_ops.start_run(user, monday, monday + timedelta(days=6), RunScope.VISITS)
                db.session.commit()
                outcomes.append("started")
            except FieldError:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=press) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    db.session.remove()
    assert sorted(outcomes) == ["refused", "refused", "refused", "started"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MatchRun)) == 1


def test_a_cancelled_shift_leaves_no_resident_details_in_volunteers_messages(db_session):
    org = make_org()
    coordinator = make_coordinator(org)
    volunteer = make_volunteer(org)
    resident = make_resident(org, address="Via Nascosta 9, Isernia", phone="+39 333 1234567")
    request = make_request(org, visit_draft(in_days(4)), resident=resident, actor=coordinator)
    shift = shifts_of(request)[0]
    shift_ops.assign(shift, volunteer, coordinator)
    [approved] = messages_to(volunteer, "shift_approved")
    assert "Via Nascosta 9" in approved.body and "333 1234567" in approved.body
    shift_ops.cancel(shift, coordinator, "resident in hospital")
    db.session.refresh(approved)
    assert "Via Nascosta 9" not in approved.body and "333 1234567" not in approved.body
    assert approved.details_removed_at is not None
    for message in messages_to(volunteer):
        assert "Via Nascosta 9" not in message.body and "333 1234567" not in message.body
    assert messages_to(volunteer, "shift_cancelled")  # still told not to go


@pytest.mark.parametrize("name", ["Anna\nRossi", "Anna\r\nTo: all", "Anna\tRossi", "Anna\u2028X"])
def test_names_refuse_line_breaks(client, org, name):
    person = make_resident(org, address=HOME)
    with pytest.raises(FieldError) as err:
        save_person(person, {"first_name": name}, resident=True)
    assert "first_name" in err.value.errors
    db.session.rollback()
    data = volunteer_data(last_name=name, email="lines@trust.example")
    resp = post_form(client, f"/join/{org.slug}/volunteer", data)
    assert resp.status_code == 200
    assert "A name is one line: no line breaks or tabs." in resp.get_data(as_text=True)
