"""Reading the audit log: one organisation's entries, newest first, a page at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from webapp.audit.models import AuditEvent
from webapp.extensions import db

PAGE_SIZE = 50


@dataclass(frozen=True)
class EventPage:
    events: list[AuditEvent]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def events(
    org_id: int,
    *,
    person_ids: Sequence[int] | None = None,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> EventPage:
    """Entries of ``org_id`` (about one of ``person_ids`` when given), newest first."""
    query = sa.select(AuditEvent).where(AuditEvent.organisation_id == org_id)
    if person_ids is not None:
        query = query.where(AuditEvent.person_id.in_(list(person_ids)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    page = max(1, min(page, max(1, -(-total // size))))
    rows = db.session.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * size)
        .limit(size)
    ).all()
    return EventPage(list(rows), total, page, size)


def about(person_id: int) -> list[AuditEvent]:
    """Every entry about one person, oldest first (their export)."""
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.person_id == person_id).order_by(AuditEvent.id)
        )
    )
