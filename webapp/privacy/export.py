"""A person's data (GDPR Art. 15 and 20): everything about them, nothing about others.

``collect(person)`` returns plain sections (JSON-safe); ``as_csv`` flattens them into
``section, item, field, value`` rows. What is left out, and why:

- other people: who booked, visited or drove (a volunteer's shifts keep the time and
  kind, not the resident's address; a resident's shifts not the volunteers' names);
  the other side of a ledger transfer; who in the office recorded what;
- secrets: password hash, token hashes, second-factor secret, session ids;
- messages about a shift sent to a volunteer keep their subject, not the body (it holds
  the resident's details).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from webapp.audit import queries as audit_queries
from webapp.audit.operations import plain
from webapp.auth.models import LoginSession, SecondFactor
from webapp.db import utcnow
from webapp.desk.models import Alert, Contact
from webapp.extensions import db
from webapp.notifications.models import Notification, NotificationPreference
from webapp.people.models import Person
from webapp.requests.models import Request
from webapp.shifts.models import Assignment, CheckIn, Shift
from webapp.timebank.models import Account, ApiToken, Transfer

# Columns that name someone else or hold a secret: never exported.
OTHERS = {
    "organisation_id",
    "created_by_id",
    "cancelled_by_id",
    "notice_override_by_id",
    "preferred_volunteer_id",
    "consent_recorded_by_id",
    "checked_by_id",
    "status_changed_by_id",
    "recorded_by_id",
    "by_id",
    "owner_id",
    "handled_by_id",
    "volunteer_id",
    "replaces_id",
}


def _row(obj: Any, skip: Iterable[str] = ()) -> dict[str, Any]:
    table = obj.__table__
    out = {}
    for column in table.columns:
        if column.name in OTHERS or column.name in skip:
            continue
        out[column.key] = plain(getattr(obj, column.key, None))
    return out


def collect(person: Person) -> dict[str, Any]:
    """Every section of ``person``'s data."""
    data: dict[str, Any] = {
        "exported_at": plain(utcnow()),
        "person": _row(person),
        "volunteer_profile": _row(person.volunteer) if person.volunteer else None,
        "resident_profile": _row(person.resident) if person.resident else None,
        "availability": [_row(s, ("person_id",)) for s in person.slots],
        "absences": [_row(a, ("person_id",)) for a in person.absences],
        "checks": [_row(c, ("person_id",)) for c in person.credentials],
    }
    data["login"] = _login(person)
    data["requests"] = [
        _row(r, ("resident_id",))
        for r in db.session.scalars(
            sa.select(Request).where(Request.resident_id == person.id).order_by(Request.id)
        )
    ]
    data["visits_and_rides_received"] = _received(person)
    data["visits_and_rides_given"] = _given(person)
    data["messages"] = _messages(person)
    pref = db.session.scalar(
        sa.select(NotificationPreference).where(NotificationPreference.person_id == person.id)
    )
    data["message_preference"] = _row(pref, ("person_id",)) if pref else None
    data["calls_and_notes"] = [
        _row(c, ("person_id", "alert_id"))
        for c in db.session.scalars(
            sa.select(Contact).where(Contact.person_id == person.id).order_by(Contact.id)
        )
    ]
    data["alerts"] = [
        _row(a, ("person_id", "checkin_id"))
        for a in db.session.scalars(
            sa.select(Alert).where(Alert.person_id == person.id).order_by(Alert.id)
        )
    ]
    data["time_bank"] = _ledger(person)
    data["record_of_access"] = [
        {"at": plain(e.at), "action": e.action, "changes": e.changes}
        for e in audit_queries.about(person.id)
    ]
    return data


