"""The audit log: who viewed or changed what, append-only.

One row per action: a coordinator reading a resident's record, vetting, pins, temporary
passwords, settings, approvals, grants and reversals, role changes, erasures. ``changes``
holds the before/after values of the fields that changed. Rows are never updated or
deleted (triggers, see ``ddl.py``); the one exception is an erasure blanking the values
of the erased person's entries (``redacted_at``).

No foreign keys on the actor and the person: an entry outlives both, and a foreign key
action (SET NULL) would be an update the guards refuse. The organisation's key cascades:
an organisation that leaves takes its log with it, as it takes its ledger.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column

from webapp.audit.ddl import install_audit_guards
from webapp.db import utcnow
from webapp.extensions import Model


class AuditEvent(Model):
    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_org_at", "organisation_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE")
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(index=True)
    # e.g. "person.viewed", "volunteer.suspend", "settings.changed" (see operations.ACTIONS)
    action: Mapped[str] = mapped_column(sa.String(60))
    # The person the action is about (the filter of the audit page).
    person_id: Mapped[int | None] = mapped_column(index=True)
    # Another thing it is about, "kind:id" (e.g. "transfer:12", "user:3").
    target: Mapped[str | None] = mapped_column(sa.String(80))
    # {field: [before, after]}; NULL when nothing changed or once redacted.
    changes: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON(none_as_null=True))
    redacted_at: Mapped[datetime | None] = mapped_column()

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} person={self.person_id}>"


def _install_guards(target: sa.Table, connection: sa.Connection, **kw: Any) -> None:
    install_audit_guards(connection)


event.listen(AuditEvent.__table__, "after_create", _install_guards)


class ImmutableAuditError(RuntimeError):
    """An attempt to change or delete an audit entry through the ORM."""


@event.listens_for(sa.orm.Session, "before_flush")
def _refuse_changed_events(
    session: sa.orm.Session, flush_context: sa.orm.UOWTransaction, instances: object
) -> None:
    """The ORM-side guard: a clear Python error before the database trigger fires.
    Redaction goes through a Core UPDATE (``operations.redact_person``)."""
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise ImmutableAuditError(f"{obj!r} cannot be deleted: the audit log is append-only")
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj, include_collections=False):
            raise ImmutableAuditError(f"{obj!r} cannot be changed: the audit log is append-only")
