"""Consent (GDPR Art. 7) for residents and volunteers alike: given, and withdrawn as
easily. Operations flush; the view commits.

Withdrawing stops the processing the consent covered at once: the roles let go of what
they hold (as when a coordinator removes a role: future shifts reopen, requests are
cancelled), a volunteer is no longer matched (``people.eligibility.can_serve``). The
record stays until erased (by the person's wish or the retention policy), because the
ledger and the history still need it.
"""

from __future__ import annotations

from webapp.audit import operations as audit
from webapp.auth.models import User
from webapp.db import utcnow
from webapp.extensions import db
from webapp.people.models import Person, ResidentProfile, VolunteerProfile
from webapp.people.signals import role_changed

Profile = VolunteerProfile | ResidentProfile


def _profiles(person: Person) -> list[tuple[str, Profile]]:
    out: list[tuple[str, Profile]] = []
    if person.volunteer is not None:
        out.append(("volunteer", person.volunteer))
    if person.resident is not None:
        out.append(("resident", person.resident))
    return out


def has_withdrawn(person: Person) -> bool:
    return any(p.consent_withdrawn_at is not None for _r, p in _profiles(person))


def withdraw(person: Person, actor: User | None) -> list[str]:
    """Withdraw every consent the person gave; returns the roles it covered."""
    now = utcnow()
    roles = []
    for role, profile in _profiles(person):
        if profile.consent_withdrawn_at is None:
            profile.consent_withdrawn_at = now
            roles.append(role)
    db.session.flush()
    for role in roles:
        role_changed.send(person, role=role, added=False, actor=actor)
    if roles:
        audit.record(
            "consent.withdrawn",
            actor=actor,
            organisation_id=person.organisation_id,
            person_id=person.id,
            changes={role: [True, False] for role in roles},
        )
    db.session.flush()
    return roles


def give(person: Person, actor: User | None, method: str) -> list[str]:
    """Record consent (again) for every role: ``method`` is phone, paper or online."""
    now = utcnow()
    roles = []
    for role, profile in _profiles(person):
        if profile.consent_withdrawn_at is not None or profile.consent_given_at is None:
            profile.consent_given_at = now
            profile.consent_method = method
            profile.consent_withdrawn_at = None
            roles.append(role)
    if roles:
        audit.record(
            "consent.given",
            actor=actor,
            organisation_id=person.organisation_id,
            person_id=person.id,
            changes={role: [False, True] for role in roles},
        )
    db.session.flush()
    return roles
