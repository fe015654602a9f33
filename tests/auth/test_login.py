from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from argon2 import extract_parameters

from tests.factories import PASSWORD, make_coordinator, make_org
from tests.helpers import csrf_from, login, post_form
from webapp.auth import passwords
from webapp.auth.models import LoginSession, LoginThrottle
from webapp.db import utcnow
from webapp.extensions import db


def test_password_hash_uses_owasp_argon2id_parameters():
    params = extract_parameters(passwords.hash_password("a long enough password"))
    assert params.type.name == "ID"
    assert params.memory_cost == 19 * 1024
    assert params.time_cost == 2
    assert params.parallelism == 1


def test_login_and_logout(client, db_session):
    org = make_org()
    user = make_coordinator(org, email="coord@example.org")
    resp = login(client, "Coord@Example.org", PASSWORD)
    assert resp.status_code == 302
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(LoginSession)
            .where(LoginSession.user_id == user.id)
        )
        == 1
    )
    html = client.get("/", follow_redirects=True).get_data(as_text=True)
    resp = client.post("/logout", data={"csrf_token": csrf_from(html)})
    assert resp.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession)) == 0


def test_copied_session_cookie_is_dead_after_logout(app, client, db_session):
    org = make_org()
    make_coordinator(org, email="c2@example.org")
    login(client, "c2@example.org", PASSWORD)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie.value)
    assert thief.get("/healthz").status_code == 200
    assert "Log out" in thief.get("/", follow_redirects=True).get_data(as_text=True)
    html = client.get("/", follow_redirects=True).get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    # The thief still holds the old cookie, but its server-side session is gone.
    assert "Log out" not in thief.get("/", follow_redirects=True).get_data(as_text=True)


def test_wrong_password_is_a_clear_message(client, db_session):
    org = make_org()
    make_coordinator(org, email="c3@example.org")
    resp = login(client, "c3@example.org", "wrong password!")
    assert resp.status_code == 200
    assert "E-mail or password is not correct." in resp.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(client, db_session):
    resp = client.post("/login", data={"email": "x@example.org", "password": "x"})
    assert resp.status_code == 400


def test_repeated_failures_slow_the_account_down(app, client, db_session):
    org = make_org()
    make_coordinator(org, email="c4@example.org")
    free = app.config["LOGIN_FREE_FAILURES"]
    for _ in range(free):
        login(client, "c4@example.org", "nope nope nope")
    # Locked now: even the right password is not checked until the delay has passed.
    resp = login(client, "c4@example.org", PASSWORD)
    assert resp.status_code == 429
    assert "Too many failed attempts" in resp.get_data(as_text=True)
    db.session.expire_all()  # the upserts bypass the identity map
    row = db.session.get(LoginThrottle, "account:c4@example.org")
    assert row.failures == free
    # Once the delay has passed, the right password works and clears the account counter.
    row.locked_until = utcnow() - timedelta(seconds=1)
    ip_row = db.session.get(LoginThrottle, "ip:127.0.0.1")
    ip_row.locked_until = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert login(client, "c4@example.org", PASSWORD).status_code == 302
    assert db.session.get(LoginThrottle, "account:c4@example.org") is None


def test_failures_from_one_address_across_accounts_are_counted(app, client, db_session):
    free = app.config["LOGIN_FREE_FAILURES"]
    for i in range(free):
        login(client, f"nobody{i}@example.org", "guess guess")
    db.session.expire_all()
    row = db.session.get(LoginThrottle, "ip:127.0.0.1")
    assert row.failures == free and row.locked_until is not None


def test_open_redirect_after_login_is_ignored(client, db_session):
    org = make_org()
    make_coordinator(org, email="c5@example.org")
    resp = post_form(
        client,
        "/login?next=//evil.example.com/",
        {"email": "c5@example.org", "password": PASSWORD},
        page="/login",
    )
    assert resp.status_code == 302
    assert "evil" not in resp.headers["Location"]
