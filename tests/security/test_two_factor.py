"""A second factor for coordinators and admins: TOTP with recovery codes."""

from __future__ import annotations

import re

import pyotp
import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident, make_user
from tests.helpers import csrf_from, login, post_form
from webapp.extensions import db


@pytest.fixture
def required(app, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "SECOND_FACTOR_ROLES", ("coordinator", "admin"))


def _secret(user) -> str:  # type: ignore[no-untyped-def]
    from webapp.auth.models import SecondFactor

    return db.session.scalar(sa.select(SecondFactor.secret).where(SecondFactor.user_id == user.id))


def _logout(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/login", follow_redirects=True).get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(html)})


def _enrol(client, user) -> list[str]:  # type: ignore[no-untyped-def]
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "data:image/svg+xml" in page  # the QR code, drawn inline
    code = pyotp.TOTP(_secret(user)).now()
    resp = client.post("/account/two-factor", data={"csrf_token": csrf_from(page), "code": code})
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    return re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", resp.get_data(as_text=True))


def test_a_coordinator_must_set_it_up_then_every_login_asks_for_a_code(
    client, db_session, required, monkeypatch
):
    from webapp.auth import twofactor

    coordinator = make_coordinator(make_org())
    db.session.commit()
    assert login(client, coordinator.email, PASSWORD).status_code == 302
    # Nothing opens before the second factor is set up.
    resp = client.get("/coordinator")
    assert resp.status_code == 302 and resp.location.endswith("/account/two-factor")
    codes = _enrol(client, coordinator)
    assert len(codes) == 10
    assert client.get("/coordinator").status_code == 200
    _logout(client)

    # The password alone is no longer enough.
    resp = login(client, coordinator.email, PASSWORD)
    assert resp.status_code == 302 and resp.location.endswith("/login/code")
    assert client.get("/coordinator").status_code == 302  # not logged in yet
    wrong = post_form(client, "/login/code", {"code": "000000"})
    assert "not right" in wrong.get_data(as_text=True)
    # The next step's code (the current one was used to enrol, and works once).
    totp = pyotp.TOTP(_secret(coordinator))
    monkeypatch.setattr(twofactor, "clock", lambda: __import__("time").time() + 30)
    # Kept, not computed again below: past a 30-second boundary, a fresh computation
    # would be the following step's code, which is rightly accepted.
    used = totp.at(twofactor.clock())
    resp = post_form(client, "/login/code", {"code": used})
    assert resp.status_code == 302
    assert client.get("/coordinator").status_code == 200
    _logout(client)

    # The same code cannot be used twice; a recovery code works once.
    login(client, coordinator.email, PASSWORD)
    again = post_form(client, "/login/code", {"code": used})
    assert "not right" in again.get_data(as_text=True)
    assert post_form(client, "/login/code", {"code": codes[0]}).status_code == 302
    _logout(client)
    login(client, coordinator.email, PASSWORD)
    reused = post_form(client, "/login/code", {"code": codes[0]})
    assert "not right" in reused.get_data(as_text=True)
    assert twofactor.recovery_codes_left(coordinator) == 9


def test_guessing_codes_is_slowed_down(client, db_session, required):
    coordinator = make_coordinator(make_org())
    db.session.commit()
    login(client, coordinator.email, PASSWORD)
    _enrol(client, coordinator)
    _logout(client)
    login(client, coordinator.email, PASSWORD)
    statuses = [post_form(client, "/login/code", {"code": "123456"}).status_code for _ in range(8)]
    assert statuses[-1] == 429


def test_members_are_not_asked_and_the_pending_step_expires(
    client, db_session, required, monkeypatch
):
    org = make_org()
    member = make_user(org, person=make_resident(org))
    db.session.commit()
    assert login(client, member.email, PASSWORD).status_code == 302
    assert client.get("/me").status_code == 200
    _logout(client)
    # Without a password first, the code page sends back to the login.
    assert client.get("/login/code").location.endswith("/login")


def test_admin_cli_resets_a_lost_authenticator(app, client, db_session, required):
    from webapp.auth import twofactor

    coordinator = make_coordinator(make_org())
    db.session.commit()
    login(client, coordinator.email, PASSWORD)
    _enrol(client, coordinator)
    _logout(client)
    result = app.test_cli_runner().invoke(args=["admin", "reset-2fa", coordinator.email])
    assert result.exit_code == 0, result.output
    assert not twofactor.is_enabled(coordinator)
    resp = login(client, coordinator.email, PASSWORD)
    assert resp.location.endswith("/")  # logged in, then sent to set it up again
    assert client.get("/coordinator").location.endswith("/account/two-factor")


def test_the_factor_is_read_with_the_login_not_by_each_page(
    client, db_session, required, count_queries
):  # type: ignore[no-untyped-def]
    """Every page a coordinator opens asks whether their second factor is set up: read
    with the login's own statement, not in one more."""
    from webapp.auth.models import SecondFactor

    coordinator = make_coordinator(make_org())
    db.session.commit()
    login(client, coordinator.email, PASSWORD)
    _enrol(client, coordinator)
    with count_queries() as sent:
        assert client.get("/coordinator").status_code == 200
    assert [q for q in sent if "second_factor" in q] == [q for q in sent if "login_session" in q]
    # Taken away elsewhere (by SQL, no hook of this app): the next page asks again.
    db.session.execute(sa.delete(SecondFactor).where(SecondFactor.user_id == coordinator.id))
    db.session.commit()
    resp = client.get("/coordinator")
    assert resp.status_code == 302 and resp.location.endswith("/account/two-factor")
