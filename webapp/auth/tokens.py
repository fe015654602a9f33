"""Signed, time-limited, single-use links for choosing a new password.

The payload holds the user id and a fingerprint of the current password hash, signed
with ``SECRET_KEY``. Nothing is stored: a token stops working after
``PASSWORD_RESET_MAX_AGE`` seconds, and as soon as the password changes (the fingerprint
no longer matches), so a used link cannot be used again.
"""

from __future__ import annotations

import hashlib
import time

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from webapp.auth.models import User
from webapp.extensions import db

SALT = "ponte.password-reset"


def clock() -> float:
    """The signer's clock (a seam for tests that need an old token)."""
    return time.time()


class _Signer(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(clock())


class TokenError(ValueError):
    """The link cannot be used. ``reason`` is ``expired`` or ``invalid``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _serializer() -> URLSafeTimedSerializer:
    key = current_app.secret_key
    if key is None:
        raise RuntimeError("SECRET_KEY is not set: password links cannot be signed")
    return URLSafeTimedSerializer(key, salt=SALT, signer=_Signer)


def fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def make_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "h": fingerprint(user.password_hash)})


def user_for(token: str, *, lock: bool = False) -> User:
    """The active user the token was made for, or :class:`TokenError`. ``lock`` reads
    the row ``FOR UPDATE`` (PostgreSQL), so two uses of one link at once cannot both
    pass."""
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        payload = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenError("expired") from None
    except BadSignature:
        raise TokenError("invalid") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise TokenError("invalid")
    user = db.session.get(User, payload["u"], with_for_update=lock, populate_existing=lock)
    if user is None or not user.is_active or payload.get("h") != fingerprint(user.password_hash):
        raise TokenError("invalid")  # unknown, suspended, or the password changed: used
    return user
