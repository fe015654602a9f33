"""Deliver queued messages, retrying with exponential backoff.

Claim, send, record: a batch is claimed in a short transaction (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), marked ``sending``, and committed,
so two senders never take the same message. Each message is then sent outside any
transaction and its outcome committed on its own, so a crash after message 3 does not
send messages 1-3 again. A claim older than ``NOTIFY_CLAIM_TIMEOUT`` (a sender killed
mid-send) is taken over: delivery is at-least-once in that one case, and e-mails carry a
stable Message-ID so mail systems can drop the copy.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from webapp.extensions import db
from webapp.notifications.channels import DeliveryError, EmailChannel, sms_gateway
from webapp.notifications.models import Channel, Notification, Status

log = logging.getLogger(__name__)
SENDABLE = (Channel.EMAIL, Channel.SMS)


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"sent {self.sent}, will retry {self.retrying}, failed {self.failed}"


def backoff(attempts: int) -> timedelta:
    """Delay before attempt ``attempts + 1``: base, 2x base, 4x base... capped."""
    base = current_app.config.get("NOTIFY_BACKOFF_SECONDS", 60)
    cap = current_app.config.get("NOTIFY_BACKOFF_MAX_SECONDS", 6 * 3600)
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def claim(now: datetime, limit: int) -> list[int]:
    """Mark up to ``limit`` due messages as ``sending`` and commit; return their ids."""
    stale = now - timedelta(seconds=current_app.config.get("NOTIFY_CLAIM_TIMEOUT", 600))
    due = sa.or_(
        sa.and_(Notification.status == Status.PENDING, Notification.next_attempt_at <= now),
        sa.and_(Notification.status == Status.SENDING, Notification.claimed_at < stale),
    )
    query = (
        sa.select(Notification.id)
        .where(Notification.channel.in_(SENDABLE), due)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
    )
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    elif not session().in_transaction():
        # SQLite: take the write lock before reading, so a second sender waits and then
        # sees these rows already claimed. (Inside a job the run record's insert has
        # already taken it.)
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    ids = list(session.scalars(query))
    if ids:
        session.execute(
            sa.update(Notification)
            .where(Notification.id.in_(ids))
            .values(status=Status.SENDING, claimed_at=now)
        )
    session.commit()
    return ids


def deliver(message: Notification) -> None:
    config = current_app.config
    if not message.address:
        raise DeliveryError("no address to send to")
    if message.channel == Channel.EMAIL:
        EmailChannel(config).send(message.address, message.subject, message.body, f"n{message.id}")
    elif message.channel == Channel.SMS:
        sms_gateway(config).send(message.address, f"{message.subject}\n{message.body}")
    else:  # pragma: no cover - claim() only selects sendable channels
        raise DeliveryError(f"channel {message.channel} is not sent by the sender")


def send_due(now: datetime, limit: int = 50) -> SendReport:
    """One pass: claim due messages, send each, record the outcome of each.

    Nothing is held while a message goes out: the message is read, the read transaction
    ended, the message sent, and its outcome written in a transaction that takes the
    write lock when it begins (:func:`_record`). On SQLite a transaction that read first
    cannot write once another process has written since ("database is locked" at once,
    which no busy timeout waits out): the "sent" mark was lost that way, and the message,
    still marked ``sending``, was sent again when its claim went stale."""
    report = SendReport()
    max_attempts = current_app.config.get("NOTIFY_MAX_ATTEMPTS", 6)
    for message_id in claim(now, limit):
        message = db.session.get(Notification, message_id)
        if message is None:  # deleted since it was claimed (with its organisation)
            db.session.rollback()
            continue
        db.session.expunge(message)  # its fields stay readable; the session lets go
        db.session.rollback()
        error: Exception | None = None
        try:
            deliver(message)
        except Exception as exc:  # any failure is recorded; the next message still goes
            error = exc
        if error is None:
            values: dict[str, object] = {"status": Status.SENT, "sent_at": now, "last_error": None}
            report.sent += 1
        elif message.attempts + 1 >= max_attempts:
            values = {"status": Status.FAILED, "last_error": _error_text(error)}
            report.failed += 1
            log.warning("notification %s failed for good: %s", message.id, error)
        else:
            values = {
                "status": Status.PENDING,
                "next_attempt_at": now + backoff(message.attempts + 1),
                "last_error": _error_text(error),
            }
            report.retrying += 1
        _record(message_id, now, values)
    return report


def _error_text(error: Exception) -> str:
    return str(error)[:2000] or type(error).__name__


def _record(message_id: int, claimed_at: datetime, values: dict[str, object]) -> None:
    """Write one message's outcome in its own short transaction, begun with the write
    lock on SQLite (``BEGIN IMMEDIATE`` waits for it, up to the busy timeout). Only our
    own claim is updated: if it went stale and another sender took the message over,
    that sender records its own outcome."""
    session = db.session
    if session.get_bind().dialect.name == "sqlite":
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    session.execute(
        sa.update(Notification)
        .where(
            Notification.id == message_id,
            Notification.status == Status.SENDING,
            Notification.claimed_at == claimed_at,
        )
        .values(attempts=Notification.attempts + 1, claimed_at=None, **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
