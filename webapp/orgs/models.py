"""Organisations (municipalities or NGOs sharing one deployment, kept apart) and their
organisation-wide settings: booking rules and the times of the automatic tasks."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import utcnow
from webapp.extensions import Model


class Organisation(Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Rome")
    # Where the map centres and how far the town reaches; used by the demo and forms.
    centre_lat: Mapped[float | None] = mapped_column(sa.Float)
    centre_lon: Mapped[float | None] = mapped_column(sa.Float)
    # The profile residents are told to call: shown on the help page and in the
    # messages that say "call us" (see orgs.profile).
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    opening_hours: Mapped[str | None] = mapped_column(sa.String(200))
    address: Mapped[str | None] = mapped_column(sa.String(300))
    # The logo at the head of the observatory's PDF report (orgs/logo.py checks it):
    # the image's bytes, loaded only when asked for (deferred), and "png" or "jpeg".
    logo: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    logo_type: Mapped[str | None] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.slug!r}>"


class OrganisationSettings(Model):
    """Booking rules of one organisation (a row is created on first use, with defaults)."""

    __tablename__ = "organisation_settings"
    __table_args__ = (
        sa.CheckConstraint("min_notice_days >= 0 AND min_notice_days <= 60", name="notice"),
        sa.CheckConstraint("horizon_weeks >= 1 AND horizon_weeks <= 26", name="horizon"),
        sa.CheckConstraint("travel_speed_kmh > 0", name="speed"),
        sa.CheckConstraint(
            "inactive_resident_months IS NULL OR inactive_resident_months BETWEEN 6 AND 120",
            name="inactive_resident_months_range",
        ),
        sa.CheckConstraint(
            "message_days IS NULL OR message_days BETWEEN 30 AND 3650", name="message_days_range"
        ),
        sa.CheckConstraint(
            "checkin_tolerance_min >= 0 AND checkin_tolerance_min <= 720", name="checkin_tolerance"
        ),
        sa.CheckConstraint(
            "checkin_max_factor >= 1 AND checkin_max_factor <= 10", name="checkin_factor"
        ),
        sa.CheckConstraint("max_ride_minutes >= 5", name="max_ride"),
        sa.CheckConstraint("remeasure_months >= 1 AND remeasure_months <= 24", name="remeasure"),
    )

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    min_notice_days: Mapped[int] = mapped_column(default=2)
    horizon_weeks: Mapped[int] = mapped_column(default=4)
    # Used for travel time between shifts and for ride leg durations.
    travel_speed_kmh: Mapped[float] = mapped_column(sa.Float, default=30.0)
    # Residents who sign up online wait for a coordinator's check before their requests
    # reach volunteers (nobody should be sent to an address nobody has checked). An
    # organisation may turn it off, and must say it understands what that means.
    check_online_residents: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Retention (GDPR Art. 5(1)(e)), applied daily by privacy/tasks.py; NULL = keep.
    # Residents with no request, visit, ride or call for this many months are erased.
    inactive_resident_months: Mapped[int | None] = mapped_column(default=24, server_default="24")
    # Messages sent (or failed, cancelled) this many days ago are deleted.
    message_days: Mapped[int | None] = mapped_column(default=365, server_default="365")
    # A volunteer's logged times are believed when they start and end within this many
    # minutes of the planned ones and last at most this many times the planned length;
    # beyond, a coordinator confirms them before the hours are paid (docs/guard-rails.md).
    checkin_tolerance_min: Mapped[int] = mapped_column(default=60, server_default="60")
    checkin_max_factor: Mapped[float] = mapped_column(sa.Float, default=2.0, server_default="2")
    # The longest a passenger may sit in a car on a shared ride (boarding to arrival),
    # in minutes; a request may ask for less (``Request.max_ride_minutes``).
    max_ride_minutes: Mapped[int] = mapped_column(default=45, server_default="45")
    # A person's loneliness is measured again this many months after the last measure
    # (the coordinator's to-do list shows who is due; see docs/referrals.md).
    remeasure_months: Mapped[int] = mapped_column(default=3, server_default="3")


class OrganisationSchedule(Model):
    """When the clockwork acts for one organisation (local times, its time zone).

    Organisations without a row use the defaults below (see :func:`schedule_for`).
    """

    __tablename__ = "organisation_schedule"
    __table_args__ = (
        sa.CheckConstraint("match_days_ahead BETWEEN 1 AND 30", name="match_days_range"),
        sa.CheckConstraint(
            "volunteer_reminder_hours_1 BETWEEN 1 AND 168", name="reminder_1_range"
        ),
        sa.CheckConstraint(
            "volunteer_reminder_hours_2 BETWEEN 0 AND 168",
            name="reminder_2_range",
        ),
        sa.CheckConstraint("confirm_deadline_hours BETWEEN 1 AND 336", name="deadline_range"),
        sa.CheckConstraint("escalate_days BETWEEN 1 AND 30", name="escalate_range"),
        sa.CheckConstraint("auto_confirm_hours BETWEEN 1 AND 720", name="auto_confirm_range"),
        sa.CheckConstraint("credential_warning_days BETWEEN 1 AND 180", name="warning_range"),
        sa.CheckConstraint(
            "daily_hour BETWEEN 0 AND 23 AND resident_reminder_hour BETWEEN 0 AND 23 "
            "AND audit_hour BETWEEN 0 AND 23",
            name="hours_range",
        ),
    )

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    # Matches are proposed for shifts starting within this many days.
    match_days_ahead: Mapped[int] = mapped_column(default=7)
    # Morning hour for the daily work: new shifts from repeating requests (as far ahead
    # as the requests feature's horizon_weeks), proposals, escalation, credentials.
    daily_hour: Mapped[int] = mapped_column(default=7)
    volunteer_reminder_hours_1: Mapped[int] = mapped_column(default=24)
    volunteer_reminder_hours_2: Mapped[int] = mapped_column(default=2)  # 0: no second one
    # Residents are called or written to the day before, at this hour.
    resident_reminder_hour: Mapped[int] = mapped_column(default=17)
    # An assigned volunteer who has not confirmed this many hours before the start is
    # released and the shift reopened.
    confirm_deadline_hours: Mapped[int] = mapped_column(default=48)
    escalate_days: Mapped[int] = mapped_column(default=3)
    auto_confirm_hours: Mapped[int] = mapped_column(default=48)
    credential_warning_days: Mapped[int] = mapped_column(default=30)
    audit_hour: Mapped[int] = mapped_column(default=3)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def reminder_hours(self) -> list[int]:
        hours = [self.volunteer_reminder_hours_1, self.volunteer_reminder_hours_2]
        return sorted({h for h in hours if h}, reverse=True)
