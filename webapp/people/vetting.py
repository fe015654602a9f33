"""Vetting volunteers: credential checks, status changes and who is lapsing.

Status changes go through one transition table; an illegal move raises
:class:`FieldError`. The profile records the latest change: who, when and why.
Operations flush; the view commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from webapp.audit import operations as audit
from webapp.audit.operations import diff, snapshot
from webapp.auth.models import User
from webapp.auth.sessions import end_all_sessions
from webapp.auth.signals import access_revoked, security_event
from webapp.core.errors import FieldError
from webapp.db import utcnow
from webapp.extensions import db
from webapp.people.eligibility import (
    REQUIRED_FOR_DRIVING,
    REQUIRED_FOR_VISITS,
    valid_on,
)
from webapp.people.models import (
    Credential,
    CredentialKind,
    Person,
    VolunteerProfile,
    VolunteerStatus,
)
from webapp.people.signals import volunteer_suspended

S = VolunteerStatus
# action -> (statuses it may start from, status it leads to, reason required)
TRANSITIONS: dict[str, tuple[frozenset[VolunteerStatus], VolunteerStatus, bool]] = {
    "approve": (frozenset({S.PENDING, S.REJECTED}), S.APPROVED, False),
    "reject": (frozenset({S.PENDING}), S.REJECTED, True),
    "suspend": (frozenset({S.APPROVED}), S.SUSPENDED, True),
    "reinstate": (frozenset({S.SUSPENDED}), S.APPROVED, False),
}
# Expiry is what makes these checks lapse; an identity check is done once.
EXPIRING_KINDS = (
    CredentialKind.DRIVING_LICENCE,
    CredentialKind.INSURANCE,
    CredentialKind.BACKGROUND_CHECK,
)
LAPSING_DAYS = 30


def allowed_actions(profile: VolunteerProfile) -> list[str]:
    return [a for a, (sources, _to, _r) in TRANSITIONS.items() if profile.status in sources]


def _required(offers_visits: bool, offers_driving: bool) -> list[CredentialKind]:
    """The kinds of check a volunteer needs for what they offer."""
    return [
        *(REQUIRED_FOR_VISITS if offers_visits else ()),
        *(REQUIRED_FOR_DRIVING if offers_driving else ()),
    ]


def missing_kinds_for(profile: VolunteerProfile, day: date | None) -> list[CredentialKind]:
    """Credentials missing on ``day`` for what the volunteer offers (``day=None``: all the
    kinds they need)."""
    kinds = _required(profile.offers_visits, profile.offers_driving)
    if day is None:
        return kinds
    return [k for k in kinds if not valid_on(profile.person.credentials, k, day)]


def missing_for_approval(person: Person, today: date) -> list[CredentialKind]:
    """Identity for everyone, plus what eligibility requires for what they offer."""
    missing = []
    if not valid_on(person.credentials, CredentialKind.IDENTITY, today):
        missing.append(CredentialKind.IDENTITY)
    return missing + missing_kinds_for(person.volunteer, today)


def record_credential(
    person: Person,
    kind: CredentialKind,
    checked_on: date | None,
    expires_on: date | None,
    by: User,
    *,
    today: date,
    note: str | None = None,
) -> Credential:
    errors: dict[str, str] = {}
    if checked_on is None:
        errors["checked_on"] = _("Give the date you checked it.")
    elif checked_on > today:
        errors["checked_on"] = _("The check date cannot be in the future.")
    if expires_on is None and kind in EXPIRING_KINDS:
        errors["expires_on"] = _("Give the expiry date of this document.")
    elif expires_on is not None and checked_on is not None and expires_on < checked_on:
        errors["expires_on"] = _("The expiry date cannot be before the check date.")
    if errors:
        raise FieldError(errors)
    credential = Credential(
        kind=kind,
        checked_on=checked_on,
        expires_on=expires_on,
        note=(note or "").strip() or None,
        recorded_by_id=by.id,
    )
    person.credentials.append(credential)
    db.session.flush()
    audit.record(
        "credential.recorded",
        actor=by,
        organisation_id=person.organisation_id,
        person_id=person.id,
        target=f"credential:{credential.id}",
        changes=diff({}, snapshot(credential, ("kind", "checked_on", "expires_on", "note"))),
    )
    return credential


def change_status(
    person: Person, action: str, by: User, reason: str | None, *, today: date
) -> VolunteerStatus:
    """Approve, reject, suspend or reinstate; records who, when and why."""
    profile = person.volunteer
    if profile is None or action not in TRANSITIONS:
        raise FieldError({"action": _("This person has no volunteering to decide on.")})
    sources, target, needs_reason = TRANSITIONS[action]
    if profile.status not in sources:
        raise FieldError({"action": _("This is not possible for a volunteer in this status.")})
    reason = (reason or "").strip() or None
    if needs_reason and reason is None:
        raise FieldError({"reason": _("Give a reason: the volunteer will be told.")})
    if target == S.APPROVED:
        missing = missing_for_approval(person, today)
        if missing:
            names = ", ".join(credential_label(k) for k in missing)
            raise FieldError(
                {"action": _("Record these checks before approving: %(names)s.", names=names)}
            )
    previous = profile.status
    profile.status = target
    profile.status_reason = reason
    profile.status_changed_at = utcnow()
    profile.status_changed_by_id = by.id
    login = person.user
    if target == S.SUSPENDED:
        if login is not None:
            # Logged out everywhere, and no way back in (password, reset link, API
            # token) until reinstated.
            login.suspended = True
            end_all_sessions(login)
            access_revoked.send(login, reason="suspended")
        db.session.flush()
        volunteer_suspended.send(person, by=by, reason=reason)
    elif previous == S.SUSPENDED and login is not None:
        login.suspended = False
    if login is not None and action in ("suspend", "reinstate"):
        security_event.send(login, event=f"volunteer_{action}", actor=by)
    audit.record(
        f"volunteer.{action}",
        actor=by,
        organisation_id=person.organisation_id,
        person_id=person.id,
        changes={"status": [previous, target], "reason": [None, reason]},
    )
    db.session.flush()
    return target


@dataclass(frozen=True)
class Named:
    """Who a lapse is about, as its lists show them (not the whole person)."""

    id: int
    first_name: str
    last_name: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class Lapse:
    person: Named
    kind: CredentialKind
    expires_on: date | None  # None: missing altogether


def _good(kind: CredentialKind) -> sa.ColumnElement[bool]:
    # A check of ``kind`` valid today and past the horizon: neither lapsed nor lapsing,
    # whatever else they hold of that kind. (Another name for the table: the statement
    # reads the person's every check beside it.)
    check = aliased(Credential)
    return sa.exists().where(
        check.person_id == Person.id,
        check.kind == kind,
        check.checked_on <= sa.bindparam("today", type_=Credential.checked_on.type),
        check.expires_on > sa.bindparam("horizon", type_=Credential.expires_on.type),
    )


# Only the volunteers some required check of whom is not "good" can be listed: the loop of
# ``lapsing`` decides for them, so the answer is the same, and the desk reads the handful
# that need a look instead of every volunteer of a city with their checks. Built once (the
# desk's home asks at every view), their checks in the same statement.
_MAY_LAPSE = (
    sa.select(
        Person.id,
        Person.first_name,
        Person.last_name,
        VolunteerProfile.offers_visits,
        VolunteerProfile.offers_driving,
        Credential.kind,
        Credential.checked_on,
        Credential.expires_on,
    )
    .join(VolunteerProfile, VolunteerProfile.person_id == Person.id)
    .outerjoin(Credential, Credential.person_id == Person.id)
    .where(
        Person.organisation_id == sa.bindparam("org_id"),
        VolunteerProfile.status == S.APPROVED,
        sa.or_(
            sa.and_(
                VolunteerProfile.offers_visits, sa.or_(*(~_good(k) for k in REQUIRED_FOR_VISITS))
            ),
            sa.and_(
                VolunteerProfile.offers_driving,
                sa.or_(*(~_good(k) for k in REQUIRED_FOR_DRIVING)),
            ),
        ),
    )
    .order_by(Person.last_name, Person.first_name, Person.id)
)


def lapsing(org_id: int, today: date, days: int = LAPSING_DAYS) -> tuple[list[Lapse], list[Lapse]]:
    """(lapsing soon, lapsed) for the organisation's approved volunteers.

    Lapsing soon: a required credential whose latest expiry falls in the next ``days``.
    Lapsed: a required credential not valid today, so eligibility keeps them out of
    matching. A renewal recorded before expiry removes the person from both lists.
    """
    horizon = today + timedelta(days=days)
    rows = db.session.execute(_MAY_LAPSE, {"org_id": org_id, "today": today, "horizon": horizon})
    soon, lapsed = [], []
    # One row per check (or one without any), a person's rows together.
    for _id, group in groupby(rows, key=lambda row: row.id):
        checks = list(group)
        first = checks[0]
        person = Named(first.id, first.first_name, first.last_name)
        held = [c for c in checks if c.kind is not None]
        for kind in dict.fromkeys(_required(first.offers_visits, first.offers_driving)):
            expiries = [c.expires_on for c in held if c.kind == kind and c.expires_on]
            latest = max(expiries) if expiries else None
            if not valid_on(held, kind, today):
                lapsed.append(Lapse(person, kind, latest))
            elif latest is not None and latest <= horizon:
                soon.append(Lapse(person, kind, latest))
    soon.sort(key=lambda lapse: lapse.expires_on or today)
    return soon, lapsed


_CREDENTIAL_LABELS = {
    CredentialKind.IDENTITY: _l("Identity checked"),
    CredentialKind.DRIVING_LICENCE: _l("Driving licence"),
    CredentialKind.INSURANCE: _l("Car insurance"),
    CredentialKind.BACKGROUND_CHECK: _l("Background check"),
}


def credential_label(kind: CredentialKind) -> str:
    return str(_CREDENTIAL_LABELS[kind])


def credential_labels() -> dict[CredentialKind, str]:
    """Every kind's label, translated once: a list of checks looks its rows' up here."""
    return {kind: str(label) for kind, label in _CREDENTIAL_LABELS.items()}


def status_label(status: VolunteerStatus) -> str:
    return {
        S.PENDING: _("Awaiting approval"),
        S.APPROVED: _("Approved"),
        S.REJECTED: _("Rejected"),
        S.SUSPENDED: _("Suspended"),
    }[status]
