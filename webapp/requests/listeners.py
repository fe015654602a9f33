"""Whoever deletes a resident (the people feature, an erasure), their future shifts are
cancelled in the same transaction, without that code knowing about requests.
``webapp/listeners.py`` connects :func:`cancel_for_deleted_residents` to the session's
``before_flush``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from webapp.people.models import Person
from webapp.requests.operations import resident_removed


def cancel_for_deleted_residents(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(session.deleted):
        if isinstance(obj, Person) and obj.is_resident:
            with session.no_autoflush:
                resident_removed(obj, flush=False)
