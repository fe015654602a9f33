"""Erasure (GDPR Art. 17): a person's personal data go everywhere; the counts stay.

What happens, in one transaction (the view commits once):

1. What the person holds lets go, as when a coordinator removes a role: a volunteer's
   future shifts reopen, a resident's requests are cancelled (the volunteers are told).
2. Their login ends: sessions, API tokens, calendar feed, second factor and recovery
   codes are deleted; the login row stays (the ledger names who recorded a transfer)
   with a pseudonymous address, an unusable password and ``active`` off.
3. Their own messages and preferences are deleted; other people's copies of messages
   about their shifts lose the details (as when a shift is taken away).
4. Free text that names them anywhere (shifts, requests, check-ins, the desk's notes,
   messages, match runs) is blanked: full name, phone, e-mail, address and guardian.
5. The person row stays under a pseudonym (``Erased P-XXXXXX``) with every personal
   field emptied and ``erased_at`` set; profiles, availability, absences and checks go.
   Shifts, requests, check-ins and ledger accounts still point at this row, so reports
   count them and the ledger stays balanced and auditable (transfers are never changed).
6. The audit log's values about them are blanked (the one change its guards allow),
   and the erasure itself is written down.

Not touched: the gazetteer (the town's public street list) and ledger transfer reasons
(append-only; coordinators are asked not to put names there, see docs/privacy.md).
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from webapp.audit import operations as audit
from webapp.audit.models import AuditEvent
from webapp.auth.models import LoginSession, LoginThrottle, RecoveryCode, SecondFactor, User
from webapp.auth.passwords import hash_password
from webapp.db import utcnow
from webapp.desk.models import Alert, Contact
from webapp.extensions import db
from webapp.notifications.models import Notification, NotificationPreference
from webapp.people.models import Person
from webapp.people.signals import role_changed
from webapp.places.geocoding import normalise
from webapp.places.models import GeocodeCache
from webapp.requests.models import Request, RequestStatus
from webapp.shifts.models import Assignment, CalendarToken, CheckIn, Shift
from webapp.shifts.operations import about
from webapp.shifts.transitions import FINAL
from webapp.timebank.models import Account, ApiToken, Transfer

REPLACEMENT = "[erased]"
# Reference data and append-only tables the free-text sweep leaves alone (see above).
NOT_SWEPT = {"gazetteer_entry", "timebank_transfer", "audit_event", "person"}


@dataclass(frozen=True)
class Preview:
    """What an erasure of one person will do, for the page that asks once."""

    requests_cancelled: int
    shifts_released: int
    messages_deleted: int
    has_login: bool
    transfers_kept: int


def preview(person: Person) -> Preview:
    now = utcnow()
    requests = db.session.scalar(
        sa.select(sa.func.count(Request.id)).where(
            Request.resident_id == person.id, Request.status == RequestStatus.ACTIVE
        )
    )
    held = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Shift.group_key)))
        .join(Assignment, Assignment.shift_id == Shift.id)
        .where(
            Assignment.volunteer_id == person.id,
            Shift.starts_at > now,
            Shift.status.not_in(tuple(FINAL)),
        )
    )
    messages = db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(_own_messages(person))
    )
    transfers = 0
    account_id = _account_id(person)
    if account_id is not None:
        transfers = (
            db.session.scalar(
                sa.select(sa.func.count(Transfer.id)).where(
                    sa.or_(
                        Transfer.debit_account_id == account_id,
                        Transfer.credit_account_id == account_id,
                    )
                )
            )
            or 0
        )
    return Preview(requests or 0, held or 0, messages or 0, person.user is not None, transfers)


def _account_id(person: Person) -> int | None:
    return db.session.scalar(sa.select(Account.id).where(Account.person_id == person.id))


def _own_messages(person: Person) -> sa.ColumnElement[bool]:
    conditions = [Notification.person_id == person.id]
    if person.user is not None:
        conditions.append(Notification.user_id == person.user.id)
    return sa.or_(*conditions)


def needles(person: Person) -> list[str]:
    """The strings that identify ``person`` in free text."""
    out = [person.full_name, f"{person.last_name} {person.first_name}", person.address]
    out += [person.phone or "", person.email or ""]
    if person.user is not None:
        out.append(person.user.email)
    if person.phone:
        out.append(re.sub(r"\D", "", person.phone))
    r = person.resident
    if r is not None:
        out += [r.guardian_name or "", r.guardian_phone or "", r.guardian_email or ""]
    return sorted({n.strip() for n in out if n and len(n.strip()) >= 5}, key=len, reverse=True)


def erase(person: Person, actor: User | None) -> str:
    """Erase ``person`` (see the module's docstring). Returns the pseudonym. Flushes."""
    if person.erased_at is not None:
        return person.last_name
    found = needles(person)
    # 1. What the roles hold lets go (messages to the others are queued now, and swept
    #    in step 4 like everything else).
    for role, has in (("volunteer", person.volunteer), ("resident", person.resident)):
        if has is not None:
            role_changed.send(person, role=role, added=False, actor=actor)
    db.session.flush()
    _forget_shift_details(person)
    _end_login(person)
    _delete_own(person)
    _blank_known_fields(person)
    db.session.flush()
    _sweep(person.organisation_id, found)
    pseudonym = _pseudonymise(person)
    db.session.flush()
    audit.redact_person(person.id)
    audit.record(
        "person.erased",
        actor=actor,
        organisation_id=person.organisation_id,
        person_id=person.id,
        changes={"pseudonym": [None, pseudonym]},
    )
    db.session.flush()
    return pseudonym


def _their_shifts(person: Person) -> list[Shift]:
    return list(
        db.session.scalars(
            sa.select(Shift)
            .join(Request, Request.id == Shift.request_id)
            .where(Request.resident_id == person.id)
        )
    )


def _forget_shift_details(person: Person) -> None:
    """Every copy of a message about the resident's shifts loses its body."""
    keys = {about(s) for s in _their_shifts(person)}
    if not keys:
        return
    for row in db.session.scalars(sa.select(Notification).where(Notification.about.in_(keys))):
        row.body = REPLACEMENT
        row.details_removed_at = utcnow()


def _end_login(person: Person) -> None:
    login = person.user
    db.session.execute(sa.delete(CalendarToken).where(CalendarToken.person_id == person.id))
    if login is None:
        return
    for model in (LoginSession, ApiToken, SecondFactor, RecoveryCode):
        db.session.execute(sa.delete(model).where(model.user_id == login.id))
    db.session.execute(
        sa.delete(LoginThrottle).where(
            sa.func.lower(LoginThrottle.key).contains(login.email.lower(), autoescape=True)
        )
    )
    login.email = f"erased-{login.id}-{secrets.token_hex(4)}@erased.invalid"
    login.password_hash = hash_password(secrets.token_urlsafe(32))
    login.active = False
    login.locale = None


def _delete_own(person: Person) -> None:
    db.session.execute(sa.delete(Notification).where(_own_messages(person)))
    db.session.execute(
        sa.delete(NotificationPreference).where(NotificationPreference.person_id == person.id)
    )
    if person.address:
        key = normalise(person.address)
        others = db.session.scalar(
            sa.select(sa.func.count(Person.id)).where(
                Person.organisation_id == person.organisation_id,
                Person.id != person.id,
                Person.address == person.address,
            )
        )
        if not others:
            db.session.execute(
                sa.delete(GeocodeCache).where(
                    GeocodeCache.organisation_id == person.organisation_id, GeocodeCache.key == key
                )
            )


def _blank_known_fields(person: Person) -> None:
    """The fields known to hold their details, blanked outright (the sweep then finds
    the rest)."""
    for req in db.session.scalars(sa.select(Request).where(Request.resident_id == person.id)):
        req.notes = None
        req.pickup_address = None
        req.pickup_lat = req.pickup_lon = None
        req.cancel_reason = None
        req.notice_override_reason = None
    for shift in _their_shifts(person):
        if shift.start_address == person.address:
            shift.start_address, shift.start_lat, shift.start_lon = REPLACEMENT, None, None
        if shift.end_address == person.address:
            shift.end_address, shift.end_lat, shift.end_lon = REPLACEMENT, None, None
        for checkin in db.session.scalars(sa.select(CheckIn).where(CheckIn.shift_id == shift.id)):
            checkin.note = None
    for contact in db.session.scalars(sa.select(Contact).where(Contact.person_id == person.id)):
        contact.note = None
    for alert in db.session.scalars(sa.select(Alert).where(Alert.person_id == person.id)):
        alert.note = None
        alert.outcome = None


def _pseudonymise(person: Person) -> str:
    pseudonym = f"P-{secrets.token_hex(3).upper()}"
    person.first_name, person.last_name = "Erased", pseudonym
    person.phone = person.email = None
    person.address = ""
    person.lat = person.lon = None
    person.neighbourhood = person.location_source = person.gender = None
    person.preferred_locale = None
    person.languages, person.interests = [], []
    person.volunteer = None  # delete-orphan: profiles, slots, absences and checks go
    person.resident = None
    person.slots = []
    person.absences = []
    person.credentials = []
    person.erased_at = utcnow()
    return pseudonym


def _text_columns(table: sa.Table) -> list[sa.Column[Any]]:
    return [
        c
        for c in table.columns
        if isinstance(c.type, sa.String | sa.Text | sa.JSON)
        and not isinstance(c.type, sa.Enum)  # fixed values: never a person's details
        and not c.primary_key
    ]


def _scrub(value: Any, patterns: list[re.Pattern[str]]) -> Any:
    if value is None:
        return None
    is_json = not isinstance(value, str)
    text = json.dumps(value, ensure_ascii=False) if is_json else value
    for pattern in patterns:
        text = pattern.sub(REPLACEMENT, text)
    return json.loads(text) if is_json else text


def _sweep(org_id: int, found: list[str]) -> None:
    """Replace ``found`` (case-insensitively) in every text column of every table but
    ``NOT_SWEPT``, in rows of the organisation (tables without one: every row)."""
    if not found:
        return
    patterns = [re.compile(re.escape(n), re.IGNORECASE) for n in found]
    for table in db.metadata.sorted_tables:
        if table.name in NOT_SWEPT:
            continue
        columns = _text_columns(table)
        pk = list(table.primary_key.columns)
        if not columns or not pk:
            continue
        hits = [
            sa.func.lower(sa.cast(c, sa.Text)).contains(n.lower(), autoescape=True)
            for c in columns
            for n in found
        ]
        query = sa.select(*pk, *columns).where(sa.or_(*hits))
        if "organisation_id" in table.c:
            query = query.where(table.c.organisation_id == org_id)
        for row in db.session.execute(query).all():
            keys = {c.name: row._mapping[c] for c in pk}
            values = {}
            for c in columns:
                before = row._mapping[c]
                after = _scrub(before, patterns)
                if after != before:
                    values[c.name] = after
            if not values:
                continue
            db.session.execute(
                table.update().where(*[table.c[k] == v for k, v in keys.items()]).values(**values)
            )
    db.session.expire_all()


def erased_events(person_id: int) -> int:
    """How many audit entries about ``person_id`` have their values blanked."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(
                AuditEvent.person_id == person_id, AuditEvent.redacted_at.is_not(None)
            )
        )
        or 0
    )
