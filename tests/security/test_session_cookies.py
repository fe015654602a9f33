"""Each session cookie is checked once per worker (``core.session_cookies``): the same
text gives the same session without its signature checked again; a tampered, foreign,
expired or changed cookie is treated as Flask treats it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import flash, session

from tests.factories import PASSWORD, make_org, make_volunteer
from tests.helpers import login
from webapp import create_app
from webapp.config import TestConfig
from webapp.core.session_cookies import KeptSessionInterface


def _cookie(client, app):  # type: ignore[no-untyped-def]
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


def _opened(app, text):  # type: ignore[no-untyped-def]
    """The session the app opens for a request bringing cookie ``text``."""
    name = app.config["SESSION_COOKIE_NAME"]
    with app.test_request_context("/", headers={"Cookie": f"{name}={text}"}) as ctx:
        return dict(ctx.session)


@pytest.fixture
def signed_in(app, client, db_session):  # type: ignore[no-untyped-def]
    vol = make_volunteer(make_org())
    assert login(client, vol.user.email, PASSWORD).status_code == 302
    return _cookie(client, app)


def test_a_cookie_checked_once_is_not_checked_again(app, signed_in, monkeypatch):  # type: ignore[no-untyped-def]
    first = _opened(app, signed_in)
    assert "_user_id" in first
    checked = []
    serializer = app.session_interface.get_signing_serializer

    def counted(app_):  # type: ignore[no-untyped-def]
        checked.append(1)
        return serializer(app_)

    monkeypatch.setattr(app.session_interface, "get_signing_serializer", counted)
    assert _opened(app, signed_in) == first
    assert checked == []
    tampered = signed_in[:-2] + ("AA" if not signed_in.endswith("AA") else "BB")
    assert _opened(app, tampered) == {}  # refused, as Flask refuses it
    assert checked == [1]


def test_a_signed_in_page_then_works_as_before(app, client, signed_in):  # type: ignore[no-untyped-def]
    assert client.get("/shifts/mine").status_code == 200
    assert client.get("/shifts/mine").status_code == 200
    client.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    assert client.get("/shifts/mine").status_code == 302  # to the login


def test_another_key_does_not_read_a_kept_cookie(app, signed_in):  # type: ignore[no-untyped-def]
    class OtherKey(TestConfig):
        SECRET_KEY = "another-secret-key"

    assert _opened(app, signed_in)  # kept by this app
    other = create_app(OtherKey)
    other.session_interface = app.session_interface  # the same map, another key
    assert _opened(other, signed_in) == {}


def test_an_old_cookie_expires_though_kept(app, signed_in, monkeypatch):  # type: ignore[no-untyped-def]
    assert _opened(app, signed_in)
    monkeypatch.setitem(app.config, "PERMANENT_SESSION_LIFETIME", timedelta(seconds=30))
    assert _opened(app, signed_in)  # signed just now
    later = __import__("time").time() + 60
    monkeypatch.setattr("webapp.core.session_cookies.time.time", lambda: later)
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    assert _opened(app, signed_in) == {}


def test_a_session_changed_in_place_does_not_change_the_kept_one(app):  # type: ignore[no-untyped-def]
    """A view's changes go to its own copy; a session holding a list (flashed messages,
    changed in place) is never kept."""
    interface = KeptSessionInterface()
    app_ = create_app(TestConfig)
    app_.session_interface = interface
    with app_.test_request_context("/"):
        session["locale"] = "it"
        response = app_.response_class()
        interface.save_session(app_, session, response)
        plain = response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    with app_.test_request_context("/"):
        flash("saved")
        response = app_.response_class()
        interface.save_session(app_, session, response)
        flashed = response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    name = app_.config["SESSION_COOKIE_NAME"]
    with app_.test_request_context("/", headers={"Cookie": f"{name}={plain}"}) as ctx:
        ctx.session["locale"] = "en"
    assert _opened(app_, plain) == {"locale": "it"}
    assert len(interface._kept) == 1
    with app_.test_request_context("/", headers={"Cookie": f"{name}={flashed}"}) as ctx:
        ctx.session["_flashes"].append(("message", "another"))
    assert _opened(app_, flashed)["_flashes"] == [("message", "saved")]
    assert len(interface._kept) == 1  # the one with a list was not kept
