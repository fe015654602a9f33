"""The outbox and each person's channel preference."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import utcnow
from webapp.extensions import Model


class Channel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"
    IN_APP = "in_app"
    # No automatic channel: a coordinator reads the message out on the phone.
    PHONE = "phone"


class Status(enum.StrEnum):
    PENDING = "pending"  # waiting for the sender (or, for PHONE, for a coordinator's call)
    SENDING = "sending"  # claimed by one sender
    SENT = "sent"  # delivered (in-app: visible in the bell; phone: the call was made)
    FAILED = "failed"  # gave up after the maximum number of attempts
    CANCELLED = "cancelled"


# What the bell counts (queries._addressed, unread), as the partial indexes' predicate.
UNREAD_ADDRESSED = (
    "read_at IS NULL AND NOT is_guardian_copy AND channel <> 'phone' AND status <> 'cancelled'"
)


def _enum(e: type[enum.Enum]) -> sa.Enum:
    return sa.Enum(e, native_enum=False, length=20, values_callable=lambda x: [m.value for m in x])


class Notification(Model):
    """One message to one recipient on one channel, already rendered in their language.

    ``dedupe_key`` (unique) makes a reminder that a job tries to queue twice land once.
    """

    __tablename__ = "notification"
    __table_args__ = (
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.CheckConstraint(
            "person_id IS NOT NULL OR user_id IS NOT NULL OR is_guardian_copy",
            name="has_recipient",
        ),
        sa.Index("ix_notification_due", "status", "next_attempt_at"),
        # An organisation's messages in a state, of a channel: the residents to phone
        # (the day), the outbox's problems, the retention sweep. Not every organisation's
        # pending messages of a region filtered one by one.
        sa.Index("ix_notification_org_status_channel", "organisation_id", "status", "channel"),
        # The bell counts a login's unread messages on every page, and a page shows its
        # news (the schedule: the messages about shifts) among them: these read only the
        # unread ones, not a year of reminders and thanks. Their predicate has no bound
        # parameter, so PostgreSQL's generic plan of a prepared statement and SQLite both
        # can prove it from the query's own text (queries.py writes the channel and status
        # into it). On PostgreSQL it is the whole of what the bell counts, so the count
        # and the news by kind are read from the index alone, however many a person left
        # unread. ``read_at`` is a column too so that SQLite, which keeps no statistics
        # here, prefers these to the plain person and user indexes.
        # (The person's carries ``user_id`` for the count's "not the login's own".)
        *(
            sa.Index(
                f"ix_notification_unread_{who}",
                *columns,
                postgresql_where=sa.text(UNREAD_ADDRESSED),
                sqlite_where=sa.text("read_at IS NULL"),
            )
            for who, columns in (
                ("person", ("person_id", "read_at", "kind", "user_id")),
                ("user", ("user_id", "read_at", "kind")),
            )
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE")
    )
    person_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    is_guardian_copy: Mapped[bool] = mapped_column(default=False)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    address: Mapped[str | None] = mapped_column(sa.String(254))  # e-mail or phone number
    kind: Mapped[str] = mapped_column(sa.String(60))
    locale: Mapped[str] = mapped_column(sa.String(8))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    event_at: Mapped[datetime | None] = mapped_column()  # when the thing it is about happens
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    # What the message is about, e.g. "shift:<group key>": its details are removed from
    # a volunteer's copies once they no longer hold that shift.
    about: Mapped[str | None] = mapped_column(sa.String(80), index=True)
    details_removed_at: Mapped[datetime | None] = mapped_column()
    status: Mapped[Status] = mapped_column(_enum(Status), default=Status.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    read_at: Mapped[datetime | None] = mapped_column()

    person = relationship("Person")
    user = relationship("User")

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} {self.channel.value} {self.status.value}>"


class NotificationPreference(Model):
    """The channel a person (or a coordinator account without a person) chose."""

    __tablename__ = "notification_preference"
    __table_args__ = (
        sa.CheckConstraint(
            "(person_id IS NULL) <> (user_id IS NULL)", name="one_owner"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
