"""Group activities: a one-off day or a series, its call for expressions of interest,
the applications ranked by the call's criteria, attendance and volunteer helpers.

An :class:`Activity` has dated :class:`ActivitySession` rows (one for a one-off). People
apply (:class:`Application`); the selection ranks them by the criteria they meet (each
worth the activity's weight for it), then by order of application, and keeps the rank
and its reasons on the row, so the page can say why each person is where they are.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import utcnow
from webapp.extensions import Model


def _enum(e: type[enum.Enum], length: int = 20) -> sa.Enum:
    return sa.Enum(
        e, native_enum=False, length=length, values_callable=lambda x: [m.value for m in x]
    )


class ApplicationStatus(enum.StrEnum):
    APPLIED = "applied"  # not ranked yet
    SELECTED = "selected"
    WAITING = "waiting"  # on the waiting list, at ``waiting_position``
    WITHDRAWN = "withdrawn"


class Channel(enum.StrEnum):
    SELF = "self"  # the person, online
    PHONE = "phone"  # a coordinator, on the phone


class IncomeBand(enum.StrEnum):
    LOW = "low"
    MIDDLE = "middle"
    HIGH = "high"
    UNKNOWN = "unknown"


DEFAULT_WEIGHTS = {"age": 3, "alone": 3, "income": 2, "outlying": 2}


class Activity(Model):
    __tablename__ = "activity"
    __table_args__ = (
        sa.CheckConstraint("capacity >= 1", name="capacity_positive"),
        sa.CheckConstraint("helpers_needed >= 0", name="helpers_not_negative"),
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
        sa.CheckConstraint("survey_months >= 0", name="survey_months_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    place_name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str] = mapped_column(sa.String(300))
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lon: Mapped[float | None] = mapped_column(sa.Float)
    capacity: Mapped[int] = mapped_column()
    wheelchair_accessible: Mapped[bool] = mapped_column(default=False)
    accessibility_note: Mapped[str | None] = mapped_column(sa.String(300))
    helpers_needed: Mapped[int] = mapped_column(default=0)
    duration_minutes: Mapped[int] = mapped_column(default=120)
    # The call for expressions of interest: open until this day (inclusive).
    applications_close: Mapped[date | None] = mapped_column(sa.Date)
    # Criterion -> points; also: the age from which "age" counts, the outlying areas.
    weights: Mapped[dict[str, int]] = mapped_column(sa.JSON, default=dict)
    age_from: Mapped[int] = mapped_column(default=75)
    outlying: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    selected_at: Mapped[datetime | None] = mapped_column()
    survey_months: Mapped[int] = mapped_column(default=3)
    survey_done_at: Mapped[datetime | None] = mapped_column()
    survey_note: Mapped[str | None] = mapped_column(sa.Text)
    cancelled_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sessions = relationship(
        "ActivitySession",
        back_populates="activity",
        cascade="all, delete-orphan",
        order_by="ActivitySession.starts_at",
    )
    applications = relationship(
        "Application",
        back_populates="activity",
        cascade="all, delete-orphan",
        order_by="Application.id",
    )
    helpers = relationship(
        "ActivityHelper", back_populates="activity", cascade="all, delete-orphan"
    )

    @property
    def is_series(self) -> bool:
        return len(self.sessions) > 1

    def __repr__(self) -> str:
        return f"<Activity {self.id} {self.title!r}>"


class ActivitySession(Model):
    """One dated meeting of an activity (a one-off day has one)."""

    __tablename__ = "activity_session"
    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()

    activity = relationship("Activity", back_populates="sessions")

    def __repr__(self) -> str:
        return f"<ActivitySession {self.id} {self.starts_at:%Y-%m-%d %H:%M}>"


class Application(Model):
    """A person's expression of interest, with what the criteria read (declared on the
    form or by the coordinator on the phone) and, once ranked, the rank and reasons."""

    __tablename__ = "activity_application"
    __table_args__ = (sa.UniqueConstraint("activity_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    activity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    channel: Mapped[Channel] = mapped_column(_enum(Channel), default=Channel.SELF)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    age: Mapped[int | None] = mapped_column()
    lives_alone: Mapped[bool] = mapped_column(default=False)
    income: Mapped[IncomeBand] = mapped_column(_enum(IncomeBand), default=IncomeBand.UNKNOWN)
    needs_ride: Mapped[bool] = mapped_column(default=False)
    wheelchair: Mapped[bool] = mapped_column(default=False)
    status: Mapped[ApplicationStatus] = mapped_column(
        _enum(ApplicationStatus), default=ApplicationStatus.APPLIED, index=True
    )
    score: Mapped[int | None] = mapped_column()
    rank: Mapped[int | None] = mapped_column()  # 1 = first in the ranking
    reasons: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # criterion codes met
    waiting_position: Mapped[int | None] = mapped_column()
    withdrawn_at: Mapped[datetime | None] = mapped_column()

    activity = relationship("Activity", back_populates="applications")
    person = relationship("Person")
    rides = relationship("ActivityRide", back_populates="application", cascade="all, delete-orphan")
    attendance = relationship(
        "Attendance", back_populates="application", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Application {self.id} activity={self.activity_id} {self.status.value}>"


class Attendance(Model):
    __tablename__ = "activity_attendance"
    __table_args__ = (sa.UniqueConstraint("session_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("activity_session.id", ondelete="CASCADE"), index=True
    )
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("activity_application.id", ondelete="CASCADE"), index=True
    )
    present: Mapped[bool] = mapped_column()
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    application = relationship("Application", back_populates="attendance")
    session = relationship("ActivitySession")


class ActivityHelper(Model):
    """A volunteer helping at an activity (signed up from the shifts board)."""

    __tablename__ = "activity_helper"
    __table_args__ = (sa.UniqueConstraint("activity_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    signed_up_at: Mapped[datetime] = mapped_column(default=utcnow)

    activity = relationship("Activity", back_populates="helpers")
    person = relationship("Person")


class ActivityRide(Model):
    """The ride request (there and back) made for a selected participant to one session."""

    __tablename__ = "activity_ride"
    __table_args__ = (sa.UniqueConstraint("application_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("activity_application.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("activity_session.id", ondelete="CASCADE"), index=True
    )
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("help_request.id", ondelete="CASCADE"), index=True
    )

    application = relationship("Application", back_populates="rides")
    session = relationship("ActivitySession")
    request = relationship("Request")
