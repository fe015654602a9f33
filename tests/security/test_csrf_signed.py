"""The session's CSRF token is signed once per worker (``core.csrf_signed``): the same
token on a session's pages, accepted as Flask-WTF's own; another session's, another
key's or an old session's refused."""

from __future__ import annotations

import re

from flask import session
from flask_wtf.csrf import generate_csrf, validate_csrf

from tests.factories import PASSWORD, make_org, make_volunteer
from tests.helpers import csrf_from, login
from webapp import create_app
from webapp.config import TestConfig
from webapp.core import csrf_signed

TOKENS = re.compile(r'name="csrf_token" value="([^"]+)"')


def _tokens(client, path="/login"):  # type: ignore[no-untyped-def]
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    return set(TOKENS.findall(page))


def _language(client, token):  # type: ignore[no-untyped-def]
    return client.post("/language", data={"csrf_token": token, "locale": "it", "next": "/"})


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


def test_the_kept_signature_is_flask_wtf_s_and_per_key(app):  # type: ignore[no-untyped-def]
    class OtherKey(TestConfig):
        SECRET_KEY = "another-secret-key"

    other = create_app(OtherKey)
    with app.test_request_context("/"):
        session["csrf_token"] = "the-same-raw-token"
        ours = csrf_signed.csrf_token()
        validate_csrf(ours)  # raises if Flask-WTF would refuse it
    with other.test_request_context("/"):
        session["csrf_token"] = "the-same-raw-token"
        theirs = csrf_signed.csrf_token()
        assert theirs != ours  # not the other key's signature, though the session's
        validate_csrf(theirs)  # token is the same
    with app.test_request_context("/"):
        session["csrf_token"] = "the-same-raw-token"
        assert csrf_signed.csrf_token() == ours  # kept
        assert generate_csrf() == ours  # and the one Flask-WTF's forms write then
