"""A logged-in member changes their password: field messages, throttling, sessions."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_coordinator, make_org, make_user, make_volunteer
from tests.helpers import csrf_from, login, post_form
from webapp.auth import passwords
from webapp.auth.models import LoginSession, LoginThrottle, Role, User
from webapp.extensions import db

NEW = "a brand new password"
URL = "/account/password"


def _member(email: str = "vol@example.org") -> User:
    org = make_org()
    person = make_volunteer(org, with_user=False)
    return make_user(org, person=person, email=email)


def _change(client, current: str, new: str = NEW, repeat: str | None = None):  # type: ignore[no-untyped-def]
    data = {
        "current_password": current,
        "new_password": new,
        "repeat": new if repeat is None else repeat,
    }
    return post_form(client, URL, data)


def _logged_in(client) -> bool:  # type: ignore[no-untyped-def]
    return "Log out" in client.get("/", follow_redirects=True).get_data(as_text=True)


def _sessions(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(LoginSession).where(LoginSession.user_id == user.id)
    )


@pytest.mark.parametrize("role", ["member", "coordinator"])
def test_every_logged_in_user_has_the_link_in_the_menu(client, db_session, role):
    if role == "member":
        _member("m@example.org")
    else:
        make_coordinator(make_org(), email="m@example.org")
    login(client, "m@example.org", PASSWORD)
    html = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert f'href="{URL}"' in html and "Change password" in html


def test_anonymous_is_sent_to_log_in(client, db_session):
    resp = client.get(URL)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_change_keeps_this_session_and_ends_the_others(app, client, db_session):
    user = _member()
    other = app.test_client()
    login(other, "vol@example.org", PASSWORD)
    login(client, "vol@example.org", PASSWORD)
    assert _sessions(user) == 2
    resp = _change(client, PASSWORD)
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "Your password is changed." in page
    db.session.expire_all()
    assert passwords.verify_password(db.session.get(User, user.id).password_hash, NEW)
    assert _sessions(user) == 1
    assert _logged_in(client)
    assert not _logged_in(other)
    # The new password logs in; the old one no longer does.
    assert login(app.test_client(), "vol@example.org", NEW).status_code == 302
    assert login(app.test_client(), "vol@example.org", PASSWORD).status_code == 200


@pytest.mark.parametrize(
    ("current", "new", "repeat", "field", "message"),
    [
        ("", NEW, NEW, "current_password", "Type the password you use now."),
        (PASSWORD, "", "", "new_password", "Choose a new password of at least 10 characters."),
        (PASSWORD, "short", "short", "new_password", "needs at least 10 characters"),
        (PASSWORD, NEW, "", "repeat", "Type the new password a second time."),
        (PASSWORD, NEW, NEW + "x", "repeat", "The two new passwords are not the same."),
        (PASSWORD, PASSWORD, PASSWORD, "new_password", "must be different from the current"),
    ],
)
def test_each_mistake_is_shown_next_to_its_field(
    client, db_session, current, new, repeat, field, message
):
    user = _member()
    login(client, "vol@example.org", PASSWORD)
    resp = _change(client, current, new, repeat)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert f'id="{field}-error"' in html
    error = html.split(f'id="{field}-error">')[1].split("</p>")[0]
    assert message in error
    db.session.expire_all()
    assert passwords.verify_password(db.session.get(User, user.id).password_hash, PASSWORD)


def test_wrong_current_password_counts_as_a_failed_login(app, client, db_session):
    _member()
    login(client, "vol@example.org", PASSWORD)
    resp = _change(client, "not my password")
    assert resp.status_code == 200
    assert "This is not your current password." in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(LoginThrottle, "account:vol@example.org").failures == 1
    for _ in range(app.config["LOGIN_FREE_FAILURES"] - 1):
        _change(client, "not my password")
    # Locked now: even the right current password waits, and it is a 429, not a 500.
    resp = _change(client, PASSWORD)
    assert resp.status_code == 429
    assert "Too many failed attempts" in resp.get_data(as_text=True)
    assert _logged_in(client)  # still logged in: only the change is refused


def test_post_without_csrf_token_is_refused(client, db_session):
    _member()
    login(client, "vol@example.org", PASSWORD)
    resp = client.post(URL, data={"current_password": PASSWORD, "new_password": NEW, "repeat": NEW})
    assert resp.status_code == 400


def test_the_form_page_renders_in_italian(client, db_session):
    _member()
    login(client, "vol@example.org", PASSWORD)
    html = client.get("/", follow_redirects=True).get_data(as_text=True)
    client.post("/language", data={"csrf_token": csrf_from(html), "locale": "it", "next": URL})
    page = client.get(URL).get_data(as_text=True)
    assert "Password attuale" in page and "Cambia password" in page


def test_admin_sets_a_password_from_the_command_line(app, db_session):
    admin = make_user(None, Role.ADMIN, email="admin@example.org")
    runner = app.test_cli_runner()
    args = ["admin", "set-password", "Admin@Example.org"]
    short = runner.invoke(args=args, input="short\nshort\n")
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    unknown = runner.invoke(
        args=["admin", "set-password", "x@example.org"], input=f"{NEW}\n{NEW}\n"
    )
    assert unknown.exit_code != 0 and "no login" in unknown.output
    done = runner.invoke(args=args, input=f"{NEW}\n{NEW}\n")
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    assert passwords.verify_password(db.session.get(User, admin.id).password_hash, NEW)
