"""Workflows of referrals: take one in, link it to a resident, move it along its path,
record a loneliness measure. Operations flush and never commit; rules raise
:class:`FieldError` keyed by form field."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from webapp.auth.models import User
from webapp.core.errors import FieldError
from webapp.db import utcnow
from webapp.extensions import db
from webapp.orgs.settings import org_tz, settings_for
from webapp.people.models import Person, ResidentProfile
from webapp.people.search import Duplicate, digits, possible_duplicates
from webapp.referrals import scales
from webapp.referrals.models import (
    OPEN,
    TRANSITIONS,
    Channel,
    CloseReason,
    Consent,
    DirectoryActivity,
    LonelinessMeasure,
    Prescription,
    Referral,
    ReferralStatus,
    SourceKind,
)

S = ReferralStatus
FIRST_CONTACT_WORKING_DAYS = 2  # the usual target: first contact within 2 working days


def working_days_after(start: datetime, days: int, org_id: int) -> datetime:
    """``days`` working days (Monday to Friday, the organisation's calendar) after
    ``start``, at the same local time."""
    local = start.astimezone(org_tz(org_id))
    left = days
    while left > 0:
        local += timedelta(days=1)
        if local.weekday() < 5:
            left -= 1
    return local.astimezone(start.tzinfo)


def _clean(value: Any, limit: int) -> str | None:
    text = str(value or "").strip()
    return text[:limit] or None


def submit(
    org_id: int,
    data: Mapping[str, Any],
    *,
    channel: Channel,
    by: User | None = None,
    now: datetime | None = None,
) -> Referral:
    """Take a referral in (the public form, or a coordinator on the phone, who then owns
    it). The first contact is due within two working days."""
    now = now or utcnow()
    errors: dict[str, Any] = {}
    subject = _clean(data.get("subject_name"), 200)
    phone = _clean(data.get("subject_phone"), 40)
    address = _clean(data.get("subject_address"), 300)
    referrer = _clean(data.get("referrer_name"), 200)
    contact = _clean(data.get("referrer_contact"), 254)
    if not subject:
        errors["subject_name"] = _l("Give their name, or how people know them.")
    if not phone and not address:
        errors["subject_phone"] = _l(
            "Give their phone number or their address, so we can find them."
        )
    elif phone and len(digits(phone)) < 5:
        errors["subject_phone"] = _l("This does not look like a phone number.")
    if not referrer:
        errors["referrer_name"] = _l("Tell us your name.")
    if channel == Channel.ONLINE and not contact:
        errors["referrer_contact"] = _l("Give a phone number or e-mail where we can reach you.")
    if channel == Channel.ONLINE and not data.get("agree"):
        errors["agree"] = _l("Tick the box so that we may keep these details.")
    try:
        source = SourceKind(str(data.get("source_kind") or ""))
    except ValueError:
        errors["source_kind"] = _l("Say how you know them.")
    try:
        consent = Consent(str(data.get("consent") or ""))
    except ValueError:
        errors["consent"] = _l("Say whether they know about this referral.")
    if errors:
        raise FieldError(errors)
    referral = Referral(
        organisation_id=org_id,
        source_kind=source,
        channel=channel,
        referrer_name=referrer,
        referrer_contact=contact,
        subject_name=subject,
        subject_phone=phone,
        subject_address=address,
        reason=_clean(data.get("reason"), 2000),
        consent=consent,
        status=S.NEW,
        owner_id=by.id if by else None,
        created_by_id=by.id if by else None,
        created_at=now,
        due_at=working_days_after(now, FIRST_CONTACT_WORKING_DAYS, org_id),
        status_token=secrets.token_urlsafe(24),
    )
    db.session.add(referral)
    db.session.flush()
    return referral


def _split(name: str) -> tuple[str, str]:
    first, _sep, last = name.strip().partition(" ")
    return first, last.strip()


def candidates(referral: Referral) -> list[Duplicate]:
    """Residents already on file who may be the person referred (the one duplicate check
    of ``people/search.py``: same phone, or similar name at a similar address)."""
    first, last = _split(referral.subject_name)
    return possible_duplicates(
        referral.organisation_id,
        first_name=first,
        last_name=last,
        phone=referral.subject_phone,
        address=referral.subject_address,
    )


def link_person(referral: Referral, person: Person) -> None:
    if person.organisation_id != referral.organisation_id:
        raise FieldError("person", _l("Choose someone of your organisation."))
    referral.person_id = person.id
    db.session.flush()


def register_person(referral: Referral, actor: User) -> Person:
    """A new resident record from the referral's details. Consent is not recorded here:
    the coordinator records it on the case file once the person agrees."""
    if referral.person_id is not None:
        raise FieldError("person", _l("This referral is already linked to a resident."))
    first, last = _split(referral.subject_name)
    person = Person(
        organisation_id=referral.organisation_id,
        first_name=first,
        last_name=last,
        phone=referral.subject_phone,
        address=referral.subject_address or "",
        is_resident=True,
        languages=[],
        interests=[],
    )
    person.resident = ResidentProfile(checked_at=utcnow(), checked_by_id=actor.id)
    db.session.add(person)
    db.session.flush()
    referral.person_id = person.id
    db.session.flush()
    return person


def take(referral: Referral, actor: User) -> None:
    referral.owner_id = actor.id
    db.session.flush()


def set_due(referral: Referral, due: datetime, now: datetime | None = None) -> None:
    if due <= (now or utcnow()) - timedelta(minutes=1):
        raise FieldError("due_date", _l("The due date must be in the future."))
    referral.due_at = due
    db.session.flush()


def move(referral: Referral, new: ReferralStatus, now: datetime | None = None) -> None:
    """The one way a referral's status changes (see ``TRANSITIONS``); stamps the time of
    each step the first time it is reached."""
    if new not in TRANSITIONS[referral.status]:
        raise FieldError(
            "status",
            _l("A referral that is %(old)s cannot become %(new)s.",
               old=referral.status.value, new=new.value),  # fmt: skip
        )
    now = now or utcnow()
    if new in (S.CONTACTED, S.ASSESSED, S.ACCEPTED) and referral.first_contact_at is None:
        referral.first_contact_at = now
    if new == S.ASSESSED and referral.assessed_at is None:
        referral.assessed_at = now
    if new == S.ACCEPTED:
        referral.accepted_at = now
    if new in (S.ACCEPTED, S.DECLINED):
        referral.closed_at = now
    referral.status = new
    db.session.flush()


def accept(referral: Referral, now: datetime | None = None) -> None:
    if referral.person_id is None:
        raise FieldError("person", _l("Link the referral to a resident first."))
    move(referral, S.ACCEPTED, now)


def decline(
    referral: Referral, reason: str | None, note: str | None, now: datetime | None = None
) -> None:
    try:
        why = CloseReason(reason or "")
    except ValueError:
        raise FieldError("close_reason", _l("Choose why it is closed.")) from None
    note = _clean(note, 2000)
    if why == CloseReason.OTHER and not note:
        raise FieldError("close_note", _l("Say why it is closed."))
    move(referral, S.DECLINED, now)
    referral.close_reason = why
    referral.close_note = note
    db.session.flush()


def open_for(person_id: int) -> list[Referral]:
    return list(
        db.session.scalars(
            sa.select(Referral)
            .where(Referral.person_id == person_id, Referral.status.in_(OPEN))
            .order_by(Referral.created_at)
        )
    )


def contact_made(person: Person, at: datetime, reached: bool) -> list[Referral]:
    """A call with the person was logged (the desk's contact log). One that reached them
    is the first contact of their new referrals."""
    if not reached:
        return []
    moved = [r for r in open_for(person.id) if r.status == S.NEW]
    for referral in moved:
        move(referral, S.CONTACTED, at)
    return moved


def record_measure(
    person: Person,
    actor: User,
    *,
    answers: Mapping[str, int | None],
    direct: int | None,
    factors: Sequence[str],
    method: str = "phone",
    now: datetime | None = None,
) -> LonelinessMeasure:
    """A UCLA-3 measure (and the direct question) for ``person``; their open referrals
    become *assessed* (a measure on the phone means they were reached)."""
    now = now or utcnow()
    try:
        score = scales.ucla3_score(answers)
        direct = scales.check_direct(direct)
    except scales.ScaleError as error:
        raise FieldError(error.item, _l("Choose an answer.")) from None
    if method not in ("phone", "visit"):
        raise FieldError("method", _l("Choose how it was asked."))
    unknown = set(factors) - set(scales.RISK_FACTORS)
    if unknown:
        raise FieldError("risk_factors", _l("Choose from the list."))
    referrals = open_for(person.id)
    measure = LonelinessMeasure(
        organisation_id=person.organisation_id,
        person_id=person.id,
        referral_id=referrals[0].id if referrals else None,
        scale=scales.UCLA3,
        taken_at=now,
        taken_by_id=actor.id,
        method=method,
        answers={item: int(answers[item] or 0) for item in scales.UCLA3_ITEMS},
        score=score,
        direct=direct,
        risk_factors=[f for f in scales.RISK_FACTORS if f in factors],
    )
    db.session.add(measure)
    for referral in referrals:
        if referral.status == S.NEW:
            move(referral, S.CONTACTED, now)
        if referral.status == S.CONTACTED:
            move(referral, S.ASSESSED, now)
    db.session.flush()
    return measure


def help_given(person_id: int, at: datetime) -> list[Referral]:
    """The person had a visit or ride (a shift completed): the first help of their
    referrals made before it, unless an earlier one was already recorded."""
    found = list(
        db.session.scalars(
            sa.select(Referral).where(
                Referral.person_id == person_id,
                Referral.first_help_at.is_(None),
                Referral.status != S.DECLINED,
                Referral.created_at <= at,
            )
        )
    )
    for referral in found:
        referral.first_help_at = at
    db.session.flush()
    return found


def set_remeasure_months(org_id: int, months: int | None) -> None:
    if months is None or not 1 <= months <= 24:
        raise FieldError("remeasure_months", _l("Give a number of months from 1 to 24."))
    settings_for(org_id).remeasure_months = months
    db.session.flush()


# --- the directory and social prescribing --------------------------------------------

ACTIVITY_FIELDS = {"name": 200, "what": 2000, "place": 300, "schedule": 200, "cost": 100,
                   "accessibility": 300, "contact": 200}  # fmt: skip


def add_activity(org_id: int, data: Mapping[str, Any]) -> DirectoryActivity:
    values = {k: _clean(data.get(k), limit) for k, limit in ACTIVITY_FIELDS.items()}
    if not values["name"]:
        raise FieldError("name", _l("Give the activity's name."))
    activity = DirectoryActivity(organisation_id=org_id, **values)
    db.session.add(activity)
    db.session.flush()
    return activity


def prescribe(
    person: Person, activity: DirectoryActivity | None, actor: User, *, needs_ride: bool = False
) -> Prescription:
    if activity is None or activity.organisation_id != person.organisation_id:
        raise FieldError("activity_id", _l("Choose an activity from the directory."))
    prescription = Prescription(
        organisation_id=person.organisation_id,
        person_id=person.id,
        activity_id=activity.id,
        prescribed_by_id=actor.id,
        needs_ride=needs_ride,
    )
    db.session.add(prescription)
    db.session.flush()
    return prescription


def record_attendance(prescription: Prescription, went: bool, kept_going: bool | None) -> None:
    """Whether they went, and (once they went) whether they kept going."""
    prescription.went = went
    prescription.kept_going = kept_going if went else False
    db.session.flush()
