"""Run records (exactly-once per job and due time) and per-organisation times."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import utcnow
from webapp.extensions import db


class JobRun(db.Model):
    """One run of one job for one due time.

    The row is inserted first, in the same transaction as the job's work: a second
    attempt at the same (job, due_at) hits the unique key and does nothing.
    """

    __tablename__ = "job_run"
    __table_args__ = (sa.UniqueConstraint("job", "due_at", name="uq_job_run_job_due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(sa.String(80))
    due_at: Mapped[datetime] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    worker: Mapped[str] = mapped_column(sa.String(120))  # host:pid of the scheduler
    summary: Mapped[str | None] = mapped_column(sa.String(500))

    def __repr__(self) -> str:
        return f"<JobRun {self.job} {self.due_at.isoformat()}>"


class OrganisationSchedule(db.Model):
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


DEFAULTS = {
    c.name: c.default.arg
    for c in OrganisationSchedule.__table__.columns
    if c.default is not None and not callable(c.default.arg)
}


def schedule_for(org_id: int) -> OrganisationSchedule:
    """The organisation's row, or an unsaved one holding the defaults."""
    row = db.session.get(OrganisationSchedule, org_id)
    return row if row is not None else OrganisationSchedule(organisation_id=org_id, **DEFAULTS)


class CredentialWarning(db.Model):
    """A coordinator was told that this credential lapses on ``expires_on``.

    One row per credential and expiry date: the warning goes out once, and again only
    if the credential is renewed with a new date that in turn comes close.
    """

    __tablename__ = "credential_warning"
    __table_args__ = (
        sa.UniqueConstraint("credential_id", "expires_on", name="uq_credential_warning_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    credential_id: Mapped[int] = mapped_column(
        sa.ForeignKey("credential.id", ondelete="CASCADE"), index=True
    )
    expires_on: Mapped[date] = mapped_column(sa.Date)
    warned_at: Mapped[datetime] = mapped_column(default=utcnow)
