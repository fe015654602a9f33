"""E-mails reach a real SMTP server; while it is down they wait, then arrive once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tests.factories import make_coordinator, make_org, make_volunteer
from webapp.extensions import db
from webapp.notifications.models import Notification, Status
from webapp.notifications.operations import enqueue
from webapp.notifications.sender import send_due


def _later() -> datetime:
    # The sender is given "now"; messages are queued at the real now, so start after it.
    return datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)


def _queue_three():  # type: ignore[no-untyped-def]
    org = make_org()
    make_coordinator(org)
    people = [make_volunteer(org, email=f"vol{i}@example.org") for i in range(3)]
    for i, person in enumerate(people):
        enqueue(
            person,
            "credentials_lapsing",
            {"items": [], "days": 30},
            dedupe_key=f"test:{i}:{person.id}",
        )
    db.session.commit()
    return people


def _rows():  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Notification).order_by(Notification.id)))


def test_messages_wait_while_the_server_is_down_and_arrive_once_when_back(committed_db, smtp):
    people = _queue_three()
    t0 = _later()
    report = send_due(t0)  # server down: connection refused
    assert (report.sent, report.retrying, report.failed) == (0, 3, 0)
    rows = _rows()
    assert all(r.status == Status.PENDING and r.attempts == 1 for r in rows)
    assert all("SMTP 127.0.0.1" in r.last_error for r in rows)
    assert all(r.next_attempt_at == t0 + timedelta(seconds=60) for r in rows)

    smtp.start()
    # Not yet due again: backoff holds the retry.
    assert send_due(t0 + timedelta(seconds=30)).sent == 0
    assert smtp.inbox.messages == []

    report = send_due(t0 + timedelta(seconds=61))
    assert report.sent == 3
    # Later passes send nothing again.
    assert send_due(t0 + timedelta(hours=1)).sent == 0
    assert send_due(t0 + timedelta(days=2)).sent == 0

    received = sorted(m["To"] for m in smtp.inbox.messages)
    assert received == sorted(p.email for p in people)
    assert len({m["Message-ID"] for m in smtp.inbox.messages}) == 3
    rows = _rows()
    assert all(r.status == Status.SENT and r.sent_at is not None for r in rows)
    assert all(r.last_error is None for r in rows)


def test_backoff_doubles_and_gives_up_after_max_attempts(committed_db, smtp, app, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_MAX_ATTEMPTS", 3)
    _queue_three()
    now = _later()
    delays = []
    for _ in range(3):
        send_due(now)
        row = _rows()[0]
        if row.status == Status.PENDING:
            delays.append(row.next_attempt_at - now)
            now = row.next_attempt_at
    assert delays == [timedelta(seconds=60), timedelta(seconds=120)]
    rows = _rows()
    assert all(r.status == Status.FAILED and r.attempts == 3 for r in rows)
    assert all(r.last_error for r in rows)
    # Failed messages are not picked up again by the sender.
    smtp.start()
    assert send_due(now + timedelta(days=1)).sent == 0
    assert smtp.inbox.messages == []


def test_two_senders_never_send_one_message_twice(committed_db, smtp, app, postgres_only):
    """Two senders in two threads claim with FOR UPDATE SKIP LOCKED."""
    import threading

    org = make_org()
    person = make_volunteer(org, email="busy@example.org")
    for i in range(30):
        enqueue(person, "credentials_lapsing", {"items": [], "days": 30}, dedupe_key=f"race{i}")
    db.session.commit()
    smtp.start()
    t0 = _later()
    reports = []

    def sender() -> None:
        with app.app_context():
            for _ in range(10):
                reports.append(send_due(t0, limit=4))
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.sent for r in reports) == 30
    assert len(smtp.inbox.messages) == 30
    assert len({m["Message-ID"] for m in smtp.inbox.messages}) == 30


def test_sms_goes_through_the_gateway(committed_db, app):
    from webapp.notifications.channels import LoggingSmsGateway
    from webapp.notifications.models import Channel
    from webapp.notifications.operations import set_preference

    org = make_org()
    vol = make_volunteer(org, email="a@example.org", phone="+39 333 1234567")
    set_preference(vol, Channel.SMS)
    [msg] = enqueue(vol, "credentials_lapsing", {"items": [], "days": 30})
    db.session.commit()
    LoggingSmsGateway.sent.clear()
    assert send_due(_later()).sent == 1
    assert list(LoggingSmsGateway.sent) == [("+39 333 1234567", f"{msg.subject}\n{msg.body}")]


def test_mail_folder_mode_saves_each_message_once(committed_db, app, tmp_path, monkeypatch):
    """`make run` without SMTP_HOST saves e-mails as .eml files (nothing fails)."""
    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(tmp_path / "mail"))
    org = make_org()
    vol = make_volunteer(org, email="file@example.org")
    [msg] = enqueue(vol, "credentials_lapsing", {"items": [], "days": 30})
    db.session.commit()
    assert send_due(_later()).sent == 1
    assert send_due(_later()).sent == 0
    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1
    saved = files[0].read_text()
    assert "To: file@example.org" in saved and msg.subject in saved
