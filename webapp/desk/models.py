"""The coordinator's desk: the contact log, alerts and who is on duty.

A :class:`Contact` is one call or note about a person, with its outcome and, when the
matter is not closed, a follow-up time ("no answer, try again at 4"). An :class:`Alert`
is something a coordinator must act on (a worried check-in, a mood of "unwell"): it has
an owner, a due time and, once handled, an outcome.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import utcnow
from webapp.extensions import Model


def _enum(e: type[enum.Enum], length: int = 20) -> sa.Enum:
    return sa.Enum(
        e, native_enum=False, length=length, values_callable=lambda x: [m.value for m in x]
    )


class Outcome(enum.StrEnum):
    """How a call went. ``REACHED`` closes the matter; the others usually leave a
    follow-up."""

    REACHED = "reached"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    MESSAGE_LEFT = "message_left"
    WRONG_NUMBER = "wrong_number"
    NOTE = "note"  # not a call: a note on the file


class Direction(enum.StrEnum):
    IN = "in"  # they called
    OUT = "out"  # we called


class Contact(Model):
    __tablename__ = "contact_log"
    __table_args__ = (
        # The open follow-ups of an organisation due by a time (the desk home's count, the
        # phone list): only the open ones, in the order they fall due. The plain index on
        # ``follow_up_at`` it replaces read every follow-up ever set, done or not, of every
        # organisation. The predicate has no bound parameter, so a generic plan and SQLite
        # can prove it from the queries' ``follow_up_done_at IS NULL``.
        sa.Index(
            "ix_contact_log_open_follow_up",
            "organisation_id",
            "follow_up_at",
            postgresql_where=sa.text("follow_up_done_at IS NULL"),
            sqlite_where=sa.text("follow_up_done_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    direction: Mapped[Direction] = mapped_column(_enum(Direction), default=Direction.OUT)
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome))
    note: Mapped[str | None] = mapped_column(sa.Text)
    # Still to do: call again at this time. Cleared (done_at set) by the next contact.
    follow_up_at: Mapped[datetime | None] = mapped_column()
    follow_up_done_at: Mapped[datetime | None] = mapped_column()
    alert_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("desk_alert.id", ondelete="SET NULL"), index=True
    )

    person = relationship("Person")
    by = relationship("User")

    def __repr__(self) -> str:
        return f"<Contact {self.id} person={self.person_id} {self.outcome.value}>"


class AlertReason(enum.StrEnum):
    WORRIED = "worried"  # a volunteer wrote what worries them
    UNWELL = "unwell"  # a check-in's mood was "unwell"


class Alert(Model):
    """Raised once per check-in (unique ``checkin_id``); open until handled."""

    __tablename__ = "desk_alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    checkin_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("check_in.id", ondelete="SET NULL"), unique=True
    )
    reason: Mapped[AlertReason] = mapped_column(_enum(AlertReason))
    note: Mapped[str | None] = mapped_column(sa.Text)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    due_at: Mapped[datetime] = mapped_column()
    handled_at: Mapped[datetime | None] = mapped_column(index=True)
    handled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    outcome: Mapped[str | None] = mapped_column(sa.Text)

    person = relationship("Person")
    owner = relationship("User", foreign_keys=[owner_id])
    handled_by = relationship("User", foreign_keys=[handled_by_id])
    checkin = relationship("CheckIn")

    def __repr__(self) -> str:
        return f"<Alert {self.id} person={self.person_id} {self.reason.value}>"


class Duty(Model):
    """The coordinator on duty for an organisation (one row per organisation)."""

    __tablename__ = "desk_duty"

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    since: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")
