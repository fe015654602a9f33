"""The timeline sources the desk knows: requests, shifts, check-ins, calls and notes,
alerts, messages and consent. Each is registered with ``core.timeline.add_source``;
another feature adds its own the same way (see that module)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from webapp.core.timeline import Entry, add_source
from webapp.desk.models import Alert, AlertReason, Contact, Outcome
from webapp.extensions import db
from webapp.notifications.models import Channel, Notification, Status
from webapp.people.models import Person
from webapp.requests.models import Request, RequestKind, RequestStatus
from webapp.shifts.models import CheckIn, Shift, ShiftKind
from webapp.shifts.transitions import STATUS_LABELS

LIMIT = 200  # per source: a long file still opens fast; the oldest are in the lists


def outcome_label(outcome: Outcome) -> str:
    return {
        Outcome.REACHED: _("Reached"),
        Outcome.NO_ANSWER: _("No answer"),
        Outcome.BUSY: _("Line busy"),
        Outcome.MESSAGE_LEFT: _("Message left"),
        Outcome.WRONG_NUMBER: _("Wrong number"),
        Outcome.NOTE: _("Note"),
    }[outcome]


def mood_label(mood: str) -> str:
    return {
        "good": _("In good spirits"),
        "ok": _("As usual"),
        "low": _("Low or lonely"),
        "unwell": _("Unwell"),
    }.get(mood, mood)


def reason_label(reason: AlertReason) -> str:
    return _("A volunteer is worried") if reason == AlertReason.WORRIED else _("Seemed unwell")


def _shift_title(shift: Shift) -> str:
    return {
        ShiftKind.VISIT: _("Home visit"),
        ShiftKind.RIDE_OUT: _("Ride there"),
        ShiftKind.RIDE_BACK: _("Ride back"),
    }[shift.kind]


def requests_of(person: Person) -> list[Entry]:
    rows = db.session.scalars(
        sa.select(Request)
        .where(Request.resident_id == person.id)
        .order_by(Request.created_at.desc())
        .limit(LIMIT)
    )
    out = []
    for req in rows:
        if req.kind == RequestKind.RIDE:
            title = _("Ride requested to %(place)s", place=req.destination_name
                      or req.destination_address or "?")  # fmt: skip
        else:
            title = _("Home visits requested")
        detail = _("weekly") if req.recurring else None
        if req.status == RequestStatus.CANCELLED:
            detail = _("cancelled")
        out.append(
            Entry(
                req.created_at, "request", _("Request"), title, detail,
                url_for("requests.detail", request_id=req.id),
            )
        )  # fmt: skip
    return out


def shifts_of(person: Person) -> list[Entry]:
    rows = db.session.scalars(
        sa.select(Shift)
        .join(Request, Request.id == Shift.request_id)
        .where(Request.resident_id == person.id)
        .order_by(Shift.starts_at.desc())
        .limit(LIMIT)
    )
    out = []
    for shift in rows:
        names = ", ".join(a.volunteer.full_name for a in shift.assignments) or _("nobody yet")
        out.append(
            Entry(
                shift.starts_at, "shift", _("Shift"),
                f"{_shift_title(shift)}: {STATUS_LABELS[shift.status]}", names,
                url_for("shifts.manage", shift_id=shift.id),
            )
        )  # fmt: skip
    return out


def checkins_of(person: Person) -> list[Entry]:
    rows = db.session.scalars(
        sa.select(CheckIn)
        .join(Shift, Shift.id == CheckIn.shift_id)
        .join(Request, Request.id == Shift.request_id)
        .where(Request.resident_id == person.id)
        .order_by(CheckIn.created_at.desc())
        .limit(LIMIT)
    )
    out = []
    for c in rows:
        by = c.volunteer.full_name if c.volunteer else _("a volunteer")
        title = _("Check-in by %(who)s: %(mood)s", who=by, mood=mood_label(c.mood))
        out.append(
            Entry(
                c.created_at, "checkin", _("Check-in"), title, c.note,
                url_for("shifts.manage", shift_id=c.shift_id),
                attention=c.worried or c.mood == "unwell",
            )
        )  # fmt: skip
    return out


def contacts_of(person: Person) -> list[Entry]:
    rows = db.session.scalars(
        sa.select(Contact)
        .where(Contact.person_id == person.id)
        .order_by(Contact.at.desc())
        .limit(LIMIT)
    )
    out = []
    for c in rows:
        label = _("Note") if c.outcome == Outcome.NOTE else _("Call")
        who = c.by.email if c.by else ""
        title = outcome_label(c.outcome) if c.outcome != Outcome.NOTE else (c.note or "")
        detail = c.note if c.outcome != Outcome.NOTE else None
        out.append(
            Entry(
                c.at, "call", label, title, detail, None,
                extra={"by": who, "follow_up_at": c.follow_up_at,
                       "follow_up_open": c.follow_up_at is not None
                       and c.follow_up_done_at is None, "incoming": c.direction.value == "in"},
            )
        )  # fmt: skip
    return out


def alerts_of(person: Person) -> list[Entry]:
    rows = db.session.scalars(
        sa.select(Alert).where(Alert.person_id == person.id).order_by(Alert.raised_at.desc())
    )
    return [
        Entry(
            a.raised_at, "alert", _("Alert"), reason_label(a.reason), a.note,
            url_for("desk.alerts", _anchor=f"alert-{a.id}"),
            attention=a.handled_at is None,
            extra={"alert": a},
        )  # fmt: skip
        for a in rows
    ]


def messages_of(person: Person) -> list[Entry]:
    rows = db.session.scalars(
        sa.select(Notification)
        .where(Notification.person_id == person.id, Notification.status != Status.CANCELLED)
        .order_by(Notification.created_at.desc())
        .limit(LIMIT)
    )
    out = []
    for m in rows:
        if m.channel == Channel.PHONE:
            detail = _("read out on the phone") if m.status == Status.SENT else _("to read out")
        elif m.status == Status.FAILED:
            detail = _("could not be sent")
        else:
            detail = None
        out.append(Entry(m.created_at, "message", _("Message"), m.subject, detail))
    return out


def consent_of(person: Person) -> list[Entry]:
    r = person.resident
    if r is None or r.consent_given_at is None:
        return []
    how = {"phone": _("by phone"), "online": _("online"), "paper": _("on paper")}
    method = how.get(r.consent_method or "", r.consent_method or "")
    return [Entry(r.consent_given_at, "consent", _("Consent"), _("Consent given"), method)]


for _source in (requests_of, shifts_of, checkins_of, contacts_of, alerts_of, messages_of,
                consent_of):  # fmt: skip
    add_source(_source)
