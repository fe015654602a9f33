"""Device cookies (OWASP's answer to lock-out through throttling).

After a correct login, the browser gets a signed cookie naming the account (and the
password it was made with). Failed attempts from a browser holding one count against
that device alone, not against the account: a stranger who types wrong passwords for
someone's e-mail slows down every *unknown* browser, but never the owner's own phone.
"""

from __future__ import annotations

import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from webapp.auth.models import User
from webapp.auth.tokens import fingerprint

COOKIE = "ponte_device"  # "__Host-ponte_device" over https (see cookie_name)
SALT = "ponte.device"
MAX_AGE = 180 * 24 * 3600  # half a year: a volunteer who logs in monthly keeps it


def cookie_name() -> str:
    secure = current_app.config.get("SESSION_COOKIE_SECURE", False)
    return f"__Host-{COOKIE}" if secure else COOKIE


def _serializer() -> URLSafeTimedSerializer:
    key = current_app.secret_key
    if key is None:
        raise RuntimeError("SECRET_KEY is not set: device cookies cannot be signed")
    return URLSafeTimedSerializer(key, salt=SALT)


def make_token(user: User) -> str:
    payload = {"u": user.id, "h": fingerprint(user.password_hash), "n": secrets.token_hex(8)}
    return _serializer().dumps(payload)


def key_for(token: str | None, user: User | None) -> str | None:
    """The throttle key of this device, if ``token`` is a valid device cookie of ``user``
    made with their current password; else None."""
    if not token or user is None or len(token) > 500:
        return None
    try:
        payload = _serializer().loads(token, max_age=MAX_AGE)
    except BadSignature:
        return None
    if (
        not isinstance(payload, dict)
        or payload.get("u") != user.id
        or payload.get("h") != fingerprint(user.password_hash)
        or not isinstance(payload.get("n"), str)
    ):
        return None
    return f"device:{payload['n']}"
