"""The open-shift board and a volunteer's schedule (queries only)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp.db import utcnow
from webapp.extensions import db
from webapp.orgs.settings import org_tz, settings_for
from webapp.people.models import Person, VolunteerStatus
from webapp.shifts.eligibility import Eligibility, conflict, held_shifts, volunteer_distance
from webapp.shifts.legs import by_group
from webapp.shifts.loading import with_request_and_seats
from webapp.shifts.models import Assignment, Shift, ShiftKind, ShiftStatus
from webapp.shifts.transitions import CLAIMABLE, HOLDING

S = ShiftStatus
KM_PER_DEG_LAT_MIN = 110.5  # a degree of latitude is 110.57 km at the equator, more elsewhere


@dataclass
class BoardItem:
    legs: list[Shift]
    km: float | None

    @property
    def first(self) -> Shift:
        return self.legs[0]


def _near(person: Person) -> list[sa.ColumnElement[bool]] | None:
    """SQL conditions that keep only shifts ``person`` could possibly serve: the kinds
    they offer, starting inside a box around their home a little wider than their radius.
    ``None`` when they can serve none at all (not an approved volunteer, no home known).
    :func:`ineligibility` still decides each shift; this only spares it the far ones, so
    the board costs what is near the volunteer, not what is in the town."""
    profile = person.volunteer
    if (
        profile is None
        or not person.is_volunteer
        or profile.status != VolunteerStatus.APPROVED
        or person.lat is None
        or person.lon is None
    ):
        return None
    kinds = [ShiftKind.VISIT] if profile.offers_visits else []
    kinds += [ShiftKind.RIDE_OUT, ShiftKind.RIDE_BACK] if profile.offers_driving else []
    if not kinds:
        return None
    # Wider than ineligibility's own "clearly outside" margin (radius x 1.02 + 50 m), and
    # degrees from the smallest km per degree, so the box never drops an eligible shift.
    reach = profile.max_km * 1.05 + 0.1
    dlat = reach / KM_PER_DEG_LAT_MIN
    where: list[sa.ColumnElement[bool]] = [
        Shift.kind.in_(kinds),
        Shift.start_lat.between(person.lat - dlat, person.lat + dlat),
    ]
    cos_lat = math.cos(math.radians(min(abs(person.lat) + dlat, 90.0)))
    if cos_lat > 0.05:
        dlon = reach / (KM_PER_DEG_LAT_MIN * cos_lat)
        if person.lon - dlon > -180 and person.lon + dlon < 180:
            where.append(Shift.start_lon.between(person.lon - dlon, person.lon + dlon))
    return where


def open_board(
    person: Person, now: datetime | None = None, limit: int | None = None
) -> list[BoardItem]:
    """Groups ``person`` could take now: eligible on every leg, a free seat, no clash.
    Soonest day first, nearest first within a day."""
    now = now or utcnow()
    org_id = person.organisation_id
    near = _near(person)
    if near is None:
        return []  # every shift would be ineligible (the same answer, without reading them)
    settings = settings_for(org_id)
    horizon = now + timedelta(weeks=settings.horizon_weeks + 1)
    candidates = db.session.scalars(
        sa.select(Shift)
        .where(
            Shift.organisation_id == org_id,
            Shift.status.in_(CLAIMABLE),
            Shift.starts_at > now,
            Shift.starts_at < horizon,
            *near,
        )
        .options(selectinload(Shift.assignments), selectinload(Shift.request))
    ).all()
    groups = by_group(candidates)
    if not groups:
        return []
    # A group is claimable only if every leg is (one query for all group sizes): a ride
    # whose other leg is outside the box or not claimable has fewer legs here than in all.
    sizes = dict(
        db.session.execute(
            sa.select(Shift.group_key, sa.func.count())
            .where(Shift.group_key.in_([g[0].group_key for g in groups]))
            .group_by(Shift.group_key)
        ).all()
    )
    held = held_shifts(person, now, horizon)
    eligible = Eligibility(person)
    items = []
    for legs in groups:
        if sizes.get(legs[0].group_key) != len(legs):
            continue
        if any(leg.free_seats < 1 or person.id in leg.volunteer_ids for leg in legs):
            continue
        if any(eligible(leg) for leg in legs):
            continue
        if conflict(person, legs, settings.travel_speed_kmh, held):
            continue
        items.append(BoardItem(legs, volunteer_distance(person, legs[0])))
    tz = org_tz(org_id)
    items.sort(
        key=lambda i: (i.first.starts_at.astimezone(tz).date(), i.km or 0, i.first.starts_at)
    )
    return items[:limit] if limit else items


def my_shifts(person: Person, now: datetime | None = None) -> list[list[Shift]]:
    """Groups the volunteer holds from yesterday on, plus finished ones awaiting a log."""
    now = now or utcnow()
    shifts = db.session.scalars(
        sa.select(Shift)
        .join(Assignment, Assignment.shift_id == Shift.id)
        .where(
            Assignment.volunteer_id == person.id,
            sa.or_(
                sa.and_(Shift.status.in_(HOLDING), Shift.ends_at > now - timedelta(days=14)),
                sa.and_(Shift.status == S.COMPLETED, Shift.ends_at > now - timedelta(days=2)),
            ),
        )
        .options(*with_request_and_seats())
    ).all()
    return by_group(shifts)
