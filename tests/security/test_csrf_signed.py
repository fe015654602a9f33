"""The session's CSRF token is signed once per worker (``core.csrf_signed``): the same
token on a session's pages, accepted as Flask-WTF's own; another session's, another
key's or an old session's refused."""

from __future__ import annotations

import itertools
import re
import time

import pytest
from flask import session
from flask_wtf.csrf import generate_csrf, validate_csrf
from itsdangerous import TimestampSigner

from tests.factories import PASSWORD, make_org, make_volunteer
from tests.helpers import csrf_from, login
from webapp import create_app
from webapp.auth import sessions
from webapp.config import TestConfig

INPUTS = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
VALUE = re.compile(r'value="([^"]+)"')


def _all_tokens(page: str) -> list[str]:
    """The value of every CSRF input of ``page`` (the header's and the forms')."""
    return [VALUE.search(tag).group(1) for tag in INPUTS.findall(page)]  # type: ignore[union-attr]


def _tokens(client, path="/login"):  # type: ignore[no-untyped-def]
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    return set(_all_tokens(page))


def _language(client, token):  # type: ignore[no-untyped-def]
    return client.post("/language", data={"csrf_token": token, "locale": "it", "next": "/"})


@pytest.fixture(autouse=True)
def a_new_second_at_each_signature(monkeypatch):  # type: ignore[no-untyped-def]
    """Flask-WTF's signature holds the second it was made: without this, two pages in
    the same second would carry the same token signed twice."""
    seconds = itertools.count(int(time.time()))
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _self: next(seconds))


def test_a_session_s_pages_carry_one_token_and_it_is_accepted(app, client):  # type: ignore[no-untyped-def]
    first = _tokens(client)
    assert len(first) == 1 and _tokens(client) == first  # signed once, then kept
    assert _language(client, first.pop()).status_code == 302


def test_another_session_s_token_is_refused(app, db_session):  # type: ignore[no-untyped-def]
    one, other = app.test_client(), app.test_client()
    (mine,), (theirs,) = _tokens(one), _tokens(other)
    assert mine != theirs
    assert _language(one, theirs).status_code == 400
    assert _language(one, "not-a-token").status_code == 400
    assert _language(one, mine).status_code == 302


def test_a_new_session_gets_a_new_token(app, client, db_session):  # type: ignore[no-untyped-def]
    vol = make_volunteer(make_org())
    (before,) = _tokens(client)
    assert login(client, vol.user.email, PASSWORD).status_code == 302
    (signed_in,) = _tokens(client, "/")
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_from(page)}).status_code == 302
    (after,) = _tokens(client)
    assert len({before, signed_in, after}) == 3
    assert _language(client, before).status_code == 400
    assert _language(client, signed_in).status_code == 400
    assert _language(client, after).status_code == 302


def test_the_kept_signature_is_flask_wtf_s_and_per_key(app, db_session):  # type: ignore[no-untyped-def]
    """Two apps with two keys in one process (as the tests run them): each session's
    signature is its own app's, though their session tokens are the same."""

    class OtherKey(TestConfig):
        SECRET_KEY = "another-secret-key"

    other = create_app(OtherKey)
    ours, theirs = app.test_client(), other.test_client()
    for client in (ours, theirs):
        with client.session_transaction() as kept:
            kept["csrf_token"] = "the-same-raw-token"
    (mine,), (their,) = _tokens(ours), _tokens(theirs)
    assert mine != their and _tokens(ours) == {mine} and _tokens(theirs) == {their}
    with app.test_request_context("/"):
        session["csrf_token"] = "the-same-raw-token"
        validate_csrf(mine)  # raises if Flask-WTF would refuse it
    with other.test_request_context("/"):
        session["csrf_token"] = "the-same-raw-token"
        validate_csrf(their)


def test_a_built_form_writes_the_kept_signature_too(app, client, db_session):  # type: ignore[no-untyped-def]
    """The login page builds its form (not a blank one): its hidden tag and the header's
    forms carry the one signature, the same on the next view."""
    (first,) = _tokens(client)
    page = client.get("/login").get_data(as_text=True)
    written = _all_tokens(page)
    assert written == [first, first]  # the login form's and the language switch's


def test_a_session_cleared_mid_request_signs_its_new_token(app, db_session):  # type: ignore[no-untyped-def]
    """Logging in clears the session: a page drawn after it in the same request carries
    the new session's token, not the signature the request started with."""
    vol = make_volunteer(make_org())
    client = app.test_client()
    (old,) = _tokens(client)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    headers = {"Cookie": f"{cookie.key}={cookie.value}"}
    with app.test_request_context("/login", headers=headers):
        app.preprocess_request()
        assert generate_csrf() == old  # the kept signature, given before the view
        sessions.start_session(vol.user)
        new = generate_csrf()
        assert new != old
        validate_csrf(new)
