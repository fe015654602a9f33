"""Changing a request: what a change would alter (:func:`what_changes`), the notes and
details that keep its shifts (:func:`change_notes`), a new date, time or place, which makes
a new request (:func:`reschedule`), and whether it can still be changed
(:func:`change_refusal`). Operations flush; views commit."""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import lazy_gettext as _

from webapp.auth.models import User
from webapp.core.timeutil import today_local
from webapp.db import utcnow
from webapp.extensions import db
from webapp.orgs.settings import org_tz
from webapp.requests.models import Request, RequestKind, RequestStatus
from webapp.requests.operations import Draft, cancel_request, create_request, fill_from_draft
from webapp.shifts.models import Shift
from webapp.shifts.signals import shift_details_changed
from webapp.shifts.transitions import FINAL


def change_notes(
    req: Request,
    actor: User | None,
    *,
    notes: str | None,
    wheelchair: bool | None = None,
    escort: bool | None = None,
) -> None:
    """A change that keeps the shifts (what the volunteer should know). Volunteers already
    on a future shift are told."""
    changes: list[str] = []
    if (notes or None) != req.notes:
        req.notes = notes or None
        changes.append("notes")
    if wheelchair is not None and wheelchair != req.wheelchair:
        req.wheelchair = wheelchair
        changes.append("wheelchair")
    if escort is not None and escort != req.escort:
        req.escort = escort
        changes.append("escort")
    if not changes:
        return
    db.session.flush()
    future = db.session.scalars(
        sa.select(Shift).where(
            Shift.request_id == req.id,
            Shift.starts_at > utcnow(),
            Shift.status.not_in(tuple(FINAL)),
        )
    ).all()
    for shift in future:
        if shift.assignments:
            shift_details_changed.send(shift, actor=actor, changes=changes)
    db.session.flush()


def reschedule(req: Request, draft: Draft, actor: User | None) -> Request:
    """A change of when or where: the old request's future shifts are cancelled (volunteers
    told: "request changed") and a new request takes its place from the new details.

    The draft carries the priority and the preferred volunteer (prefilled from the old
    request: continuity is the point of befriending). On a :class:`FieldError` the
    caller rolls back, which also undoes the cancellation."""
    resident = req.resident
    cancel_request(req, actor, "request changed")
    new = create_request(resident, draft, actor)
    new.replaces_id = req.id
    return new


def draft_from_request(req: Request) -> Draft:
    """The request's current details as a :class:`Draft` (to prefill a change form)."""
    return Draft(
        kind=req.kind,
        start_date=req.start_date,
        windows=[(w.weekday, w.start, w.end) for w in req.windows],
        duration_minutes=req.duration_minutes,
        recurring=req.recurring,
        end_date=req.end_date,
        languages=list(req.languages or []),
        gender_preference=req.gender_preference,
        interests=list(req.interests or []),
        two_volunteers=req.two_volunteers,
        notes=req.notes,
        priority=req.priority,
        preferred_volunteer_id=req.preferred_volunteer_id,
        # The resident's home is the default pickup: leave it empty so a move follows them.
        pickup_address=None
        if req.resident is not None and req.pickup_address == req.resident.address
        else req.pickup_address,
        destination_name=req.destination_name,
        destination_address=req.destination_address,
        purpose=req.purpose,
        appointment_time=req.appointment_time,
        stay_minutes=req.stay_minutes,
        return_wanted=req.return_wanted,
        passengers=req.passengers,
        wheelchair=req.wheelchair,
        escort=req.escort,
        max_ride_minutes=req.max_ride_minutes,
    )


def change_refusal(req: Request, now: datetime | None = None) -> LazyString | None:
    """Why ``req`` can no longer be changed (a lazy string), or ``None`` if it can."""
    return refusal_of(
        req.status, req.resident_id, req.recurring, req.start_date, req.end_date,
        req.organisation_id, now,
    )  # fmt: skip


def refusal_of(
    status: RequestStatus,
    resident_id: int | None,
    recurring: bool,
    start_date: date,
    end_date: date | None,
    org_id: int,
    now: datetime | None = None,
) -> LazyString | None:
    """:func:`change_refusal` of a request read as columns (the resident's home)."""
    if status == RequestStatus.CANCELLED or resident_id is None:
        return _("This request was cancelled, so it cannot be changed. Make a new request.")
    last = end_date if recurring and end_date else start_date
    if last < today_local(org_tz(org_id), now):
        return _("This request is over, so it cannot be changed. Make a new request.")
    return None


# What a volunteer plans their day around: a change to any of these makes a new request.
# (``fill_from_draft`` sets only the fields of the request's kind, so each kind has its own list.)
_COMMON = ("start_date", "recurring", "end_date", "languages", "gender_preference", "interests")
_PLAN_FIELDS = {
    RequestKind.VISIT: (*_COMMON, "duration_minutes", "two_volunteers"),
    RequestKind.RIDE: (
        *_COMMON,
        "pickup_address",
        "destination_name",
        "destination_address",
        "purpose",
        "appointment_time",
        "stay_minutes",
        "return_wanted",
        "passengers",
    ),
}
# Changes that keep the shifts (see :func:`change_notes`).
_NOTE_FIELDS = {RequestKind.VISIT: ("notes",), RequestKind.RIDE: ("notes", "wheelchair", "escort")}


def what_changes(req: Request, draft: Draft) -> str:
    """Check ``draft`` like :func:`create_request` would (raising :class:`FieldError`),
    and say what it changes: ``"nothing"``, ``"notes"`` (only notes, wheelchair or escort:
    the shifts can stay) or ``"plan"`` (when or where: :func:`reschedule`)."""
    probe = Request(organisation_id=req.organisation_id, kind=req.kind)
    fill_from_draft(probe, req.resident, draft)  # never added to the session: only compared

    def values(r: Request, names: tuple[str, ...]) -> tuple[object, ...]:
        return tuple(_comparable(getattr(r, n)) for n in names)

    def windows(r: Request) -> list[tuple[int, time, time]]:
        return sorted((w.weekday, w.start, w.end) for w in r.windows)

    plan = _PLAN_FIELDS[req.kind]
    if values(probe, plan) != values(req, plan) or windows(probe) != windows(req):
        return "plan"
    if values(probe, _NOTE_FIELDS[req.kind]) != values(req, _NOTE_FIELDS[req.kind]):
        return "notes"
    return "nothing"


def _comparable(value: object) -> object:
    """Lists of codes compare as sets: ``["en", "it"]`` is the same as ``["it", "en"]``."""
    return tuple(sorted(value)) if isinstance(value, list) else value
