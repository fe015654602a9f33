"""A session's CSRF token signed once per web worker, not on every page.

Every signed-in page writes the session's CSRF token at least twice (the header's log-out
and language forms, a form's hidden tag). Flask-WTF signs it afresh in every request
(``generate_csrf``: a timestamp and an HMAC): 3-4% of the Python time of a signed-in page
under load. The token it signs, kept in the session, does not change; with no time limit
on tokens (``WTF_CSRF_TIME_LIMIT = None``) a token signed once is as valid, for as long,
as one signed now, and Flask-WTF checks either the same way.

So the first signature a worker makes for a session is kept (keyed by the signing key
and the session's token), and a later request of that session starts with it where
Flask-WTF looks for the one it made earlier in the same request (``g``): every form,
built or blank, and the templates' ``csrf_token()`` then write it.

A new session (a login, a log-out) has a new token and so a new signature; a new key, a
new signature. Whoever clears the session calls :func:`forget` (the signature already
in ``g`` is the old session's). The kept signatures are as many as the sessions a worker
served lately (``LIMIT``; forgotten all at once past it).
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request, session

LIMIT = 10_000

_signed: dict[tuple[str, str], str] = {}


def _names() -> tuple[str, str]:
    """(the token's name in the session and in ``g``, the signing key), as Flask-WTF
    reads them."""
    config = current_app.config
    name = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    return name, str(config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key)


def _reuse() -> None:
    """Before a request of a session whose signature this worker made: give it to
    Flask-WTF. (A request without the session cookie has no token to sign.)"""
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return
    name, key = _names()
    raw = session.get(name)
    if isinstance(raw, str):
        found = _signed.get((key, raw))
        if found is not None:
            setattr(g, name, found)


def _keep(response: Response) -> Response:
    """After a request that signed its session's token: keep the signature."""
    name, key = _names()
    signed = g.get(name)
    if signed is not None:
        raw = session.get(name)
        if isinstance(raw, str) and (key, raw) not in _signed:
            if len(_signed) >= LIMIT:
                _signed.clear()
            _signed[(key, raw)] = signed
    return response


def forget() -> None:
    """The session was cleared: the signature this request holds is the old session's."""
    g.pop(_names()[0], None)


def init_app(app: Flask) -> None:
    app.before_request(_reuse)
    app.after_request(_keep)
