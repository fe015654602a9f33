"""Writing the audit log. ``record`` adds an entry to the caller's transaction (it lands
with the change it describes, or not at all); it never commits.

Values are stored as JSON-safe text (dates, enums and decimals as strings). The entry
names people by id only: names live on the person's record, which erasure blanks.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from webapp.audit.models import AuditEvent
from webapp.db import utcnow
from webapp.extensions import db

if TYPE_CHECKING:
    from webapp.auth.models import User


def plain(value: Any) -> Any:
    """A JSON-safe copy of ``value``."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    return str(value)


def snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The values of ``fields`` on ``obj`` (missing object: all None)."""
    return {f: plain(getattr(obj, f, None)) if obj is not None else None for f in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose values differ."""
    out: dict[str, list[Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = plain(before.get(key)), plain(after.get(key))
        if old != new:
            out[key] = [old, new]
    return out


def record(
    action: str,
    *,
    actor: User | None = None,
    actor_id: int | None = None,
    organisation_id: int | None,
    person_id: int | None = None,
    target: str | None = None,
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Add one entry to the current transaction (flushed with it)."""
    event = AuditEvent(
        organisation_id=organisation_id,
        actor_user_id=getattr(actor, "id", None) or actor_id,
        action=action,
        person_id=person_id,
        target=target,
        changes=plain(dict(changes)) if changes else None,
    )
    db.session.add(event)
    return event


def redact_person(person_id: int) -> int:
    """Blank the before/after values of every entry about ``person_id`` (erasure): the
    one update the guards allow. Returns how many entries were blanked."""
    result = db.session.execute(
        sa.update(AuditEvent)
        .where(AuditEvent.person_id == person_id, AuditEvent.redacted_at.is_(None))
        .values(changes=None, redacted_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def viewed(actor: User, person_id: int, organisation_id: int, page: str) -> AuditEvent:
    """A coordinator opened a person's record (``page``: which one). The view commits."""
    return record(
        "person.viewed",
        actor=actor,
        organisation_id=organisation_id,
        person_id=person_id,
        target=f"page:{page}",
    )
