"""Requests (a visit or a ride) and their preferred weekly windows.

A request is what the resident asked for; the dated occurrences volunteers serve are
``webapp.shifts.models.Shift`` rows, created by ``webapp.requests.planning.extend_horizon``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import utcnow
from webapp.extensions import Model


def _enum(e: type[enum.Enum], length: int = 20) -> sa.Enum:
    return sa.Enum(
        e, native_enum=False, length=length, values_callable=lambda x: [m.value for m in x]
    )


class RequestKind(enum.StrEnum):
    VISIT = "visit"
    RIDE = "ride"


class RequestStatus(enum.StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class Priority(enum.IntEnum):
    """How much a request matters when not everything can be served; set by a
    coordinator. The solver's first objective level weighs it (``matchrun/priority.py``)."""

    NORMAL = 1
    HIGH = 2
    URGENT = 3


class RidePurpose(enum.StrEnum):
    MEDICAL = "medical"
    PHARMACY = "pharmacy"
    SHOPPING = "shopping"
    BANK = "bank"
    ADMINISTRATION = "administration"
    SOCIAL = "social"
    OTHER = "other"


class Request(Model):
    __tablename__ = "help_request"
    __table_args__ = (
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ends_after_start"),
        sa.CheckConstraint("passengers >= 1 AND passengers <= 8", name="passengers_range"),
        sa.CheckConstraint("stay_minutes IS NULL OR stay_minutes > 0", name="stay_positive"),
        sa.CheckConstraint("priority >= 1 AND priority <= 3", name="priority_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    # SET NULL: when a resident is erased, past shifts stay as anonymous statistics.
    resident_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[RequestKind] = mapped_column(_enum(RequestKind))
    status: Mapped[RequestStatus] = mapped_column(
        _enum(RequestStatus), default=RequestStatus.ACTIVE, index=True
    )
    start_date: Mapped[date] = mapped_column(sa.Date)
    recurring: Mapped[bool] = mapped_column(default=False)
    end_date: Mapped[date | None] = mapped_column(sa.Date)
    # Visits: how long; rides: filled in from the travel estimate (informative).
    duration_minutes: Mapped[int] = mapped_column(default=60)
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    gender_preference: Mapped[str | None] = mapped_column(sa.String(20))
    interests: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    two_volunteers: Mapped[bool] = mapped_column(default=False)
    # A Priority value: normal, high, urgent (set by a coordinator).
    priority: Mapped[int] = mapped_column(default=Priority.NORMAL, server_default="1")
    preferred_volunteer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id", ondelete="SET NULL")
    )
    notes: Mapped[str | None] = mapped_column(sa.Text)  # for the volunteer
    # Rides
    pickup_address: Mapped[str | None] = mapped_column(sa.String(300))
    pickup_lat: Mapped[float | None] = mapped_column(sa.Float)
    pickup_lon: Mapped[float | None] = mapped_column(sa.Float)
    destination_name: Mapped[str | None] = mapped_column(sa.String(200))
    destination_address: Mapped[str | None] = mapped_column(sa.String(300))
    destination_lat: Mapped[float | None] = mapped_column(sa.Float)
    destination_lon: Mapped[float | None] = mapped_column(sa.Float)
    purpose: Mapped[RidePurpose | None] = mapped_column(_enum(RidePurpose))
    appointment_time: Mapped[time | None] = mapped_column(sa.Time)
    stay_minutes: Mapped[int | None] = mapped_column()
    return_wanted: Mapped[bool] = mapped_column(default=False)
    passengers: Mapped[int] = mapped_column(default=1)
    wheelchair: Mapped[bool] = mapped_column(default=False)
    escort: Mapped[bool] = mapped_column(default=False)
    # Tightens the organisation's maximum ride time for this passenger (minutes).
    max_ride_minutes: Mapped[int | None] = mapped_column()
    # Who entered it, and the recorded override of the booking notice (urgent cases).
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    notice_override_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    notice_override_reason: Mapped[str | None] = mapped_column(sa.String(300))
    cancelled_at: Mapped[datetime | None] = mapped_column()
    cancelled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(300))
    # A change of when or where makes a new request; it points back at the one it replaced.
    replaces_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("help_request.id", ondelete="SET NULL"), index=True
    )

    resident = relationship("Person", foreign_keys=[resident_id])
    replaces = relationship("Request", remote_side=[id], foreign_keys=[replaces_id])
    preferred_volunteer = relationship("Person", foreign_keys=[preferred_volunteer_id])
    windows = relationship(
        "RequestWindow",
        back_populates="request",
        cascade="all, delete-orphan",
        order_by="(RequestWindow.weekday, RequestWindow.start)",
    )

    def __repr__(self) -> str:
        return f"<Request {self.id} {self.kind.value} {self.status.value}>"


class RequestWindow(Model):
    """A preferred weekly window, e.g. Thursday 15:00-18:00 (organisation's local time)."""

    __tablename__ = "request_window"
    __table_args__ = (
        sa.CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),
        sa.CheckConstraint("end_time > start_time", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("help_request.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column()
    start: Mapped[time] = mapped_column("start_time", sa.Time)
    end: Mapped[time] = mapped_column("end_time", sa.Time)

    request = relationship("Request", back_populates="windows")
