"""Shifts, their seats (assignments), their history (events) and check-ins.

Times are stored as aware UTC datetimes and shown in the organisation's timezone.
A ride with a return is two shifts (legs) sharing ``group_key``: they are claimed,
approved and cancelled together.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import sql_constant, utcnow
from webapp.extensions import Model


def _enum(e: type[enum.Enum], length: int = 20) -> sa.Enum:
    return sa.Enum(
        e, native_enum=False, length=length, values_callable=lambda x: [m.value for m in x]
    )


class ShiftKind(enum.StrEnum):
    VISIT = "visit"
    RIDE_OUT = "ride_out"  # home -> destination
    RIDE_BACK = "ride_back"  # destination -> home

    @property
    def is_ride(self) -> bool:
        return self is not ShiftKind.VISIT


class ShiftStatus(enum.StrEnum):
    OPEN = "open"
    PROPOSED = "proposed"
    CLAIMED = "claimed"
    APPROVED = "approved"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    UNFILLED = "unfilled"


class NoShowSide(enum.StrEnum):
    RESIDENT = "resident"
    VOLUNTEER = "volunteer"


class Shift(Model):
    __tablename__ = "shift"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "occurrence_date", "kind"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("seats >= 1 AND seats <= 2", name="seats_range"),
        # The board's candidates: open shifts of one organisation in a date window.
        sa.Index("ix_shift_org_status_starts", "organisation_id", "status", "starts_at"),
        # The day and week pages' neighbourhood filter, one index step per neighbourhood.
        sa.Index("ix_shift_org_neighbourhood", "organisation_id", "neighbourhood"),
        # The observatory: the live days of a page (the current month), and each
        # request's first completed service (docs/observatory.md).
        sa.Index("ix_shift_org_day", "organisation_id", "occurrence_date"),
        sa.Index("ix_shift_request_status_day", "request_id", "status", "occurrence_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("help_request.id", ondelete="CASCADE"), index=True
    )
    group_key: Mapped[str] = mapped_column(sa.String(40), index=True)  # "<request>:<date>"
    occurrence_date: Mapped[date] = mapped_column(sa.Date)  # local date
    # The date the series had planned for this occurrence, when a coordinator moved it
    # to ``occurrence_date``: the planner never makes that date again.
    moved_from: Mapped[date | None] = mapped_column(sa.Date)
    kind: Mapped[ShiftKind] = mapped_column(_enum(ShiftKind))
    status: Mapped[ShiftStatus] = mapped_column(
        _enum(ShiftStatus), default=ShiftStatus.OPEN, index=True
    )
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column()
    seats: Mapped[int] = mapped_column(default=1)
    # Where the volunteer starts and ends (a snapshot: history must not move later).
    start_address: Mapped[str] = mapped_column(sa.String(300))
    start_lat: Mapped[float | None] = mapped_column(sa.Float)
    start_lon: Mapped[float | None] = mapped_column(sa.Float)
    end_address: Mapped[str] = mapped_column(sa.String(300))
    end_lat: Mapped[float | None] = mapped_column(sa.Float)
    end_lon: Mapped[float | None] = mapped_column(sa.Float)
    neighbourhood: Mapped[str | None] = mapped_column(sa.String(120))
    cancelled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(300))
    no_show_side: Mapped[NoShowSide | None] = mapped_column(_enum(NoShowSide))
    # A shared ride: the legs of several passengers driven as one route by one driver.
    route_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("ride_route.id", ondelete="SET NULL"), index=True
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    request = relationship("Request")
    route = relationship("RideRoute", foreign_keys=[route_id])
    assignments = relationship(
        "Assignment",
        back_populates="shift",
        cascade="all, delete-orphan",
        order_by="Assignment.seat",
    )
    events = relationship(
        "ShiftEvent", back_populates="shift", cascade="all, delete-orphan", order_by="ShiftEvent.id"
    )

    @property
    def free_seats(self) -> int:
        return self.seats - len(self.assignments)

    @property
    def volunteer_ids(self) -> list[int]:
        return [a.volunteer_id for a in self.assignments]

    def __repr__(self) -> str:
        when = f"{self.starts_at:%Y-%m-%d %H:%M}"
        return f"<Shift {self.id} {self.kind.value} {self.status.value} {when}>"


class RideRoute(Model):
    """A shared ride booked as one unit: the legs (``Shift.route_id``) of several
    passengers, driven by one driver in the order and at the times the solver planned
    (``stops``: ``[{"shift_id", "kind": "pickup" | "dropoff", "at": ISO time}]``). Its
    legs are booked, confirmed, completed and paid together (``shifts.legs.group_of``)."""

    __tablename__ = "ride_route"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    driver_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    occurrence_date: Mapped[date] = mapped_column(sa.Date)
    km: Mapped[float | None] = mapped_column(sa.Float)
    stops: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    legs = relationship("Shift", order_by="Shift.starts_at", viewonly=True)
    driver = relationship("Person")

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The stops in order: ``at`` (aware), ``pickup`` (bool), ``leg`` (its Shift),
        ``address``; stops of legs no longer in the route (cancelled) are left out."""
        legs = {leg.id: leg for leg in self.legs}
        out = []
        for stop in self.stops or []:
            leg = legs.get(stop["shift_id"])
            if leg is None:
                continue
            pickup = stop["kind"] == "pickup"
            out.append(
                {
                    "at": datetime.fromisoformat(stop["at"]),
                    "pickup": pickup,
                    "leg": leg,
                    "address": leg.start_address if pickup else leg.end_address,
                }
            )
        return out

    def __repr__(self) -> str:
        return f"<RideRoute {self.id} driver={self.driver_id} {self.occurrence_date}>"


