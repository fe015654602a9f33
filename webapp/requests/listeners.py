"""Whoever deletes a resident (the people feature, an erasure), their future shifts are
cancelled in the same transaction, without that code knowing about requests.
``webapp/listeners.py`` connects :func:`cancel_for_deleted_residents` to the session's
``before_flush``, and :func:`plan_checked_resident` to ``people.signals.resident_checked``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from webapp.extensions import db
from webapp.people.models import Person
from webapp.requests.models import Request, RequestStatus
from webapp.requests.operations import resident_removed
from webapp.requests.planning import default_until, expand_request


def cancel_for_deleted_residents(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(session.deleted):
        if isinstance(obj, Person) and obj.is_resident:
            with session.no_autoflush:
                resident_removed(obj, flush=False)


def plan_checked_resident(person: Person, **_kw: Any) -> int:
    """A coordinator checked a resident who signed up online: the requests they made
    while waiting become shifts now (those whose time has passed are skipped)."""
    requests = db.session.scalars(
        sa.select(Request).where(
            Request.resident_id == person.id, Request.status == RequestStatus.ACTIVE
        )
    ).all()
    until = default_until(person.organisation_id)
    return sum(expand_request(r, max(until, r.start_date)) for r in requests)
