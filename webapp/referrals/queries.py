"""Read side of referrals: the triage queue, a person's referrals and measures, who is
due a re-measure, and the funnel report (per source, with the times between steps)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp.db import utcnow
from webapp.extensions import db
from webapp.orgs.settings import settings_for
from webapp.people.models import Person
from webapp.referrals.models import (
    OPEN,
    DirectoryActivity,
    LonelinessMeasure,
    Prescription,
    Referral,
    ReferralStatus,
    SourceKind,
)
from webapp.requests.models import Request
from webapp.shifts.models import Shift, ShiftStatus

S = ReferralStatus
GONE = (ShiftStatus.CANCELLED, ShiftStatus.UNFILLED, ShiftStatus.NO_SHOW)


def aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes for aware UTC columns.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def queue(org_id: int, limit: int | None = None) -> list[Referral]:
    """Open referrals, the first contact due soonest first (new ones before those
    already contacted); the first ``limit`` only if given (the desk's home)."""
    return list(
        db.session.scalars(
            sa.select(Referral)
            .where(Referral.organisation_id == org_id, Referral.status.in_(OPEN))
            .options(selectinload(Referral.owner), selectinload(Referral.person))
            .order_by(sa.case((Referral.status == S.NEW, 0), else_=1), Referral.due_at)
            .limit(limit)
        )
    )


def closed(org_id: int, limit: int = 20) -> list[Referral]:
    return list(
        db.session.scalars(
            sa.select(Referral)
            .where(Referral.organisation_id == org_id, Referral.status.not_in(OPEN))
            .order_by(Referral.closed_at.desc(), Referral.id.desc())
            .limit(limit)
        )
    )


def for_person(person_id: int) -> list[Referral]:
    return list(
        db.session.scalars(
            sa.select(Referral)
            .where(Referral.person_id == person_id)
            .order_by(Referral.created_at.desc())
        )
    )


def measures_for(person_id: int) -> list[LonelinessMeasure]:
    """Newest first."""
    return list(
        db.session.scalars(
            sa.select(LonelinessMeasure)
            .where(LonelinessMeasure.person_id == person_id)
            .order_by(LonelinessMeasure.taken_at.desc(), LonelinessMeasure.id.desc())
        )
    )


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def remeasure_on(measure: LonelinessMeasure, months: int) -> date:
    return add_months(aware(measure.taken_at).date(), months)


@dataclass(frozen=True)
class Remeasure:
    person: Person
    last: LonelinessMeasure
    due_on: date


def remeasure_before(today: date, months: int) -> datetime:
    """The instant before which a person's latest measure makes them due on ``today``
    (``remeasure_on(measure, months) <= today``), so the database can tell who is due:
    the later days of a long month all fall due on a short month's last day."""
    last = add_months(today, -months)  # due by today, a shorter month or not
    while add_months(last + timedelta(days=1), months) <= today:
        last += timedelta(days=1)
    return datetime.combine(last + timedelta(days=1), time(0), tzinfo=UTC)


def remeasure_due(org_id: int, today: date) -> list[Remeasure]:
    """People whose latest measure is ``remeasure_months`` old or more (organisation
    setting), the most overdue first. Only theirs are read, not every resident's."""
    months = settings_for(org_id).remeasure_months
    latest = (
        sa.select(LonelinessMeasure.person_id, sa.func.max(LonelinessMeasure.taken_at).label("at"))
        .where(LonelinessMeasure.organisation_id == org_id)
        .group_by(LonelinessMeasure.person_id)
        .having(sa.func.max(LonelinessMeasure.taken_at) < remeasure_before(today, months))
        .subquery()
    )
    rows = db.session.scalars(
        sa.select(LonelinessMeasure)
        .join(
            latest,
            sa.and_(
                LonelinessMeasure.person_id == latest.c.person_id,
                LonelinessMeasure.taken_at == latest.c.at,
            ),
        )
        .options(selectinload(LonelinessMeasure.person))
    )
    out = {}
    for measure in rows:
        out[measure.person_id] = Remeasure(measure.person, measure, remeasure_on(measure, months))
    return sorted(out.values(), key=lambda r: (r.due_on, r.person.last_name, r.person.id))


def late(org_id: int, now: datetime | None = None) -> list[Referral]:
    """New referrals whose first contact is overdue."""
    now = now or utcnow()
    return [r for r in queue(org_id) if r.status == S.NEW and aware(r.due_at) < now]


def days_between(start: datetime, end: datetime | None) -> float | None:
    if end is None:
        return None
    return (aware(end) - aware(start)).total_seconds() / 86400


@dataclass
class FunnelRow:
    """One source's referrals at each step, and the median days between steps."""

    source: str  # a SourceKind value, or "all"
    referrals: int = 0
    contacted: int = 0
    assessed: int = 0
    accepted: int = 0
    helped: int = 0
    declined: int = 0
    to_contact: list[float] = field(default_factory=list)
    to_help: list[float] = field(default_factory=list)

    def add(self, r: Referral) -> None:
        self.referrals += 1
        self.contacted += r.first_contact_at is not None
        self.assessed += r.assessed_at is not None
        self.accepted += r.status == S.ACCEPTED
        self.helped += r.first_help_at is not None
        self.declined += r.status == S.DECLINED
        contact = days_between(r.created_at, r.first_contact_at)
        if contact is not None:
            self.to_contact.append(contact)
        help_days = days_between(r.created_at, r.first_help_at)
        if help_days is not None:
            self.to_help.append(help_days)

    @property
    def median_to_contact(self) -> float | None:
        return statistics.median(self.to_contact) if self.to_contact else None

    @property
    def median_to_help(self) -> float | None:
        return statistics.median(self.to_help) if self.to_help else None


def funnel(org_id: int, since: datetime | None = None) -> list[FunnelRow]:
    """The funnel per referral source (in the order of ``SourceKind``, sources without
    referrals left out) and a last row ``all``."""
    query = sa.select(Referral).where(Referral.organisation_id == org_id)
    if since is not None:
        query = query.where(Referral.created_at >= since)
    rows = {kind.value: FunnelRow(kind.value) for kind in SourceKind}
    total = FunnelRow("all")
    for referral in db.session.scalars(query):
        rows[referral.source_kind.value].add(referral)
        total.add(referral)
    return [row for row in rows.values() if row.referrals] + [total]


def first_booked(person_id: int, after: datetime) -> Shift | None:
    """The person's first visit or ride from ``after`` on that is still going ahead or
    took place (the first help booked)."""
    return db.session.scalar(
        sa.select(Shift)
        .join(Request, Shift.request_id == Request.id)
        .where(
            Request.resident_id == person_id,
            Shift.starts_at >= after,
            Shift.status.not_in(GONE),
        )
        .order_by(Shift.starts_at)
        .limit(1)
    )


def activities(org_id: int) -> list[DirectoryActivity]:
    return list(
        db.session.scalars(
            sa.select(DirectoryActivity)
            .where(DirectoryActivity.organisation_id == org_id)
            .order_by(DirectoryActivity.name)
        )
    )


def prescriptions_for(person_id: int) -> list[Prescription]:
    """Newest first."""
    return list(
        db.session.scalars(
            sa.select(Prescription)
            .where(Prescription.person_id == person_id)
            .options(selectinload(Prescription.activity))
            .order_by(Prescription.prescribed_at.desc(), Prescription.id.desc())
        )
    )
