"""Turning requests into dated shifts, for a rolling horizon (default 4 weeks).

``extend_horizon(org_id, until)`` is idempotent: a shift is identified by (request,
local date, kind) under a unique key, so running it twice, or from a daily job and from
a request form on the same day, never creates duplicates.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from webapp.core.timeutil import at_local, today_local, travel
from webapp.db import utcnow
from webapp.extensions import db
from webapp.orgs.settings import org_tz, settings_for
from webapp.places.geocoding import distance_km, point
from webapp.requests.models import Request, RequestKind, RequestStatus
from webapp.shifts.models import Shift, ShiftKind

# Time to help someone in and out of the car and walk them to the reception desk.
RIDE_BUFFER = timedelta(minutes=15)


def occurrence_dates(request: Request, first: date, last: date) -> Iterator[date]:
    """Local dates on which ``request`` happens, between ``first`` and ``last``."""
    last = min(last, request.end_date) if request.recurring and request.end_date else last
    if not request.recurring:
        day = first_occurrence(request)
        if day and first <= day <= last:
            yield day
        return
    if request.kind == RequestKind.RIDE:
        day = request.start_date
        while day <= last:
            if day >= first:
                yield day
            day += timedelta(days=7)
        return
    # Visits: once a week, on the earliest preferred weekday of that week.
    weekdays = sorted({w.weekday for w in request.windows})
    monday = request.start_date - timedelta(days=request.start_date.weekday())
    while monday <= last and weekdays:
        for wd in weekdays:
            day = monday + timedelta(days=wd)
            if day >= request.start_date:
                if first <= day <= last:
                    yield day
                break
        monday += timedelta(days=7)


def first_occurrence(request: Request) -> date | None:
    if request.kind == RequestKind.RIDE:
        return request.start_date
    weekdays = {w.weekday for w in request.windows}
    for offset in range(7):
        day = request.start_date + timedelta(days=offset)
        if day.weekday() in weekdays:
            return day
    return None


def first_start(request: Request) -> datetime | None:
    day = first_occurrence(request)
    if day is None:
        return None
    plans = plan(request, day)
    return plans[0]["starts_at"] if plans else None


def plan(request: Request, day: date) -> list[dict[str, Any]]:
    """The shift rows (as dicts) of ``request`` on local date ``day``."""
    tz = org_tz(request.organisation_id)
    key = f"{request.id}:{day.isoformat()}"
    resident = request.resident
    if request.kind == RequestKind.VISIT:
        # The window of that weekday; any window if none matches (e.g. a one-off
        # occurrence on another day keeps the usual time).
        fitting = [w for w in request.windows if w.weekday == day.weekday()] or request.windows
        window = min(fitting, key=lambda w: w.start)
        starts = at_local(day, window.start, tz)
        where = dict(
            start_address=resident.address if resident else "",
            start_lat=resident.lat if resident else None,
            start_lon=resident.lon if resident else None,
        )
        return [
            dict(
                group_key=key,
                kind=ShiftKind.VISIT,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=request.duration_minutes),
                seats=2 if request.two_volunteers else 1,
                end_address=where["start_address"],
                end_lat=where["start_lat"],
                end_lon=where["start_lon"],
                neighbourhood=resident.neighbourhood if resident else None,
                **where,
            )
        ]
    speed = settings_for(request.organisation_id).travel_speed_kmh
    pickup = point(request.pickup_lat, request.pickup_lon)
    dest = point(request.destination_lat, request.destination_lon)
    km = distance_km(pickup, dest) if pickup is not None and dest is not None else 0.0
    drive = travel(km, speed) + RIDE_BUFFER
    if request.appointment_time is None:  # the request operations require one for a ride
        raise ValueError(f"ride request {request.id} has no appointment time")
    appointment = at_local(day, request.appointment_time, tz)
    home = dict(lat=request.pickup_lat, lon=request.pickup_lon, address=request.pickup_address)
    there = dict(
        lat=request.destination_lat,
        lon=request.destination_lon,
        address=_dest_label(request),
    )
    hood = resident.neighbourhood if resident else None
    legs = [_leg(key, ShiftKind.RIDE_OUT, appointment - drive, appointment, home, there, hood)]
    if request.return_wanted:
        back = appointment + timedelta(minutes=request.stay_minutes or 60)
        legs.append(_leg(key, ShiftKind.RIDE_BACK, back, back + drive, there, home, hood))
    return legs


def _dest_label(request: Request) -> str:
    if request.destination_name:
        return f"{request.destination_name}, {request.destination_address}"
    return request.destination_address or ""


def _leg(
    key: str,
    kind: ShiftKind,
    starts: datetime,
    ends: datetime,
    frm: dict[str, Any],
    to: dict[str, Any],
    hood: str | None,
) -> dict[str, Any]:
    return dict(
        group_key=key,
        kind=kind,
        starts_at=starts,
        ends_at=ends,
        seats=1,
        start_address=frm["address"],
        start_lat=frm["lat"],
        start_lon=frm["lon"],
        end_address=to["address"],
        end_lat=to["lat"],
        end_lon=to["lon"],
        neighbourhood=hood,
    )


def expand_request(request: Request, until: date, now: datetime | None = None) -> int:
    """Create the missing shifts of one request up to ``until`` (local date). Idempotent.

    None for a resident who signed up online and whom no coordinator has checked yet:
    nobody is sent to an address nobody has checked (the check plans them)."""
    if request.status != RequestStatus.ACTIVE or not resident_checked(request):
        return 0
    now = now or utcnow()
    tz = org_tz(request.organisation_id)
    existing: set[tuple[date, ShiftKind]] = set()
    for day, moved_from, kind in db.session.execute(
        sa.select(Shift.occurrence_date, Shift.moved_from, Shift.kind).where(
            Shift.request_id == request.id
        )
    ):
        existing.add((day, kind))
        if moved_from is not None:  # moved by hand: the series' own date is taken
            existing.add((moved_from, kind))
    created = 0
    for day in occurrence_dates(request, today_local(tz, now), until):
        for row in plan(request, day):
            if (day, row["kind"]) in existing or row["starts_at"] <= now:
                continue
            db.session.add(
                Shift(
                    organisation_id=request.organisation_id,
                    request_id=request.id,
                    occurrence_date=day,
                    **row,
                )
            )
            created += 1
    db.session.flush()
    return created


def resident_checked(request: Request) -> bool:
    person = request.resident
    profile = person.resident if person is not None else None
    return profile is None or profile.checked_at is not None


def default_until(org_id: int, now: datetime | None = None) -> date:
    weeks = settings_for(org_id).horizon_weeks
    return today_local(org_tz(org_id), now) + timedelta(weeks=weeks)


def extend_horizon(org_id: int, until: date | None = None, now: datetime | None = None) -> int:
    """Create every missing shift of the organisation's active requests up to ``until``
    (default: today + the organisation's horizon, 4 weeks). Returns how many were made.
    Flushes; the caller (a scheduled job, a CLI command) commits."""
    until = until or default_until(org_id, now)
    requests = db.session.scalars(
        sa.select(Request).where(
            Request.organisation_id == org_id, Request.status == RequestStatus.ACTIVE
        )
    ).all()
    return sum(expand_request(r, until, now) for r in requests)
