"""The city data's outbox: a year of the messages Ponte would have sent (part of
benchmarks/city_data.py).

Every page's frame counts the login's unread messages, and the coordinator's day lists
the residents to phone, so an outbox as big as a year's makes their cost show. Per
served shift (its first leg): the volunteer's two reminders (a day and two hours
before), the resident's reminder the day before (an e-mail to a resident with a login,
else a coordinator's phone call, made), and, for one in three, the volunteer's thanks;
per shift left unfilled, the invitations sent to five volunteers. Most messages older
than a week have been read. The coming week's resident reminders are still waiting for
the coordinator's call, as those of residents without e-mail do until phoned.

The rows carry the dedupe keys and ``about`` keys the tasks write (webapp/shifts/tasks.py)
and a plain-text body of the usual length; they are written in bulk, not rendered.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from webapp.extensions import db
from webapp.notifications.models import Channel, Notification, Status
from webapp.requests.models import Request
from webapp.shifts.models import Shift, ShiftKind, ShiftStatus

BATCH = 5000
BODY = (
    "Hello {name}, this is a reminder of your {what} on {when}. If something has come "
    "up, please tell us as soon as you can so that we can find someone else. Thank you."
)


def write_outbox(
    rng: random.Random,
    org_id: int,
    done: list,
    logins: dict[int, str],
    now: datetime,
) -> int:
    """Write the year's messages for the served shifts ``done`` (from ``_past_year``),
    the unfilled ones and the coming week's; ``logins`` maps a person id to their login's
    e-mail (whoever has none is phoned). Returns the number of rows."""
    rows = list(_past(rng, org_id, done, logins, now))
    rows += _invitations(rng, org_id, logins, now)
    rows += _coming_week(org_id, logins, now)
    for i in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(Notification), rows[i : i + BATCH])
    return len(rows)


def _row(
    org_id: int,
    person_id: int,
    kind: str,
    shift_id: int,
    group_key: str,
    starts_at: datetime,
    sent_at: datetime | None,
    channel: Channel,
    address: str | None,
    read_at: datetime | None,
    key: str,
) -> dict[str, Any]:
    return dict(
        organisation_id=org_id,
        person_id=person_id,
        user_id=None,
        is_guardian_copy=False,
        channel=channel,
        address=address,
        kind=kind,
        locale="it",
        subject=f"Promemoria: {kind.replace('_', ' ')} {starts_at:%d/%m %H:%M}",
        body=BODY.format(name=person_id, what=kind, when=f"{starts_at:%d/%m/%Y %H:%M}"),
        event_at=starts_at,
        dedupe_key=key,
        about=f"shift:{group_key}",
        status=Status.SENT if sent_at else Status.PENDING,
        attempts=1 if sent_at and channel == Channel.EMAIL else 0,
        next_attempt_at=sent_at or now_or(starts_at),
        created_at=sent_at or now_or(starts_at),
        sent_at=sent_at,
        read_at=read_at,
    )


def now_or(starts_at: datetime) -> datetime:
    # A message still waiting was written the day before its event.
    return starts_at - timedelta(days=1)


def _read(rng: random.Random, sent: datetime, now: datetime) -> datetime | None:
    """Most people read their messages within days; some never open them."""
    share = 0.9 if now - sent > timedelta(days=7) else 0.4
    return sent + timedelta(hours=rng.randint(1, 72)) if rng.random() < share else None


def _past(
    rng: random.Random, org_id: int, done: list, logins: dict[int, str], now: datetime
) -> Iterator[dict[str, Any]]:
    for sid, row, req, vol in done:
        if row["kind"] == ShiftKind.RIDE_BACK:
            continue  # one set of messages per booked unit
        starts = row["starts_at"]
        group = row["group_key"]
        for hours in (24, 2):
            sent = starts - timedelta(hours=hours)
            yield _row(org_id, vol.id, "volunteer_reminder", sid, group, starts, sent,
                       Channel.EMAIL, logins[vol.id], _read(rng, sent, now),
                       f"remind:{sid}:{vol.id}:{hours}")  # fmt: skip
        sent = starts - timedelta(days=1)
        email = logins.get(req.resident_id)
        yield _row(org_id, req.resident_id, "resident_reminder", sid, group, starts, sent,
                   Channel.EMAIL if email else Channel.PHONE, email,
                   _read(rng, sent, now) if email else None,
                   f"resident-remind:{sid}")  # fmt: skip
        if rng.random() < 1 / 3:
            sent = row["ends_at"] + timedelta(hours=2)
            yield _row(org_id, vol.id, "shift_thanks", sid, group, starts, sent,
                       Channel.EMAIL, logins[vol.id], _read(rng, sent, now),
                       f"thanks:{sid}:{vol.id}")  # fmt: skip


def _invitations(
    rng: random.Random, org_id: int, logins: dict[int, str], now: datetime
) -> list[dict[str, Any]]:
    volunteers = sorted(p for p, e in logins.items() if e.startswith("vol"))
    unfilled = db.session.execute(
        sa.select(Shift.id, Shift.group_key, Shift.starts_at)
        .where(Shift.status == ShiftStatus.UNFILLED, Shift.kind != ShiftKind.RIDE_BACK)
        .order_by(Shift.id)
    ).all()
    rows = []
    for sid, group, starts in unfilled:
        sent = starts - timedelta(days=2)
        for vol_id in rng.sample(volunteers, 5):
            rows.append(_row(org_id, vol_id, "shift_invitation", sid, group, starts, sent,
                             Channel.EMAIL, logins[vol_id], _read(rng, sent, now),
                             f"invite:{group}:{vol_id}"))  # fmt: skip
    return rows


def _coming_week(org_id: int, logins: dict[int, str], now: datetime) -> list[dict[str, Any]]:
    """Resident reminders for the coming week's booked shifts, not yet sent or phoned."""
    booked = (ShiftStatus.APPROVED, ShiftStatus.CONFIRMED)
    shifts = db.session.execute(
        sa.select(Shift.id, Shift.group_key, Shift.starts_at, Shift.request_id)
        .where(
            Shift.status.in_(booked),
            Shift.kind != ShiftKind.RIDE_BACK,
            Shift.starts_at > now,
            Shift.starts_at < now + timedelta(days=7),
        )
        .order_by(Shift.id)
    ).all()
    of_request = sa.select(Request.id, Request.resident_id)
    resident_of = dict(db.session.execute(of_request).all())
    rows = []
    for sid, group, starts, request_id in shifts:
        resident = resident_of[request_id]
        if resident is None:
            continue
        email = logins.get(resident)
        rows.append(_row(org_id, resident, "resident_reminder", sid, group, starts, None,
                         Channel.EMAIL if email else Channel.PHONE, email, None,
                         f"resident-remind:{sid}"))  # fmt: skip
    return rows
