"""Authentication workflows. Operations flush; the view commits."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from webapp.auth import devices, passwords, sessions, signals, throttle, tokens
from webapp.auth.models import User
from webapp.core.errors import FieldError
from webapp.extensions import db


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    wait_seconds: int = 0
    # The password was right but the volunteering is suspended (said only to someone
    # who knows the password, so it reveals nothing to a stranger).
    suspended: bool = False


def authenticate(
    email: str, password: str, address: str | None, device: str | None = None
) -> LoginResult:
    """Check a login attempt; never says whether the e-mail exists.

    ``device`` is the browser's device cookie: if it was issued to this account, failures
    count against that device only (see :mod:`webapp.auth.devices`), so strangers
    typing wrong passwords for the e-mail cannot lock its owner out."""
    email = email.strip().lower()
    user = db.session.scalar(sa.select(User).where(User.email == email))
    device_key = devices.key_for(device, user)
    keys = [device_key] if device_key else throttle.keys_for(email, address)
    wait = throttle.seconds_to_wait(keys)
    if wait:
        return LoginResult(None, wait)
    ok = passwords.verify_password(user.password_hash if user else passwords.DUMMY_HASH, password)
    if not ok or user is None or not user.active:
        throttle.record_failure(keys)
        return LoginResult(None, 0)
    if user.suspended:
        signals.security_event.send(user, event="login_blocked_suspended", actor=None)
        return LoginResult(None, 0, suspended=True)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    throttle.record_success(email)
    if device_key:
        throttle.clear(device_key)
    return LoginResult(user)


def email_taken(email: str) -> bool:
    count = sa.select(sa.func.count()).select_from(User).where(User.email == email.strip().lower())
    return db.session.execute(count).scalar_one() > 0


class PasswordError(FieldError):
    """Broken password rules; ``wait_seconds`` when too many wrong passwords were typed."""

    def __init__(self, errors: dict[str, str], wait_seconds: int = 0) -> None:
        super().__init__(errors, wait_seconds=wait_seconds)
        self.wait_seconds = wait_seconds


def check_new_password(new: str, repeat: str) -> None:
    errors = {}
    if len(new) < passwords.MIN_LENGTH:
        errors["new_password"] = _(
            "The new password needs at least %(n)s characters.", n=passwords.MIN_LENGTH
        )
    elif new != repeat:
        errors["repeat"] = _("The two new passwords are not the same. Type it again.")
    if errors:
        raise PasswordError(errors)


def set_password(user: User, new: str) -> None:
    """Store the new hash and clear the account's failed-login counter (flushes)."""
    user.password_hash = passwords.hash_password(new)
    user.must_change_password = False
    throttle.record_success(user.email)
    db.session.flush()


def change_password(user: User, current: str, new: str, repeat: str, address: str | None) -> None:
    """A logged-in user changes their password. A wrong current password counts as a
    failed login (same counters and delays), so the form cannot be used to guess it.
    Every other session of the user ends; the current one stays."""
    keys = throttle.keys_for(user.email, address)
    wait = throttle.seconds_to_wait(keys)
    if wait:
        raise PasswordError(
            {
                "current_password": _(
                    "Too many failed attempts. Please wait %(n)s seconds and try again.", n=wait
                )
            },
            wait_seconds=wait,
        )
    if not passwords.verify_password(user.password_hash, current):
        throttle.record_failure(keys)
        raise PasswordError({"current_password": _("This is not your current password.")})
    check_new_password(new, repeat)
    if new == current:
        raise PasswordError(
            {"new_password": _("The new password must be different from the current one.")}
        )
    set_password(user, new)
    sessions.end_other_sessions(user)
    signals.access_revoked.send(user, reason="password_changed")


def request_reset(email: str, link_for: Callable[[str], str]) -> bool:
    """Ask for a "choose a new password" e-mail if ``email`` is an active login of an
    organisation; the caller answers the same either way. ``link_for(token)`` builds the
    absolute link. Returns whether a message was queued (for tests and logs only).

    Admins (no organisation, so no outbox) set their password with the CLI. The
    notifications feature queues the e-mail (see :mod:`webapp.auth.signals`), at most
    ``PASSWORD_RESET_MAILS_PER_HOUR`` per account and hour."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active or user.organisation_id is None:
        return False
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    answers = signals.reset_link_requested.send(
        user, link=link_for(tokens.make_token(user)), minutes=max_age // 60
    )
    return any(queued for _receiver, queued in answers)


def reset_password(token: str, new: str, repeat: str) -> User:
    """Use an e-mailed link: set the password and end every session of the user.
    Raises :class:`tokens.TokenError` or :class:`PasswordError`."""
    user = tokens.user_for(token, lock=True)
    check_new_password(new, repeat)
    set_password(user, new)
    sessions.end_all_sessions(user)
    signals.access_revoked.send(user, reason="password_reset")
    return user


# Letters and digits that cannot be mistaken for one another when read out on the phone
# (no 0/o, 1/l/i, 5/s, 2/z, 8/b, q/g, u/v/w).
_SPOKEN = "acdefhjkmnprtxy34679"


def temporary_password() -> str:
    """E.g. ``kp7m-x3ae-9rtd``: 12 random characters (about 52 bits) in three groups."""
    chars = "".join(secrets.choice(_SPOKEN) for _ in range(12))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def set_temporary_password(member: User, by: User | None = None) -> str:
    """A coordinator sets a password to read out to a member on the phone. Every session
    and API token of the member ends, and after logging in with it they must choose
    their own. Returns the password (shown once, never stored in clear)."""
    password = temporary_password()
    set_password(member, password)
    member.must_change_password = True
    sessions.end_all_sessions(member)
    signals.access_revoked.send(member, reason="temporary_password")
    signals.security_event.send(member, event="temporary_password", actor=by)
    return password
