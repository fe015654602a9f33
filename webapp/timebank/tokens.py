"""Personal API tokens for the mobile app. Only a SHA-256 of the secret is stored: the
secret is random (256 bits), so a slow password hash would add nothing but latency."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from webapp.auth.models import User
from webapp.db import read_columns, utcnow
from webapp.extensions import db
from webapp.timebank.errors import LedgerError, _
from webapp.timebank.models import ApiToken

PREFIX = "pt_"
MAX_TOKENS = 10
# last_used_at is written at most this often (as a login session's last_seen_at): an app
# polling the balance need not write, and its requests need not queue on the token's row.
USED_EVERY = timedelta(seconds=60)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the row and the secret, which is shown once and never stored."""
    active = db.session.execute(
        sa.select(sa.func.count()).select_from(ApiToken).where(live(user.id, utcnow()))
    ).scalar_one()
    if active >= MAX_TOKENS:
        raise LedgerError("name", _("Revoke an old token first (at most %(n)s).", n=MAX_TOKENS))
    secret = PREFIX + secrets.token_urlsafe(32)
    days = current_app.config["API_TOKEN_DAYS"]
    row = ApiToken(
        user_id=user.id,
        name=name.strip()[:80],
        token_hash=_digest(secret),
        prefix=secret[:10],
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(row)
    db.session.flush()
    return row, secret


def live(user_id: int | sa.BindParameter[int], now: datetime | sa.BindParameter[datetime]
         ) -> sa.ColumnElement[bool]:  # fmt: skip
    """The user's tokens that still work (that :func:`tokens_of` lists)."""
    return sa.and_(
        ApiToken.user_id == user_id,
        ApiToken.revoked_at.is_(None),
        sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
    )


# Built once: building it took longer than reading the rows (the member's page lists them).
_LIVE = (
    sa.select(ApiToken)
    .where(
        live(
            sa.bindparam("user_id", type_=sa.Integer),
            sa.bindparam("now", type_=ApiToken.expires_at.type),
        )
    )
    .order_by(ApiToken.id)
)


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens that still work."""
    return list(db.session.scalars(_LIVE, {"user_id": user.id, "now": utcnow()}))


# What the member's page shows of them, as rows: no objects to build at each view.
_LISTED = _LIVE.with_only_columns(ApiToken.id, ApiToken.name, ApiToken.prefix)


def listed_tokens(user: User) -> list[sa.Row[Any]]:
    """The user's tokens that still work, as the member's page lists them: rows of
    ``id``, ``name`` and ``prefix``, oldest first."""
    return list(read_columns(db.session(), _LISTED, {"user_id": user.id, "now": utcnow()}))


def revoke_all(user: User, **_kw: object) -> int:
    """Every live token of ``user`` stops working (a password changed or was reset, the
    volunteering suspended). Connected to ``auth.signals.access_revoked``; flushes."""
    rows = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    now = utcnow()
    for row in rows:
        row.revoked_at = now
    db.session.flush()
    return len(rows)


def revoke(user: User, token_id: int) -> bool:
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    db.session.flush()
    return True


# Built once; with the user and their person (every call of the API reads the person
# at once: it was one statement more).
_BY_HASH = (
    sa.select(ApiToken)
    .where(ApiToken.token_hash == sa.bindparam("token_hash"), ApiToken.revoked_at.is_(None))
    .options(joinedload(ApiToken.user).joinedload(User.person))
)


def user_for(secret: str) -> User | None:
    """The active user owning a live token, or None."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    row = db.session.scalar(_BY_HASH, {"token_hash": _digest(secret)})
    if row is None or not row.user.is_active:
        return None
    now = utcnow()
    if row.expires_at is None or row.expires_at <= now:
        return None  # tokens made before expiry existed were given one by the migration
    if row.last_used_at is None or now - row.last_used_at > USED_EVERY:
        row.last_used_at = now
    return row.user
