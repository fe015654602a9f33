"""A match run's rides as the solver sees them: the open ride groups of a range, the
drivers (one per person and calendar week, with that week's free slots and minutes left)
and the legs as ``matching.rides`` dataclasses. :mod:`webapp.matchrun.rides` solves them
and turns the solution back into proposals; see its docstring for the adapter's choices.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from matching.rides.model import Driver, Ride, RidesProblem
from webapp.core.timeutil import monday_of
from webapp.extensions import db
from webapp.matchrun.convert import DAY, approved_volunteers, cut_out, dates_between, weeks
from webapp.matchrun.hours import (
    Planned,
    by_person,
    held_minutes,
    minutes,
    planned_minutes,
    weekly_minutes,
)
from webapp.matchrun.priority import ride_priority
from webapp.matchrun.shared_rides import max_ride_for
from webapp.orgs.settings import org_tz, settings_for
from webapp.people.eligibility import is_away, missing_credentials
from webapp.people.models import Person, VolunteerProfile
from webapp.places.geocoding import distance_km, located
from webapp.shifts.legs import by_group
from webapp.shifts.models import Shift, ShiftKind, ShiftStatus
from webapp.shifts.transitions import HOLDING


@dataclass(frozen=True)
class RideInputs:
    groups: list[list[Shift]]  # the open ride groups, each one request's legs
    people: list[Person]  # every approved driver, by id
    problem: RidesProblem
    speed: float  # the organisation's travel speed, km/h
    tz: ZoneInfo
    at: Callable[[float], datetime]  # solver minutes from the range's Monday -> UTC


def weekly_left(person: Person, monday: date) -> int:
    """Minutes of the person's weekly hours not taken by shifts they already hold."""
    return max(weekly_minutes(person) - held_minutes(person.id, monday), 0)


def drivers_of(org_id: int) -> list[Person]:
    return approved_volunteers(
        org_id,
        VolunteerProfile.offers_driving.is_(True),
        VolunteerProfile.car_seats.is_not(None),
    )


def open_groups(org_id: int, first: date, last: date) -> list[list[Shift]]:
    legs = db.session.scalars(
        sa.select(Shift)
        .where(
            Shift.organisation_id == org_id,
            Shift.kind != ShiftKind.VISIT,
            Shift.status == ShiftStatus.OPEN,
            Shift.occurrence_date >= first,
            Shift.occurrence_date <= last,
            Shift.starts_at > datetime.now(UTC),
        )
        .order_by(Shift.starts_at, Shift.id)
    ).all()
    return [
        g
        for g in by_group(legs)
        if all(x.start_lat is not None and x.end_lat is not None for x in g)
    ]


def ride_inputs(
    org_id: int, first: date, last: date, planned: Sequence[Planned] = ()
) -> RideInputs:
    """Read the range's ride groups and drivers and convert them. ``planned``: visits
    proposed earlier in the same run, whose times and minutes the drivers no longer have."""
    tz = org_tz(org_id)
    settings = settings_for(org_id)
    speed = settings.travel_speed_kmh
    monday = monday_of(first)

    def at(minutes_from_monday: float) -> datetime:
        local = datetime.combine(monday, time(0)) + timedelta(minutes=round(minutes_from_monday))
        return local.replace(tzinfo=tz).astimezone(UTC)

    def minute(moment: datetime) -> int:
        local = moment.astimezone(tz).replace(tzinfo=None)
        return int((local - datetime.combine(monday, time(0))).total_seconds() // 60)

    groups = open_groups(org_id, first, last)
    people = drivers_of(org_id)
    held = db.session.scalars(
        sa.select(Shift).where(
            Shift.organisation_id == org_id,
            Shift.status.in_(HOLDING),
            Shift.occurrence_date >= first,
            Shift.occurrence_date <= last,
        )
    ).all()
    mine = by_person(planned)
    drivers = []
    for p in people:
        for week, a, b in weeks(first, last):
            slots = []
            for day in dates_between(a, b):
                if is_away(p, day) or missing_credentials(p, "ride", day):
                    continue
                base = (day - monday).days * DAY
                slots += [
                    (
                        base + s.start.hour * 60 + s.start.minute,
                        base + s.end.hour * 60 + s.end.minute,
                    )
                    for s in p.slots
                    if s.weekday == day.weekday()
                ]
            busy = [s for s in held if p.id in s.volunteer_ids] + mine.get(p.id, [])
            for shift in busy:
                slots = cut_out(sorted(slots), (minute(shift.starts_at), minute(shift.ends_at)))
            left = weekly_left(p, week) - planned_minutes(mine.get(p.id, []), week)
            if slots:
                lat, lon = located(p.lat, p.lon, f"driver {p.id}")  # see drivers_of
                drivers.append(
                    Driver(
                        f"{p.id}@{week.isoformat()}",
                        lat,
                        lon,
                        tuple(sorted(slots)),
                        seats=p.volunteer.car_seats or 1,
                        wheelchair=p.volunteer.car_wheelchair,
                        max_minutes=max(left, 0),
                    )
                )
    rides = []
    for g in groups:
        req = g[0].request
        for leg in g:
            common = dict(
                id=str(leg.id),
                max_ride_min=max_ride_for(req, settings.max_ride_minutes),
                pickup_lat=leg.start_lat,
                pickup_lon=leg.start_lon,
                dropoff_lat=leg.end_lat,
                dropoff_lon=leg.end_lon,
                passengers=req.passengers,
                wheelchair=req.wheelchair,
                priority=ride_priority(req),
                busy_min=minutes(leg),
            )
            if leg.kind == ShiftKind.RIDE_OUT:
                rides.append(Ride(appointment=minute(leg.ends_at), **common))
            else:
                out = next((x for x in g if x.kind == ShiftKind.RIDE_OUT), None)
                rides.append(
                    Ride(
                        earliest_pickup=minute(leg.starts_at),
                        return_of=str(out.id) if out else None,
                        **common,
                    )
                )
    problem = RidesProblem(
        tuple(drivers),
        tuple(rides),
        speed_kmh=speed,
        distance_km=lambda a, b, c, d: distance_km((a, b), (c, d)),
    )
    return RideInputs(groups, people, problem, speed, tz, at)
