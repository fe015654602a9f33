"""Every signal listener, connected in one place when the app is created.

Features announce what happened (blinker signals, SQLAlchemy session events) without
knowing who listens; the listeners live in the features that react. Reading this list
tells a newcomer every reaction across features:

- a shift's status changes -> its volunteers get a message (shifts);
- a booked shift's details change -> its volunteers get a message (shifts);
- a shift is completed -> its volunteers are paid in the time bank (timebank);
- a resident is deleted -> their future shifts are cancelled (requests);
- someone asks for a password link -> the e-mail is queued (notifications);
- a check-in is worried or its mood "unwell" -> an alert for the coordinator on duty (desk).

Each listener runs inside the transaction of the change that caused it and never commits.
Connecting twice (several apps in one process, as in tests) connects once.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from webapp.auth.signals import reset_link_requested
from webapp.desk.listeners import raise_alert
from webapp.notifications.listeners import mail_reset_link
from webapp.requests.listeners import cancel_for_deleted_residents
from webapp.shifts import listeners as shift_listeners
from webapp.shifts.signals import (
    checkin_recorded,
    shift_completed,
    shift_details_changed,
    shift_status_changed,
)
from webapp.timebank.listeners import pay_completed_shift


def connect_listeners(app: Flask) -> None:
    # Module-level functions, held strongly: blinker would otherwise keep weak references.
    shift_status_changed.connect(shift_listeners.on_status_changed, weak=False)
    shift_details_changed.connect(shift_listeners.on_details_changed, weak=False)
    shift_completed.connect(pay_completed_shift, weak=False)
    reset_link_requested.connect(mail_reset_link, weak=False)
    checkin_recorded.connect(raise_alert, weak=False)
    if not event.contains(Session, "before_flush", cancel_for_deleted_residents):
        event.listen(Session, "before_flush", cancel_for_deleted_residents)
