"""A coordinator sets a temporary password for a member of their own organisation, to
read out on the phone."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.factories import (
    PASSWORD,
    make_coordinator,
    make_org,
    make_resident,
    make_user,
    make_volunteer,
)
from tests.helpers import csrf_from, csrf_token, login, post_form
from webapp.auth import passwords
from webapp.auth.models import LoginSession, User
from webapp.auth.operations import temporary_password
from webapp.extensions import db

_SHOWN = re.compile(r"<code>([a-z0-9-]+)</code>")


def _setup():  # type: ignore[no-untyped-def]
    org = make_org()
    make_coordinator(org, email="coord@example.org")
    person = make_volunteer(org, with_user=False, first_name="Piero")
    member = make_user(org, person=person, email="piero@example.org")
    return org, person, member


def _set(client, person_id: int):  # type: ignore[no-untyped-def]
    url = f"/coordinator/people/{person_id}/password"
    return post_form(client, url, {}, page=f"/coordinator/people/{person_id}")


def test_temporary_passwords_are_long_enough_and_easy_to_read_out():
    seen = {temporary_password() for _ in range(50)}
    assert len(seen) == 50
    for pw in seen:
        assert re.fullmatch(r"[acdefhjkmnprtxy34679]{4}(-[acdefhjkmnprtxy34679]{4}){2}", pw)
        assert len(pw) >= passwords.MIN_LENGTH


def test_coordinator_sets_one_it_is_shown_once_and_ends_the_members_sessions(
    app, client, db_session
):
    _, person, member = _setup()
    phone = app.test_client()
    login(phone, "piero@example.org", PASSWORD)
    login(client, "coord@example.org", PASSWORD)
    page = client.get(f"/coordinator/people/{person.id}").get_data(as_text=True)
    assert "Set a temporary password" in page
    resp = _set(client, person.id)
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store"
    html = resp.get_data(as_text=True)
    assert "it is shown only this once" in html and "piero@example.org" in html
    temporary = _SHOWN.search(html).group(1)
    db.session.expire_all()
    assert passwords.verify_password(db.session.get(User, member.id).password_hash, temporary)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(LoginSession)
            .where(LoginSession.user_id == member.id)
        )
        == 0
    )
    assert "Log out" not in phone.get("/", follow_redirects=True).get_data(as_text=True)
    # Not kept anywhere: the person page does not show it again.
    assert temporary not in client.get(f"/coordinator/people/{person.id}").get_data(as_text=True)
    assert login(app.test_client(), "piero@example.org", temporary).status_code == 302


def test_coordinator_of_another_organisation_gets_404(client, db_session):
    _, person, member = _setup()
    make_coordinator(make_org(), email="other@example.org")
    login(client, "other@example.org", PASSWORD)
    assert client.get(f"/coordinator/people/{person.id}").status_code == 404
    # The person page is a 404 for them, so take a CSRF token from their own page.
    resp = client.post(
        f"/coordinator/people/{person.id}/password", data={"csrf_token": csrf_token(client)}
    )
    assert resp.status_code == 404
    db.session.expire_all()
    assert passwords.verify_password(db.session.get(User, member.id).password_hash, PASSWORD)


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("anonymous", 302)])
def test_members_and_anonymous_cannot(client, db_session, who, status):
    _, person, member = _setup()
    other = make_volunteer(person.organisation, with_user=False)
    make_user(person.organisation, person=other, email="nosy@example.org")
    if who == "member":
        login(client, "nosy@example.org", PASSWORD)
    # A valid token (from the start page, which everyone may open): only the permission
    # check can refuse this.
    resp = client.post(
        f"/coordinator/people/{person.id}/password", data={"csrf_token": csrf_token(client)}
    )
    assert resp.status_code == status
    if who == "anonymous":
        assert resp.location.startswith("/login")
    db.session.expire_all()
    assert passwords.verify_password(db.session.get(User, member.id).password_hash, PASSWORD)


def test_not_offered_without_a_login_and_refused_if_posted(client, db_session):
    _, person, _member = _setup()
    resident = make_resident(person.organisation)
    login(client, "coord@example.org", PASSWORD)
    page = client.get(f"/coordinator/people/{resident.id}").get_data(as_text=True)
    assert "Set a temporary password" not in page
    # The view answers 400, as Flask-WTF does for a bad token: show that the token is
    # good by having it accepted for a member with a login.
    token = csrf_from(page)
    url = "/coordinator/people/{}/password"
    assert client.post(url.format(resident.id), data={"csrf_token": token}).status_code == 400
    assert client.post(url.format(person.id), data={"csrf_token": token}).status_code == 200


def test_a_temporary_password_must_be_changed_at_the_first_login(app, client, db_session):
    _, person, member = _setup()
    login(client, "coord@example.org", PASSWORD)
    temporary = _SHOWN.search(_set(client, person.id).get_data(as_text=True)).group(1)
    phone = app.test_client()
    assert login(phone, "piero@example.org", temporary).status_code == 302
    # Every page, and any form posted elsewhere, leads to Change password first.
    for path in ("/", "/me"):
        resp = phone.get(path)
        assert resp.status_code == 302 and resp.headers["Location"].endswith("/account/password")
    page = phone.get("/account/password").get_data(as_text=True)
    assert "Please choose your own password before you go on." in page
    resp = post_form(
        phone,
        "/account/password",
        {
            "current_password": temporary,
            "new_password": "a-brand-new-one",
            "repeat": "a-brand-new-one",
        },
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, member.id).must_change_password is False
    assert phone.get("/me").status_code == 200


def test_a_password_the_member_chose_is_never_forced_to_change(app, client, db_session):
    _, _person, member = _setup()
    assert member.must_change_password is False
    assert login(client, "piero@example.org", PASSWORD).status_code == 302
    assert client.get("/me").status_code == 200
