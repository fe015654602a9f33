"""Who may be matched, and for what. The single source of these rules for the board,
manual assignment and the solver's input."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Protocol

from webapp.people.models import CredentialKind, Person, VolunteerStatus

# Drivers need a licence and insurance; visitors a background check (DOMAIN.md).
REQUIRED_FOR_DRIVING = (CredentialKind.DRIVING_LICENCE, CredentialKind.INSURANCE)
REQUIRED_FOR_VISITS = (CredentialKind.BACKGROUND_CHECK,)


class Check(Protocol):
    """What a credential's validity depends on (a ``Credential``, or a row of its columns)."""

    @property
    def kind(self) -> CredentialKind: ...
    @property
    def checked_on(self) -> date: ...
    @property
    def expires_on(self) -> date | None: ...


def valid_on(credentials: Iterable[Check], kind: CredentialKind, day: date) -> bool:
    """True if some credential of ``kind`` covers ``day`` (no expiry = never lapses)."""
    return any(
        c.kind == kind and c.checked_on <= day and (c.expires_on is None or c.expires_on >= day)
        for c in credentials
    )


def missing_credentials(person: Person, activity: str, day: date) -> list[CredentialKind]:
    required = REQUIRED_FOR_DRIVING if activity == "ride" else REQUIRED_FOR_VISITS
    return [k for k in required if not valid_on(person.credentials, k, day)]


def can_serve(person: Person, activity: str, day: date) -> bool:
    """``activity`` is ``"visit"`` or ``"ride"``. Approved, offering it, credentials valid."""
    profile = person.volunteer
    if profile is None or profile.status != VolunteerStatus.APPROVED:
        return False
    if profile.consent_withdrawn_at is not None:
        return False
    offers = profile.offers_driving if activity == "ride" else profile.offers_visits
    return offers and not missing_credentials(person, activity, day)


def is_away(person: Person, day: date) -> bool:
    return any(a.start <= day <= a.end for a in person.absences)
