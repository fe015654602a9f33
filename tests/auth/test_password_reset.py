"""Forgot password: a neutral answer, a real e-mail, a signed one-hour single-use link."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tests.factories import PASSWORD, make_org, make_resident, make_user, make_volunteer
from tests.helpers import csrf_from, login, post_form
from webapp.auth import passwords, tokens
from webapp.auth.models import LoginSession, Role, User
from webapp.extensions import db
from webapp.notifications.models import Channel, Notification
from webapp.notifications.operations import set_preference
from webapp.notifications.sender import send_due

NEW = "a brand new password"
# Links come from the configured base URL (TestConfig), never from the request's host.
_LINK = re.compile(r"https://ponte\.example\.org/password/reset/(\S+)")


def _member(email: str = "vol@example.org", **kw) -> User:  # type: ignore[no-untyped-def]
    org = make_org()
    person = make_volunteer(org, with_user=False, **kw)
    return make_user(org, person=person, email=email)


def _ask(client, email: str):  # type: ignore[no-untyped-def]
    return post_form(client, "/password/forgot", {"email": email}, follow_redirects=True)


def _resets() -> list[Notification]:
    return list(
        db.session.scalars(sa.select(Notification).where(Notification.kind == "password_reset"))
    )


def _token_from(body: str) -> str:
    match = _LINK.search(body)
    assert match, body
    return match.group(1)


def _reset(client, token: str, new: str = NEW, repeat: str | None = None):  # type: ignore[no-untyped-def]
    url = f"/password/reset/{token}"
    return post_form(
        client, url, {"new_password": new, "repeat": new if repeat is None else repeat}
    )


def test_login_page_links_to_the_form(client, db_session):
    html = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in html and "Forgot your password?" in html


def test_the_answer_is_the_same_whether_or_not_the_address_exists(client, db_session):
    _member()
    known = _ask(client, "Vol@Example.org")
    unknown = _ask(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert known.request.path == unknown.request.path == "/login"
    text = "If an account uses this e-mail address, we have sent it a link"
    assert text in known.get_data(as_text=True) and text in unknown.get_data(as_text=True)
    [message] = _resets()
    assert message.address == "vol@example.org" and message.channel == Channel.EMAIL


def test_the_mail_goes_to_the_login_address_whatever_the_preference(client, db_session):
    """A member who chose SMS still gets the link by e-mail; a guardian never gets it."""
    org = make_org()
    resident = make_resident(org, phone="+39 333 1234567")
    resident.resident.guardian_email = "son@example.org"
    user = make_user(org, person=resident, email="res@example.org")
    set_preference(resident, Channel.SMS)
    _ask(client, "res@example.org")
    [message] = _resets()
    assert (message.channel, message.address, message.user_id) == (
        Channel.EMAIL, "res@example.org", user.id,
    )  # fmt: skip
    assert not message.is_guardian_copy


def test_no_mail_for_suspended_logins_or_admins(client, db_session):
    user = _member()
    user.active = False
    make_user(None, Role.ADMIN, email="admin@example.org")
    _ask(client, "vol@example.org")
    _ask(client, "admin@example.org")
    assert _resets() == []


def test_at_most_three_mails_per_hour(client, db_session):
    _member()
    for _ in range(5):
        resp = _ask(client, "vol@example.org")
        assert "we have sent it a link" in resp.get_data(as_text=True)
    assert len(_resets()) == 3


def test_one_connection_may_ask_only_so_many_times(app, client, db_session):
    """Per client address as well as per account: a script walking through many
    addresses is stopped, with a clear answer, and no more mail is queued."""
    limit = app.config["PASSWORD_RESET_REQUESTS_PER_ADDRESS"]
    for k in range(limit):
        _member(f"m{k}@example.org")
    for k in range(limit):
        assert _ask(client, f"m{k}@example.org").request.path == "/login"
    assert len(_resets()) == limit
    _member("late@example.org")
    resp = _ask(client, "late@example.org")
    assert resp.status_code == 429
    page = resp.get_data(as_text=True)
    assert "Too many new-password e-mails have been asked for from this connection" in page
    assert 'value="late@example.org"' in page  # what was typed stays in the form
    assert len(_resets()) == limit
    # Another connection is not held up by this one.
    token = csrf_from(client.get("/password/forgot").get_data(as_text=True))
    other = client.post(
        "/password/forgot",
        data={"csrf_token": token, "email": "late@example.org"},
        follow_redirects=True,
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert other.request.path == "/login" and len(_resets()) == limit + 1


def test_link_sets_the_password_ends_every_session_and_works_once(app, client, db_session):
    user = _member()
    elsewhere = app.test_client()
    login(elsewhere, "vol@example.org", PASSWORD)
    _ask(client, "vol@example.org")
    [message] = _resets()
    assert "60 minutes" in message.body
    token = _token_from(message.body)

    page = client.get(f"/password/reset/{token}")
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    resp = _reset(client, token)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login")
    after = client.get("/login").get_data(as_text=True)
    assert "Your new password is saved. Log in with it now." in after

    db.session.expire_all()
    assert passwords.verify_password(db.session.get(User, user.id).password_hash, NEW)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(LoginSession)
            .where(LoginSession.user_id == user.id)
        )
        == 0
    )
    assert "Log out" not in elsewhere.get("/", follow_redirects=True).get_data(as_text=True)
    # Used: the same link no longer works, neither to look at nor to post.
    again = client.get(f"/password/reset/{token}")
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)
    assert client.post(f"/password/reset/{token}", data={}).status_code == 400
    assert login(client, "vol@example.org", NEW).status_code == 302


def test_a_mistake_on_the_form_keeps_the_link_usable(client, db_session):
    user = _member()
    token = tokens.make_token(user)
    resp = _reset(client, token, NEW, "something else entirely")
    assert resp.status_code == 200
    assert "The two new passwords are not the same." in resp.get_data(as_text=True)
    resp = _reset(client, token, "short", "short")
    assert "needs at least 10 characters" in resp.get_data(as_text=True)
    assert _reset(client, token).status_code == 302


def test_an_expired_link_says_so(client, db_session, monkeypatch):
    user = _member()
    monkeypatch.setattr(tokens, "clock", lambda: time.time() - 3601)
    token = tokens.make_token(user)
    monkeypatch.undo()
    resp = client.get(f"/password/reset/{token}")
    assert resp.status_code == 400
    assert "The link is too old" in resp.get_data(as_text=True)
    assert _reset(client, token).status_code == 400
    db.session.expire_all()
    assert passwords.verify_password(db.session.get(User, user.id).password_hash, PASSWORD)


def test_a_link_just_under_an_hour_old_still_works(client, db_session, monkeypatch):
    user = _member()
    monkeypatch.setattr(tokens, "clock", lambda: time.time() - 3500)
    token = tokens.make_token(user)
    monkeypatch.undo()
    assert client.get(f"/password/reset/{token}").status_code == 200


def test_tampered_or_foreign_links_are_refused(app, client, db_session):
    user = _member()
    token = tokens.make_token(user)
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "nonsense", "a.b.c"):
        resp = client.get(f"/password/reset/{bad}")
        assert resp.status_code == 400
        assert "This link does not work" in resp.get_data(as_text=True)
    # A token signed for something else (another salt) with the same key is no good either.
    from itsdangerous import URLSafeTimedSerializer

    other = URLSafeTimedSerializer(app.secret_key, salt="something-else").dumps(
        {"u": user.id, "h": tokens.fingerprint(user.password_hash)}
    )
    assert client.get(f"/password/reset/{other}").status_code == 400


def test_a_link_stops_working_when_the_password_changes_otherwise(client, db_session):
    user = _member()
    token = tokens.make_token(user)
    user.password_hash = passwords.hash_password("changed in the meantime")
    db.session.flush()
    assert client.get(f"/password/reset/{token}").status_code == 400


def test_the_mail_reaches_a_real_smtp_server(app, committed_db, smtp):
    """Through the outbox and the sender, as every e-mail of the app."""
    from flask.testing import FlaskClient

    _member("smtp@example.org")
    db.session.commit()
    smtp.start()
    client: FlaskClient = app.test_client()
    _ask(client, "smtp@example.org")
    report = send_due(datetime.now(UTC) + timedelta(minutes=1))
    assert report.sent == 1
    [mail] = smtp.inbox.messages
    assert mail["To"] == "smtp@example.org"
    assert mail["Subject"] == "Choose a new password for Ponte"
    body = mail.get_payload(decode=True).decode()
    token = _token_from(body)
    assert _reset(client, token).status_code == 302
    assert login(client, "smtp@example.org", NEW).status_code == 302
