"""The sender as a scheduler job."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app

from webapp.extensions import db
from webapp.notifications.sender import send_due
from webapp.scheduler.registry import Job, setting
from webapp.scheduler.runs import claim_run, floor_time


def run_send_notifications(now: datetime) -> str:
    """Record the run, then deliver what is due. Claims of messages (not this record)
    keep two senders apart; the record shows the sender is alive."""
    seconds = int(setting(current_app, "NOTIFY_INTERVAL_SECONDS", "20") or 20)
    if claim_run("send_notifications", floor_time(now, seconds)) is None:
        db.session.rollback()
        return "already done"
    return str(send_due(now))


def jobs(app: Flask) -> list[Job]:
    every = int(setting(app, "NOTIFY_INTERVAL_SECONDS", "20") or 20)
    return [Job("send_notifications", run_send_notifications, every, every, True,
                "Deliver queued e-mails and SMS, retrying with backoff.")]
