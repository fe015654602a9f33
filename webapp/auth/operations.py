"""Authentication workflows. Operations flush; the view commits."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from webapp.auth import passwords, throttle
from webapp.auth.models import User
from webapp.extensions import db


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    wait_seconds: int = 0


def authenticate(email: str, password: str, address: str | None) -> LoginResult:
    """Check a login attempt; never says whether the e-mail exists."""
    email = email.strip().lower()
    keys = throttle.keys_for(email, address)
    wait = throttle.seconds_to_wait(keys)
    if wait:
        return LoginResult(None, wait)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    ok = passwords.verify_password(user.password_hash if user else passwords.DUMMY_HASH, password)
    if not ok or user is None or not user.active:
        throttle.record_failure(keys)
        return LoginResult(None, 0)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    throttle.record_success(email)
    return LoginResult(user)


def email_taken(email: str) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(User).where(User.email == email.strip().lower())
        )
        > 0
    )
