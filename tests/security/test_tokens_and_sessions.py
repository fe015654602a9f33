"""API tokens die with a password change, reset or temporary password, and expire;
login sessions end after a time without use and after a fixed time (issue 15)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident, make_user
from tests.helpers import login, post_form
from webapp.auth import operations as auth_ops
from webapp.auth.models import LoginSession
from webapp.db import utcnow
from webapp.extensions import db
from webapp.timebank.models import ApiToken
from webapp.timebank.tokens import create_token

BALANCE = "/api/v1/me/balance"


@pytest.fixture
def member(db_session):  # type: ignore[no-untyped-def]
    org = make_org()
    person = make_resident(org)
    user = make_user(org, person=person, email="tok@trust.example")
    _row, secret = create_token(user, "phone")
    db.session.commit()
    return {"org": org, "user": user, "auth": {"Authorization": f"Bearer {secret}"}}


def _works(client, member) -> bool:  # type: ignore[no-untyped-def]
    return client.get(BALANCE, headers=member["auth"]).status_code == 200


def test_password_change_revokes_api_tokens(client, member):
    assert _works(client, member)
    login(client, member["user"].email, PASSWORD)
    resp = post_form(
        client,
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "a new long password",
            "repeat": "a new long password",
        },
    )
    assert resp.status_code == 302
    assert not _works(client, member)


def test_password_reset_revokes_api_tokens(client, member):
    token = auth_ops.tokens.make_token(member["user"])
    auth_ops.reset_password(token, "a new long password", "a new long password")
    db.session.commit()
    assert not _works(client, member)


def test_temporary_password_revokes_api_tokens(client, member):
    coordinator = make_coordinator(member["org"])
    db.session.commit()
    login(client, coordinator.email, PASSWORD)
    page = f"/coordinator/people/{member['user'].person_id}"
    resp = post_form(client, f"{page}/password", {}, page=page)
    assert resp.status_code == 200
    assert not _works(client, member)


def test_tokens_expire(client, member, app):
    row = db.session.scalar(sa.select(ApiToken))
    assert row.expires_at is not None
    days = (row.expires_at - utcnow()).days
    assert app.config["API_TOKEN_DAYS"] - 1 <= days <= app.config["API_TOKEN_DAYS"]
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert not _works(client, member)
    login(client, member["user"].email, PASSWORD)
    assert row.prefix not in client.get("/timebank/").get_data(as_text=True)  # not listed


def test_a_tokens_use_is_written_at_most_once_a_minute(client, member):
    """An app polling the balance does not write on every call (nor queue on the row)."""
    assert db.session.scalar(sa.select(ApiToken.last_used_at)) is None
    assert _works(client, member)
    db.session.expire_all()
    first = db.session.scalar(sa.select(ApiToken.last_used_at))
    assert first is not None and utcnow() - first < timedelta(seconds=5)

    updates: list[str] = []

    def note(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("UPDATE"):
            updates.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert _works(client, member)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
    assert updates == []  # used again within the minute: nothing written

    db.session.execute(sa.update(ApiToken).values(last_used_at=first - timedelta(minutes=2)))
    db.session.commit()
    assert _works(client, member)
    db.session.expire_all()
    assert db.session.scalar(sa.select(ApiToken.last_used_at)) > first


def _session_row() -> LoginSession:
    return db.session.scalars(sa.select(LoginSession)).one()


@pytest.mark.parametrize(
    "role,idle,absolute",
    [
        ("member", timedelta(days=8), timedelta(days=31)),
        ("coordinator", timedelta(minutes=31), timedelta(hours=13)),
    ],
)
def test_sessions_end_when_idle_or_too_old(client, db_session, role, idle, absolute):
    org = make_org()
    user = (
        make_coordinator(org)
        if role == "coordinator"
        else make_user(org, person=make_resident(org))
    )
    page = "/coordinator" if role == "coordinator" else "/me"
    # A 400-day-old session used to work.
    login(client, user.email, PASSWORD)
    row = _session_row()
    row.last_seen_at = utcnow() - idle
    db.session.commit()
    assert client.get(page).status_code == 302  # to the login page
    assert db.session.scalars(sa.select(LoginSession)).all() == []

    login(client, user.email, PASSWORD)
    row = _session_row()
    row.created_at = utcnow() - absolute  # used a minute ago, but started too long ago
    row.last_seen_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(page).status_code == 302


def test_use_keeps_a_session_alive(client, db_session):
    org = make_org()
    user = make_user(org, person=make_resident(org))
    login(client, user.email, PASSWORD)
    row = _session_row()
    row.last_seen_at = utcnow() - timedelta(days=6)
    db.session.commit()
    assert client.get("/me").status_code == 200
    db.session.expire_all()
    assert utcnow() - _session_row().last_seen_at < timedelta(minutes=1)


def test_the_job_prunes_expired_sessions(db_session):
    from webapp.scheduler.tasks import run_prune_login_sessions

    org = make_org()
    old, idle, fresh = (
        make_user(org, person=make_resident(org)),
        make_coordinator(org),
        make_coordinator(org),
    )
    now = utcnow()
    db.session.add_all(
        [
            LoginSession(
                id="old",
                user_id=old.id,
                created_at=now - timedelta(days=400),
                last_seen_at=now - timedelta(hours=1),
            ),
            LoginSession(
                id="idle",
                user_id=idle.id,
                created_at=now - timedelta(hours=2),
                last_seen_at=now - timedelta(hours=1),
            ),
            LoginSession(
                id="fresh",
                user_id=fresh.id,
                created_at=now - timedelta(hours=2),
                last_seen_at=now - timedelta(minutes=5),
            ),
        ]
    )
    db.session.commit()
    summary = run_prune_login_sessions(now)
    assert "deleted 2 expired sessions" in summary
    assert [r.id for r in db.session.scalars(sa.select(LoginSession))] == ["fresh"]
    assert run_prune_login_sessions(now) == "already done"  # once an hour