class Assignment(Model):
    """A volunteer in a seat of a shift. Unique seat and unique volunteer per shift: the
    database itself makes a double booking of one seat impossible."""

    __tablename__ = "assignment"
    __table_args__ = (
        sa.UniqueConstraint("shift_id", "seat"),
        sa.UniqueConstraint("shift_id", "volunteer_id"),
        sa.CheckConstraint("seat >= 1 AND seat <= 2", name="seat_range"),
        # A volunteer's shifts (the schedule, the board's clashes, the time bank) read
        # from the index alone: with the volunteer alone in it, PostgreSQL preferred to
        # scan all of (shift_id, volunteer_id) for a volunteer with a year of history.
        sa.Index("ix_assignment_volunteer_id_shift_id", "volunteer_id", "shift_id"),
        # The few seats whose logged times wait for a coordinator (the desk home, every
        # view), found without reading a year of seats.
        sa.Index("ix_assignment_times_held_shift_id", "times_held", "shift_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shift.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"))
    seat: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column()
    actual_start: Mapped[datetime | None] = mapped_column()
    actual_end: Mapped[datetime | None] = mapped_column()
    # Logged times far from the planned ones: no hours are paid until a coordinator
    # confirms them (shifts/outcomes.py, docs/guard-rails.md).
    times_held: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    shift = relationship("Shift", back_populates="assignments")
    volunteer = relationship("Person")


class ShiftEvent(Model):
    """Append-only history: every status change (and notable edit) with who, when, why."""

    __tablename__ = "shift_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shift.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    reason: Mapped[str | None] = mapped_column(sa.String(300))

    shift = relationship("Shift", back_populates="events")
    actor = relationship("User")


class CheckIn(Model):
    """What a volunteer reports after a visit or ride. ``worried`` puts it in the
    coordinator's alert queue until someone marks it handled."""

    __tablename__ = "check_in"
    __table_args__ = (sa.UniqueConstraint("shift_id", "volunteer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shift.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id", ondelete="SET NULL")
    )
    mood: Mapped[str] = mapped_column(sa.String(20))  # good / ok / low / unwell
    resident_happy: Mapped[bool] = mapped_column(default=False)
    worried: Mapped[bool] = mapped_column(default=False, index=True)
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column()
    handled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    shift = relationship("Shift")
    volunteer = relationship("Person")


def open_alert() -> sa.ColumnElement[bool]:
    """A check-in the desk raises an alert for (worried, or the resident unwell), not yet
    handled. The same expression makes the partial index below, so a count of an
    organisation's open ones reads a few index entries, not a year of check-ins (the
    constant is written into the statement: PostgreSQL matches a partial index's
    predicate in a prepared statement only then)."""
    return sa.and_(
        CheckIn.handled_at.is_(None),
        sa.or_(CheckIn.worried.is_(True), CheckIn.mood == sql_constant("unwell")),
    )


sa.Index(
    "ix_check_in_open_alert",
    CheckIn.organisation_id,
    postgresql_where=open_alert(),
    sqlite_where=open_alert(),
)


class CalendarToken(Model):
    """The private token of a volunteer's iCalendar feed (regenerate to revoke)."""

    __tablename__ = "calendar_token"

    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BoardCandidate(Model):
    """A volunteer and a shift they may serve by everything that depends only on the
    two of them (``eligibility.Eligibility``: status, kinds, credentials and absences on
    the day, free times, radius, the request's needs). Kept by ``shifts/candidates.py``
    when either side changes; the board reads a volunteer's rows by index and checks
    only what changes with every claim (free seats, clashes). Rows exist for shifts not
    yet final that start in the future; the status is read from the shift."""

    __tablename__ = "board_candidate"

    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    shift_id: Mapped[int] = mapped_column(
        sa.ForeignKey("shift.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class BoardChange(Model):
    """Something on a volunteer's board changed (``shifts/board_changes.py``): one row
    per volunteer per committed change, written with the change. The board kept rendered
    (``shifts/board_cache.py``) is valid while the volunteer's count and last id of
    these rows stay the same: one index read instead of comparing every shift it shows.
    The nightly rebuild of the candidates leaves one fresh row per volunteer."""

    __tablename__ = "board_change"
    __table_args__ = (
        sa.Index("ix_board_change_person_id", "person_id", "id"),
        {"sqlite_autoincrement": True},  # ids never reused: a volunteer's stamp never repeats
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key, on purpose: its check would take a share lock on the person's row
    # at every change, and a claim holds its volunteer's row locked (``FOR UPDATE``)
    # while it waits for the shift: two claims telling each other's volunteer would
    # deadlock. Rows of a deleted person are dropped by the nightly rebuild.
    person_id: Mapped[int] = mapped_column()


class CalendarChange(Model):
    """Something the coordinator's day or week shows changed in an organisation (a shift,
    a seat, a request, a person's name: ``shifts/calendar_changes.py``): one row per
    organisation per committed change, written with it. The calendar kept rendered
    (``shifts/calendar_cache.py``) is valid while the organisation's count and last id of
    these rows stay the same. The nightly rebuild leaves one fresh row per organisation."""

    __tablename__ = "calendar_change"
    __table_args__ = (
        sa.Index("ix_calendar_change_organisation_id", "organisation_id", "id"),
        {"sqlite_autoincrement": True},  # ids never reused: a stamp never repeats
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key, as for board_change: every write's commit inserts a row, and the
    # check's share lock on the organisation's row would queue behind anything holding
    # it. Rows of a deleted organisation are dropped by the nightly rebuild.
    organisation_id: Mapped[int] = mapped_column()
