"""Workflows of the desk: log a call, set a follow-up, raise and close alerts, take duty.

Operations flush and never commit; rules raise :class:`FieldError` keyed by form field.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import has_request_context, url_for
from flask_babel import gettext as _

from webapp.auth.models import Role, User
from webapp.core.errors import FieldError
from webapp.db import utcnow
from webapp.desk.models import Alert, AlertReason, Contact, Direction, Duty, Outcome
from webapp.extensions import db
from webapp.notifications import operations as outbox
from webapp.notifications.models import Channel, Notification, Status
from webapp.people.models import Person
from webapp.shifts import operations as shift_ops
from webapp.shifts.models import CheckIn

# How soon someone must act: a volunteer's written worry the same morning or afternoon,
# a mood of "unwell" alone within the day.
DUE_AFTER = {AlertReason.WORRIED: timedelta(hours=4), AlertReason.UNWELL: timedelta(hours=24)}
MAX_FOLLOW_UP = timedelta(days=90)


# --- contact log --------------------------------------------------------------------------


def log_contact(
    person: Person,
    actor: User,
    *,
    outcome: Outcome,
    note: str | None = None,
    direction: Direction = Direction.OUT,
    follow_up_at: datetime | None = None,
    alert: Alert | None = None,
    told_messages: bool = False,
    now: datetime | None = None,
) -> Contact:
    """Record a call (or a note). Closes the person's open follow-ups: this is the call
    they asked for. ``told_messages``: the call reached them and the messages waiting to
    be read out on the phone were read, so they leave the to-phone list."""
    now = now or utcnow()
    note = (note or "").strip() or None
    if outcome == Outcome.NOTE and not note:
        raise FieldError("note", _("Write the note."))
    if follow_up_at is not None:
        if follow_up_at <= now:
            raise FieldError("follow_up_date", _("The follow-up must be later than now."))
        if follow_up_at > now + MAX_FOLLOW_UP:
            raise FieldError("follow_up_date", _("Set a follow-up within the next 90 days."))
    if told_messages and outcome != Outcome.REACHED:
        raise FieldError(
            "told_messages", _("Messages can only be read out on a call that reached them.")
        )
    for earlier in open_follow_ups(person.id):
        earlier.follow_up_done_at = now
    contact = Contact(
        organisation_id=person.organisation_id,
        person_id=person.id,
        at=now,
        by_id=actor.id,
        direction=direction,
        outcome=outcome,
        note=note,
        follow_up_at=follow_up_at,
        alert_id=alert.id if alert else None,
    )
    db.session.add(contact)
    if told_messages:
        for message in phone_messages(person.id):
            message.status = Status.SENT
            message.sent_at = now
    db.session.flush()
    return contact


def open_follow_ups(person_id: int) -> list[Contact]:
    return list(
        db.session.scalars(
            sa.select(Contact).where(
                Contact.person_id == person_id,
                Contact.follow_up_at.is_not(None),
                Contact.follow_up_done_at.is_(None),
            )
        )
    )


def phone_messages(person_id: int) -> list[Notification]:
    """Messages waiting for a coordinator to read them out to this person."""
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(
                Notification.person_id == person_id,
                Notification.channel == Channel.PHONE,
                Notification.status == Status.PENDING,
            )
            .order_by(Notification.event_at, Notification.id)
        )
    )


def set_follow_up(person: Person, actor: User, when: datetime, note: str | None) -> Contact:
    """A follow-up date on the file without a call ("ring her after the hospital visit")."""
    return log_contact(
        person, actor, outcome=Outcome.NOTE, note=note or _("Follow up"), follow_up_at=when
    )


# --- duty ---------------------------------------------------------------------------------


def on_duty(org_id: int) -> User | None:
    duty = db.session.get(Duty, org_id)
    user = duty.user if duty else None
    return user if user is not None and user.active else None


def take_duty(user: User) -> None:
    if user.role != Role.COORDINATOR or user.organisation_id is None:
        raise FieldError("duty", _("Only a coordinator can be on duty."))
    duty = db.session.get(Duty, user.organisation_id)
    if duty is None:
        duty = Duty(organisation_id=user.organisation_id)
        db.session.add(duty)
    duty.user_id = user.id
    duty.since = utcnow()
    db.session.flush()


# --- alerts -------------------------------------------------------------------------------


def alert_reason(entry: CheckIn) -> AlertReason | None:
    if entry.worried:
        return AlertReason.WORRIED
    if entry.mood == "unwell":
        return AlertReason.UNWELL
    return None


def raise_for_checkin(entry: CheckIn, now: datetime | None = None) -> Alert | None:
    """An alert for a worried check-in or a mood of "unwell", owned by the coordinator on
    duty and due soon; it reaches them in the bell and by e-mail (every coordinator
    when nobody is on duty). Once per check-in."""
    reason = alert_reason(entry)
    resident = entry.shift.request.resident if entry.shift and entry.shift.request else None
    if reason is None or resident is None:
        return None
    exists = db.session.scalar(sa.select(Alert.id).where(Alert.checkin_id == entry.id))
    if exists:
        return None
    now = now or utcnow()
    owner = on_duty(entry.organisation_id)
    alert = Alert(
        organisation_id=entry.organisation_id,
        person_id=resident.id,
        checkin_id=entry.id,
        reason=reason,
        note=entry.note,
        raised_at=now,
        owner_id=owner.id if owner else None,
        due_at=now + DUE_AFTER[reason],
    )
    db.session.add(alert)
    db.session.flush()
    context = {
        "resident_name": resident.full_name,
        "phone": resident.phone or "",
        "address": resident.address,
        "reason": reason.value,
        "note": entry.note or "",
        "volunteer_name": entry.volunteer.full_name if entry.volunteer else "",
        "due_at": alert.due_at,
        "link": (
            url_for("desk.case_file", person_id=resident.id, _external=True)
            if has_request_context()
            else ""
        ),
    }
    key = f"alert:{alert.id}"
    if owner is not None:
        outbox.enqueue(owner, "alert_raised", context, dedupe_key=f"{key}:user{owner.id}")
    else:
        outbox.notify_coordinators(entry.organisation_id, "alert_raised", context, dedupe_key=key)
    return alert


def handle_alert(
    alert: Alert, actor: User, outcome: str | None, now: datetime | None = None
) -> None:
    """Close the alert with what was done; the check-in behind it is marked handled."""
    outcome = (outcome or "").strip()
    if not outcome:
        raise FieldError(
            "outcome", _('Say what was done, e.g. "Called her daughter, GP visiting today".')
        )
    if alert.handled_at is not None:
        raise FieldError("outcome", _("This alert was already handled."))
    alert.handled_at = now or utcnow()
    alert.handled_by_id = actor.id
    alert.outcome = outcome[:2000]
    if alert.checkin is not None:
        shift_ops.handle_alert(alert.checkin, actor)
    db.session.flush()


def take_alert(alert: Alert, actor: User) -> None:
    alert.owner_id = actor.id
    db.session.flush()
