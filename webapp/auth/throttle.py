"""Slow down repeated failed logins, per account and per client address (and count
other requests worth limiting per client, such as password e-mails).

State lives in the ``login_throttle`` table and is incremented with one atomic upsert,
so the limit holds however many web workers serve the requests. After
``LOGIN_FREE_FAILURES`` failures within an hour, each further failure locks the key for
twice as long as the previous one (2 s, 4 s, 8 s ... up to ``LOGIN_MAX_DELAY_SECONDS``).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from webapp.auth.models import LoginThrottle
from webapp.core.locks import is_postgres
from webapp.db import rows_matched, utcnow
from webapp.extensions import db

WINDOW = timedelta(hours=1)


def keys_for(email: str, address: str | None) -> list[str]:
    return [f"account:{email.strip().lower()}", f"ip:{address or 'unknown'}"]


def seconds_to_wait(keys: list[str], now: datetime | None = None) -> int:
    now = now or utcnow()
    rows = db.session.scalars(sa.select(LoginThrottle).where(LoginThrottle.key.in_(keys)))
    waits = [
        (row.locked_until - now).total_seconds()
        for row in rows
        if row.locked_until is not None and row.locked_until > now
    ]
    return math.ceil(max(waits)) if waits else 0


def _upsert(key: str, now: datetime) -> int:
    """One more under ``key``, in one atomic statement; returns the count, which starts
    again at 1 after an hour without one."""
    insert = postgresql.insert if is_postgres() else sqlite.insert
    stmt = insert(LoginThrottle).values(key=key, failures=1, last_failure_at=now)
    upsert = stmt.on_conflict_do_update(
        index_elements=[LoginThrottle.key],
        set_={
            "failures": sa.case(
                (LoginThrottle.last_failure_at < now - WINDOW, 1),
                else_=LoginThrottle.failures + 1,
            ),
            "last_failure_at": now,
        },
    ).returning(LoginThrottle.failures)
    return db.session.execute(upsert).scalar_one()


def count_request(key: str, now: datetime | None = None) -> int:
    """Count one more request under ``key`` (e.g. a client address asking for password
    e-mails); returns how many there have been since the last hour without one."""
    return _upsert(key, now or utcnow())


def record_failure(keys: list[str], now: datetime | None = None) -> None:
    now = now or utcnow()
    free = current_app.config["LOGIN_FREE_FAILURES"]
    cap = current_app.config["LOGIN_MAX_DELAY_SECONDS"]
    for key in keys:
        failures = _upsert(key, now)
        if failures >= free:
            delay = min(cap, 2 ** (failures - free + 1))
            db.session.execute(
                sa.update(LoginThrottle)
                .where(LoginThrottle.key == key)
                .values(locked_until=now + timedelta(seconds=delay))
            )


def prune_old(now: datetime) -> int:
    """Delete counters without a failure for a day and not locked (the job commits)."""
    result = db.session.execute(
        sa.delete(LoginThrottle).where(
            LoginThrottle.last_failure_at < now - timedelta(days=1),
            sa.or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now),
        )
    )
    return rows_matched(result)


def clear(key: str) -> None:
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == key))


def record_success(email: str) -> None:
    """A correct password clears the account's counter (the address counter decays)."""
    db.session.execute(
        sa.delete(LoginThrottle).where(LoginThrottle.key == keys_for(email, None)[0])
    )
