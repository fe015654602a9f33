"""The city data's shifts beyond what the planner makes: the coming month booked in every
state, and a year of past shifts with who served them (part of benchmarks/city_data.py)."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from benchmarks.town_week import KM_PER_DEG_LAT
from webapp.extensions import db
from webapp.people.models import Person, VolunteerStatus
from webapp.requests.models import Request, RequestKind
from webapp.requests.planning import plan
from webapp.shifts.models import Assignment, CheckIn, Shift, ShiftStatus

S = ShiftStatus
BATCH = 2000


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dy = (a[0] - b[0]) * KM_PER_DEG_LAT
    dx = (a[1] - b[1]) * KM_PER_DEG_LAT * 0.75
    return float((dx * dx + dy * dy) ** 0.5)


def _eligible(vol: Person, home: tuple[float, float], ride: bool) -> bool:
    prof = vol.volunteer
    if prof.status != VolunteerStatus.APPROVED:
        return False
    if (ride and not prof.offers_driving) or (not ride and not prof.offers_visits):
        return False
    return _km((vol.lat, vol.lon), home) <= prof.max_km


def book_future(rng: random.Random, people: dict[str, list[Person]], now: datetime) -> int:
    """Put the coming month's shifts in every booking state, as volunteers and
    coordinators would: the nearer the day, the more of it is booked."""
    vols = people["volunteers"]
    busy: set[tuple[int, date, int]] = set()
    shifts = db.session.scalars(sa.select(Shift).order_by(Shift.starts_at, Shift.id)).all()
    groups: dict[str, list[Shift]] = defaultdict(list)
    for s in shifts:
        groups[s.group_key].append(s)
    rows = []
    for legs in groups.values():
        first = legs[0]
        days_ahead = (first.starts_at - now).days
        roll = rng.random()
        if roll < 0.03:
            for leg in legs:
                leg.status = S.CANCELLED
            continue
        if roll > (0.75 if days_ahead < 7 else 0.45 if days_ahead < 14 else 0.15):
            continue  # stays open
        home = (first.start_lat, first.start_lon)
        slot = (first.occurrence_date, first.starts_at.hour)
        ride = first.kind.is_ride
        cands = [
            v
            for v in rng.sample(vols, min(60, len(vols)))
            if _eligible(v, home, ride) and (v.id, *slot) not in busy
        ]
        if not cands:
            continue
        vol = cands[0]
        busy.add((vol.id, *slot))
        status = rng.choice([S.PROPOSED, S.CLAIMED, S.APPROVED, S.APPROVED, S.CONFIRMED])
        for leg in legs:
            leg.status = status
            rows.append(
                dict(
                    shift_id=leg.id,
                    volunteer_id=vol.id,
                    seat=1,
                    created_at=now,
                    confirmed_at=now if status == S.CONFIRMED else None,
                )
            )
    if rows:
        db.session.execute(sa.insert(Assignment), rows)
    db.session.flush()
    return len(shifts)


def past_year(rng: random.Random, people: dict[str, list[Person]], now: datetime) -> list:
    """A year of past occurrences of every request, with who served them."""
    vols = people["volunteers"]
    reqs = db.session.scalars(sa.select(Request).order_by(Request.id)).all()
    today = now.date()
    regular: dict[int, Person | None] = {}
    shift_rows, meta = [], []
    for req in reqs:
        home = (req.resident.lat, req.resident.lon)
        ride = req.kind == RequestKind.RIDE
        cands = [v for v in vols if _eligible(v, home, ride)]
        regular[req.id] = rng.choice(cands) if cands else None
        req.start_date = req.start_date - timedelta(weeks=52)
        for week in range(1, 53):
            day = req.start_date + timedelta(weeks=52 - week)
            if day >= today:
                continue
            recent = week <= 5
            roll = rng.random()
            status = (
                S.CANCELLED
                if roll < 0.04
                else S.NO_SHOW
                if roll < 0.06
                else S.UNFILLED
                if roll < 0.12 or regular[req.id] is None
                else S.COMPLETED
            )
            vol = regular[req.id] if rng.random() < 0.8 or not cands else rng.choice(cands)
            if vol is None and status in (S.COMPLETED, S.NO_SHOW):
                status = S.UNFILLED  # nobody near enough offers it
            for row in plan(req, day):
                shift_rows.append(
                    dict(
                        organisation_id=req.organisation_id,
                        request_id=req.id,
                        occurrence_date=day,
                        status=status,
                        **row,
                    )
                )
                meta.append((req, status, vol, recent))
    db.session.flush()
    ids = []
    for i in range(0, len(shift_rows), BATCH):
        ids += db.session.scalars(
            sa.insert(Shift).returning(Shift.id, sort_by_parameter_order=True),
            shift_rows[i : i + BATCH],
        ).all()
    assignments, checkins, done = [], [], []
    for sid, row, (req, status, vol, recent) in zip(ids, shift_rows, meta, strict=True):
        if status in (S.COMPLETED, S.NO_SHOW):
            assignments.append(
                dict(
                    shift_id=sid,
                    volunteer_id=vol.id,
                    seat=1,
                    created_at=row["starts_at"] - timedelta(days=7),
                )
            )
        if status == S.COMPLETED:
            done.append((sid, row, req, vol))
            if recent and row["kind"].value != "ride_back" and rng.random() < 0.7:
                worried = rng.random() < 0.03
                checkins.append(
                    dict(
                        organisation_id=req.organisation_id,
                        shift_id=sid,
                        volunteer_id=vol.id,
                        mood="low" if worried else "good",
                        resident_happy=not worried,
                        worried=worried,
                        created_at=row["ends_at"],
                        handled_at=None if rng.random() < 0.3 else now,
                    )
                )
    for table, rows in ((Assignment, assignments), (CheckIn, checkins)):
        for i in range(0, len(rows), BATCH):
            db.session.execute(sa.insert(table), rows[i : i + BATCH])
    return done
