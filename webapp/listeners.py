"""Every signal listener, connected in one place when the app is created.

Features announce what happened (blinker signals, SQLAlchemy session events) without
knowing who listens; the listeners live in the features that react. Reading this list
tells a newcomer every reaction across features:

- a shift's status changes -> its volunteers get a message (shifts);
- a booked shift's details change -> its volunteers get a message (shifts);
- a shift is completed -> its volunteers are paid in the time bank (timebank);
- a resident is deleted -> their future shifts are cancelled (requests);
- someone asks for a password link -> the e-mail is queued (notifications);
- a login's access is revoked (password changed or reset, suspended) -> its API tokens
  stop working (timebank);
- a volunteer is suspended -> the shifts they hold open again, coordinators are told,
  their calendar feed stops (shifts);
- a resident who signed up online is checked -> their requests become shifts (requests);
- a person's pin is placed or moved -> their future visits and rides follow it (requests);
- a coordinator removes a role -> what it held lets go: a volunteer's future shifts
  reopen, a resident's requests are cancelled (requests);
- a check-in is worried or its mood "unwell" -> an alert for the coordinator on duty (desk);
- a security event (temporary password, second factor, suspension, blocked login), a
  revoked access, a role added or removed, a resident checked, a pin moved -> an entry
  in the audit log (audit).
- a shift is completed -> the first help of the resident's referrals (referrals).
- any flush that changes a shift, a volunteer (profile, home, radius, free times,
  credentials, absences), a request's needs or an organisation's time zone -> the
  board's candidates of what changed are worked out again before the commit
  (shifts/candidates.py; requests note their own rows).

Each listener runs inside the transaction of the change that caused it and never commits.
Connecting twice (several apps in one process, as in tests) connects once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from webapp.audit import listeners as audit_listeners
from webapp.auth.signals import access_revoked, reset_link_requested, security_event
from webapp.desk.listeners import raise_alert
from webapp.notifications.listeners import mail_reset_link
from webapp.people.signals import (
    person_located,
    resident_checked,
    role_changed,
    volunteer_suspended,
)
from webapp.referrals.listeners import first_help
from webapp.requests.listeners import (
    cancel_for_deleted_residents,
    follow_pin,
    let_go_of_role,
    note_needs_changed,
    plan_checked_resident,
)
from webapp.shifts import candidate_marks, candidates
from webapp.shifts import listeners as shift_listeners
from webapp.shifts.signals import (
    checkin_recorded,
    shift_completed,
    shift_details_changed,
    shift_status_changed,
)
from webapp.timebank.listeners import pay_completed_shift
from webapp.timebank.partners import note_shift
from webapp.timebank.tokens import revoke_all


def connect_listeners(app: Flask) -> None:
    # Module-level functions, held strongly: blinker would otherwise keep weak references.
    shift_status_changed.connect(shift_listeners.on_status_changed, weak=False)
    shift_details_changed.connect(shift_listeners.on_details_changed, weak=False)
    shift_completed.connect(pay_completed_shift, weak=False)
    shift_completed.connect(note_shift, weak=False)
    shift_completed.connect(first_help, weak=False)
    reset_link_requested.connect(mail_reset_link, weak=False)
    access_revoked.connect(revoke_all, weak=False)
    volunteer_suspended.connect(shift_listeners.on_volunteer_suspended, weak=False)
    resident_checked.connect(plan_checked_resident, weak=False)
    person_located.connect(follow_pin, weak=False)
    role_changed.connect(let_go_of_role, weak=False)
    checkin_recorded.connect(raise_alert, weak=False)
    # The audit log writes down what coordinators and the system did to accounts/people.
    security_event.connect(audit_listeners.on_security_event, weak=False)
    access_revoked.connect(audit_listeners.on_access_revoked, weak=False)
    role_changed.connect(audit_listeners.on_role_changed, weak=False)
    resident_checked.connect(audit_listeners.on_resident_checked, weak=False)
    person_located.connect(audit_listeners.on_person_located, weak=False)
    session_hooks: list[tuple[str, Callable[..., Any]]] = [
        ("before_flush", cancel_for_deleted_residents),
        # The board's candidates: note what each flush changed, settle it before commit.
        ("after_flush", candidate_marks.note_changes),
        ("after_flush", note_needs_changed),
        ("before_commit", candidates.before_commit),
        ("after_transaction_end", candidate_marks.forget_on_end),
    ]
    for name, hook in session_hooks:
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)