def _login(person: Person) -> dict[str, Any] | None:
    user = person.user
    if user is None:
        return None
    return {
        "email": user.email,
        "role": plain(user.role),
        "created_at": plain(user.created_at),
        "locale": user.locale,
        "second_factor": db.session.scalar(
            sa.select(SecondFactor.enabled_at).where(SecondFactor.user_id == user.id)
        )
        is not None,
        "sessions": [
            {
                "created_at": plain(s.created_at),
                "last_seen_at": plain(s.last_seen_at),
                "ip_address": s.ip_address,
                "user_agent": s.user_agent,
            }
            for s in db.session.scalars(
                sa.select(LoginSession).where(LoginSession.user_id == user.id)
            )
        ],
        "api_tokens": [
            _row(t, ("user_id", "token_hash"))
            for t in db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id))
        ],
    }


def _received(person: Person) -> list[dict[str, Any]]:
    shifts = db.session.scalars(
        sa.select(Shift)
        .join(Request, Request.id == Shift.request_id)
        .where(Request.resident_id == person.id)
        .order_by(Shift.starts_at)
    )
    out = []
    for shift in shifts:
        row = _row(shift, ("request_id", "group_key"))
        row["check_ins"] = [
            _row(c, ("shift_id",))
            for c in db.session.scalars(sa.select(CheckIn).where(CheckIn.shift_id == shift.id))
        ]
        out.append(row)
    return out


def _given(person: Person) -> list[dict[str, Any]]:
    """A volunteer's shifts: when and what, not whom or where (the resident's)."""
    rows = db.session.execute(
        sa.select(Shift, Assignment)
        .join(Assignment, Assignment.shift_id == Shift.id)
        .where(Assignment.volunteer_id == person.id)
        .order_by(Shift.starts_at)
    ).all()
    return [
        {
            "shift_id": shift.id,
            "kind": plain(shift.kind),
            "status": plain(shift.status),
            "starts_at": plain(shift.starts_at),
            "ends_at": plain(shift.ends_at),
            "seat": seat.seat,
            "confirmed_at": plain(seat.confirmed_at),
            "actual_start": plain(seat.actual_start),
            "actual_end": plain(seat.actual_end),
        }
        for shift, seat in rows
    ]


def _messages(person: Person) -> list[dict[str, Any]]:
    conditions = [Notification.person_id == person.id]
    if person.user is not None:
        conditions.append(Notification.user_id == person.user.id)
    rows = db.session.scalars(
        sa.select(Notification).where(sa.or_(*conditions)).order_by(Notification.id)
    )
    out = []
    for m in rows:
        row = _row(m, ("person_id", "user_id", "dedupe_key", "last_error", "claimed_at"))
        if m.about and person.is_volunteer and m.person_id == person.id:
            row["body"] = None  # a volunteer's copy: the resident's details are theirs
        out.append(row)
    return out


def _ledger(person: Person) -> dict[str, Any] | None:
    account = db.session.scalar(sa.select(Account).where(Account.person_id == person.id))
    if account is None:
        return None
    transfers = db.session.scalars(
        sa.select(Transfer)
        .where(
            sa.or_(
                Transfer.debit_account_id == account.id, Transfer.credit_account_id == account.id
            )
        )
        .order_by(Transfer.id)
    )
    return {
        "balance_minutes": account.balance,
        "opened_at": plain(account.opened_at),
        "transfers": [
            {
                "id": t.id,
                "date": plain(t.service_date),
                "kind": plain(t.kind),
                "minutes": t.amount if t.credit_account_id == account.id else -t.amount,
                "reason": t.reason,
            }
            for t in transfers
        ],
    }


def as_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def _flatten(prefix: str, value: Any, out: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), inner, out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, inner in enumerate(value):
            _flatten(f"{prefix}[{i}]", inner, out)
    else:
        text = (
            json.dumps(value, ensure_ascii=False)
            if isinstance(value, list)
            else ("" if value is None else str(value))
        )
        out.append((prefix, text))


def as_csv(data: dict[str, Any]) -> str:
    """One row per value: ``section, field, value`` (``field`` is a dotted path)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["section", "field", "value"])
    for section, value in data.items():
        rows: list[tuple[str, str]] = []
        _flatten("", value, rows)
        for field, text in rows:
            writer.writerow([section, field, text])
    return buffer.getvalue()
