"""A second factor for logins that see every resident: TOTP (RFC 6238, any authenticator
app) with ten one-time recovery codes. Operations flush; the view commits.

Who must use one is ``SECOND_FACTOR_ROLES`` (coordinators and admins by default). A
login of such a role without one is logged in with the password and then sent to the
enrolment page before anything else opens; once enabled, every login asks for a code.
An admin resets a lost authenticator with ``flask admin reset-2fa``.
"""

from __future__ import annotations

import hashlib
import secrets
import time

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app

from webapp.auth import sessions, signals
from webapp.auth.models import LoginSession, RecoveryCode, SecondFactor, User
from webapp.db import utcnow
from webapp.extensions import db

ISSUER = "Ponte"
RECOVERY_CODES = 10
# Letters and digits that cannot be mistaken for one another (as temporary passwords).
_ALPHABET = "acdefhjkmnprtxy34679"


def clock() -> float:
    """The TOTP clock (a seam for tests)."""
    return time.time()


def required_for(user: User) -> bool:
    return user.role.value in current_app.config.get("SECOND_FACTOR_ROLES", ())


def factor_of(user: User) -> SecondFactor | None:
    return db.session.get(SecondFactor, user.id)


def is_enabled(user: User) -> bool:
    factor = factor_of(user)
    return factor is not None and factor.enabled_at is not None


def must_enrol(user: User) -> bool:
    return required_for(user) and not is_enabled(user)


def _enabled_of_login() -> sa.ColumnElement[bool]:
    """Whether the login's user has a second factor enabled, as a column of the login's
    own statement (``sessions.add_login_figure``)."""
    return (
        sa.exists()
        .where(SecondFactor.user_id == LoginSession.user_id, SecondFactor.enabled_at.is_not(None))
        .correlate(LoginSession)
    )


sessions.add_login_figure("second_factor", _enabled_of_login)


def login_must_enrol(user: User) -> bool:
    """:func:`must_enrol` for the request's own login (``user``, the current user): every
    page a coordinator opens asks, and reading the factor cost each one a statement of
    its own; the answer is read with the login unless something was written since."""
    if not required_for(user):
        return False
    kept = sessions.login_figures("second_factor")
    return must_enrol(user) if kept is None else not kept[0]


def start_enrolment(user: User) -> SecondFactor:
    """A new secret, not yet enabled (replaces an enrolment left half-way)."""
    factor = factor_of(user)
    if factor is not None and factor.enabled_at is not None:
        raise ValueError("a second factor is already enabled")
    if factor is None:
        factor = SecondFactor(user_id=user.id, secret=pyotp.random_base32(), last_step=0)
        db.session.add(factor)
    db.session.flush()
    return factor


def provisioning_uri(user: User, factor: SecondFactor) -> str:
    return pyotp.TOTP(factor.secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg_data_uri(uri: str) -> str:
    """The enrolment QR code as an SVG data URI (shown inline: no request leaves the site)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, dark="#000", light="#fff"))


def _step_matching(factor: SecondFactor, code: str) -> int | None:
    """The 30-second step whose code is ``code`` (now, or one step either side for a
    phone clock slightly off), if newer than the last one used: a code works once."""
    totp = pyotp.TOTP(factor.secret)
    now_step = int(clock()) // totp.interval
    for step in (now_step, now_step - 1, now_step + 1):
        # Bytes: compare_digest refuses str with non-ASCII characters (a TypeError, a 500).
        if step > factor.last_step and secrets.compare_digest(
            totp.at(step * totp.interval).encode(), code.encode()
        ):
            return step
    return None


def _clean(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def confirm_enrolment(user: User, code: str) -> list[str] | None:
    """Enable the factor if ``code`` comes from it; returns the recovery codes (shown
    once), or None for a wrong code."""
    factor = factor_of(user)
    if factor is None or factor.enabled_at is not None:
        return None
    step = _step_matching(factor, _clean(code))
    if step is None:
        return None
    factor.last_step = step
    factor.enabled_at = utcnow()
    codes = new_recovery_codes(user)
    signals.security_event.send(user, event="second_factor_enabled", actor=user)
    return codes


def _digest(code: str) -> str:
    return hashlib.sha256(_clean(code).encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Ten fresh one-time codes (the old ones stop working). Flushes."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_digest(raw)))
    db.session.flush()
    return codes


def recovery_codes_left(user: User) -> int:
    return db.session.execute(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).scalar_one()


def verify(user: User, code: str) -> bool:
    """A code from the authenticator, or an unused recovery code (then used up)."""
    factor = factor_of(user)
    if factor is None or factor.enabled_at is None:
        return False
    cleaned = _clean(code)
    if cleaned.isdigit() and len(cleaned) == 6:
        step = _step_matching(factor, cleaned)
        if step is None:
            return False
        factor.last_step = step
        db.session.flush()
        return True
    row = db.session.scalar(
        sa.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _digest(cleaned),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = utcnow()
    db.session.flush()
    signals.security_event.send(user, event="recovery_code_used", actor=user)
    return True


def reset(user: User, actor: User | None) -> None:
    """Remove the authenticator and the recovery codes (a lost phone); the user enrols
    again at the next login, and every session of theirs ends. Flushes."""
    db.session.execute(sa.delete(SecondFactor).where(SecondFactor.user_id == user.id))
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    sessions.end_all_sessions(user)
    db.session.flush()
    signals.security_event.send(user, event="second_factor_reset", actor=actor)
