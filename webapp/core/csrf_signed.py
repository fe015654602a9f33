"""A session's CSRF token signed once per web worker, not on every page.

Every signed-in page writes the session's CSRF token at least twice (the header's log-out
and language forms, a blank form's hidden tag). Flask-WTF signs it afresh in every
request (``generate_csrf``: a timestamp and an HMAC): 4% of the Python time of a
signed-in page under load. The token it signs, kept in the session, does not change; with
no time limit on tokens (``WTF_CSRF_TIME_LIMIT = None``) a token signed once is as valid,
for as long, as one signed now, and Flask-WTF checks either the same way. So the first
signature a worker makes for a session is kept (keyed by the signing key and the
session's token) and given to that session's later pages.

A new session (a login, a log-out) has a new token and so a new signature; a new secret
key, a new key. The kept signatures are as many as the sessions a worker has served
lately (``LIMIT``, forgotten all at once past it).
"""

from __future__ import annotations

from flask import Flask, current_app, g, session
from flask_wtf.csrf import generate_csrf

LIMIT = 10_000

_signed: dict[tuple[str, str], str] = {}


def csrf_token() -> str:
    """Flask-WTF's ``generate_csrf()`` (the same token, checked the same way), the
    session's signature reused when this worker has made it before."""
    config = current_app.config
    name = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    found: str | None = g.get(name)
    if found is not None:
        return found
    secret = str(config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key)
    raw = session.get(name)
    if isinstance(raw, str):
        found = _signed.get((secret, raw))
        if found is not None:
            setattr(g, name, found)
            return found
    found = generate_csrf()
    raw = session.get(name)
    if isinstance(raw, str):
        if len(_signed) >= LIMIT:
            _signed.clear()
        _signed[(secret, raw)] = found
    return found


def init_app(app: Flask) -> None:
    # In place of Flask-WTF's own (CSRFProtect registers ``generate_csrf`` there).
    app.jinja_env.globals["csrf_token"] = csrf_token
