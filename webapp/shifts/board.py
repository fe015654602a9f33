"""The open-shift board (queries only; the volunteer's schedule: ``shifts/schedule.py``)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp.core.timeutil import travel
from webapp.db import utcnow
from webapp.extensions import db
from webapp.orgs.settings import org_tz, settings_for
from webapp.people.models import Person
from webapp.shifts.candidates import reach, settle
from webapp.shifts.eligibility import conflict, held_shifts, volunteer_distance
from webapp.shifts.legs import by_group
from webapp.shifts.models import BoardCandidate, Shift, ShiftStatus
from webapp.shifts.transitions import CLAIMABLE

S = ShiftStatus


@dataclass
class BoardItem:
    legs: list[Shift]
    km: float | None

    @property
    def first(self) -> Shift:
        return self.legs[0]


def _km_bound(shifts: list[Shift]) -> float:
    """More than :func:`eligibility._upper_km` between any two start or end points of
    ``shifts``: a path along a meridian then a parallel is no shorter than the great
    circle, and a degree of either is at most 111.2 km."""
    lats = [x for s in shifts for x in (s.start_lat, s.end_lat) if x is not None]
    lons = [x for s in shifts for x in (s.start_lon, s.end_lon) if x is not None]
    if not lats or not lons:
        return 0.0
    return 111.4 * ((max(lats) - min(lats)) + (max(lons) - min(lons))) * 1.02 + 0.1


def horizon(org_id: int, now: datetime) -> datetime:
    """The board's last start time: the organisation's booking horizon and a week."""
    return now + timedelta(weeks=settings_for(org_id).horizon_weeks + 1)


def open_board(
    person: Person, now: datetime | None = None, limit: int | None = None
) -> list[BoardItem]:
    """Groups ``person`` could take now: eligible on every leg, a free seat, no clash.
    Soonest day first, nearest first within a day. The board costs what is near the
    volunteer and eligible, not what is in the town."""
    now = now or utcnow()
    org_id = person.organisation_id
    if reach(person) is None:
        return []  # every shift would be ineligible (the same answer, without reading them)
    settle()  # changes made earlier in this transaction (a test, a job) count
    settings = settings_for(org_id)
    until = horizon(org_id, now)
    # Only the shifts that passed every check on the volunteer and the shift alone
    # (``board_candidate``, kept when either changes); what a claim changes is checked here.
    candidates = db.session.scalars(
        sa.select(Shift)
        .join(BoardCandidate, BoardCandidate.shift_id == Shift.id)
        .where(
            BoardCandidate.person_id == person.id,
            Shift.organisation_id == org_id,
            Shift.status.in_(CLAIMABLE),
            Shift.starts_at > now,
            Shift.starts_at < until,
        )
        .options(selectinload(Shift.assignments), selectinload(Shift.request))
    ).all()
    groups = by_group(candidates)
    if not groups:
        return []
    # A group is claimable only if every leg is (one query for all group sizes): a ride
    # whose other leg is not a candidate or not claimable has fewer legs here than in all.
    sizes = dict(
        db.session.execute(
            sa.select(Shift.group_key, sa.func.count())
            .where(Shift.group_key.in_([g[0].group_key for g in groups]))
            .group_by(Shift.group_key)
        ).all()
    )
    held = sorted(held_shifts(person, now, until), key=lambda h: h.starts_at)
    speed = settings.travel_speed_kmh
    window = travel(_km_bound([*held, *candidates]), speed)
    starts = [h.starts_at for h in held]
    items = []
    for legs in groups:
        if sizes.get(legs[0].group_key) != len(legs):
            continue
        if any(leg.free_seats < 1 or person.id in leg.volunteer_ids for leg in legs):
            continue
        # Only held shifts within ``window`` of the group can clash with it (a longer gap
        # outlasts the travel between any two of these places): the same answer as
        # checking them all, without a distance for each pair.
        last = bisect.bisect_left(starts, max(leg.ends_at for leg in legs) + window)
        lo = min(leg.starts_at for leg in legs) - window
        near = [h for h in held[:last] if h.ends_at > lo]
        if near and conflict(person, legs, speed, near):
            continue
        items.append(BoardItem(legs, volunteer_distance(person, legs[0])))
    tz = org_tz(org_id)
    items.sort(
        key=lambda i: (i.first.starts_at.astimezone(tz).date(), i.km or 0, i.first.starts_at)
    )
    return items[:limit] if limit else items
