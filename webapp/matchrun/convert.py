"""Rows -> the frozen dataclasses of ``matching`` (visits), one calendar week at a time.

Why per week: a volunteer's limit is *weekly* (``hours_per_week``) while the solver has one
``max_minutes`` per volunteer for its whole horizon, so a range spanning two weeks is
solved as two problems, each with that week's remaining minutes.

Times are wall-clock minutes from local midnight of the week's Monday in the
organisation's timezone (a DST change inside the week shifts nothing visible: shifts are
shown in local time too). Ids are the database ids as strings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from matching.common.errors import InputError
from matching.visits.model import FixedAssignment, Visit, VisitProblem, Volunteer
from webapp.core.timeutil import monday_of, travel_minutes
from webapp.extensions import db
from webapp.matchrun.hours import Planned, by_person, minutes, weekly_minutes
from webapp.matchrun.priority import visit_priority
from webapp.orgs.settings import org_tz, settings_for
from webapp.people.eligibility import is_away, missing_credentials
from webapp.people.models import Person, VolunteerProfile, VolunteerStatus
from webapp.places.geocoding import Point, distance_km, located, point
from webapp.shifts.eligibility import ineligibility
from webapp.shifts.models import Shift, ShiftKind, ShiftStatus
from webapp.shifts.transitions import BOOKED, HOLDING

Interval = tuple[int, int]
DAY = 24 * 60
# Everything the eligibility rules read, in four queries instead of four per person.
PERSON_LOADS = (
    selectinload(Person.volunteer),
    selectinload(Person.slots),
    selectinload(Person.absences),
    selectinload(Person.credentials),
)


@dataclass
class WeekInput:
    """One week's problem plus what the app needs to turn the answer back into rows."""

    monday: date
    first: date
    last: date
    tz: ZoneInfo
    problem: VisitProblem
    # Minutes a volunteer already gives this week outside the problem (held shifts, and
    # other work of the same run such as a pinned ride).
    outside_minutes: dict[str, int] = field(default_factory=dict)
    # Shifts in range the solver never sees, with the reason (e.g. no known address).
    skipped: list[tuple[str, str]] = field(default_factory=list)
    # Pins that could not be kept, with the reason.
    dropped_pins: list[tuple[str, str]] = field(default_factory=list)

    def minute(self, moment: datetime) -> int:
        local = moment.astimezone(self.tz).replace(tzinfo=None)
        return int((local - datetime.combine(self.monday, time(0))).total_seconds() // 60)

    def at(self, minute: int) -> datetime:
        """The aware UTC datetime of a minute of this week (local wall clock)."""
        day = self.monday + timedelta(days=minute // DAY)
        m = minute % DAY
        return datetime.combine(day, time(m // 60, m % 60), tzinfo=self.tz).astimezone(UTC)


def weeks(first: date, last: date) -> list[tuple[date, date, date]]:
    """``(monday, first day, last day)`` of each calendar week the range touches."""
    out = []
    monday = monday_of(first)
    while monday <= last:
        out.append((monday, max(first, monday), min(last, monday + timedelta(days=6))))
        monday += timedelta(days=7)
    return out


def dates_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def cut_out(slots: list[Interval], busy: Interval) -> list[Interval]:
    lo, hi = busy
    out: list[Interval] = []
    for a, b in slots:
        if hi <= a or b <= lo:
            out.append((a, b))
            continue
        if a < lo:
            out.append((a, lo))
        if hi < b:
            out.append((hi, b))
    return out


def approved_volunteers(org_id: int, *offer: sa.ColumnElement[bool]) -> list[Person]:
    """Approved volunteers of the organisation whose home we know, by id, meeting
    ``offer`` (what they offer: visits, or driving with a car)."""
    return list(
        db.session.scalars(
            sa.select(Person)
            .join(VolunteerProfile, VolunteerProfile.person_id == Person.id)
            .where(
                Person.organisation_id == org_id,
                Person.is_volunteer.is_(True),
                Person.lat.is_not(None),
                Person.lon.is_not(None),
                VolunteerProfile.status == VolunteerStatus.APPROVED,
                *offer,
            )
            .order_by(Person.id)
            .options(*PERSON_LOADS)
        )
    )


def visit_volunteers(org_id: int) -> list[Person]:
    """Approved volunteers offering visits whose home we know (eligible candidates)."""
    return approved_volunteers(org_id, VolunteerProfile.offers_visits.is_(True))


def _held(org_id: int, monday: date) -> list[Shift]:
    """Every shift of the week somebody holds (any kind): busy time and used minutes."""
    return list(
        db.session.scalars(
            sa.select(Shift).where(
                Shift.organisation_id == org_id,
                Shift.occurrence_date >= monday,
                Shift.occurrence_date <= monday + timedelta(days=6),
                Shift.status.in_(HOLDING),
            )
        )
    )


def _windows(shift: Shift, w: WeekInput) -> tuple[Interval, ...]:
    """The request's windows on that day if the shift lies in one (the usual case: the
    planner put it at a window's start); otherwise the shift's own time, set by hand."""
    s, e = w.minute(shift.starts_at), w.minute(shift.ends_at)
    base = (shift.occurrence_date - w.monday).days * DAY
    mine = [
        (base + win.start.hour * 60 + win.start.minute, base + win.end.hour * 60 + win.end.minute)
        for win in shift.request.windows
        if win.weekday == shift.occurrence_date.weekday()
    ]
    if any(a <= s and e <= b for a, b in mine):
        return tuple(sorted(mine))
    return ((s, e),)


def visit_week(
    org_id: int,
    monday: date,
    first: date,
    last: date,
    pins: dict[str, dict[str, Any]] | None = None,
    now: datetime | None = None,
    planned: Sequence[Planned] = (),
) -> WeekInput:
    """The visits problem of ``first..last`` (inside the week of ``monday``).

    Open, future visit shifts become visits; approved/confirmed visit shifts whose
    volunteers still pass every rule become fixed; other held shifts cut the volunteer's
    availability (with a travel margin) and use up their weekly minutes. ``pins`` maps a
    shift id to ``{"people": [person ids], "start": ISO datetime}``. ``planned`` is other
    work of the same run (a pinned ride), counted like a held shift.
    """
    tz = org_tz(org_id)
    now = now or datetime.now(UTC)
    speed = settings_for(org_id).travel_speed_kmh
    w = WeekInput(monday, first, last, tz, VisitProblem((), (), speed))
    people = visit_volunteers(org_id)
    vid = {p.id: str(p.id) for p in people}
    visits: list[Visit] = []
    fixed: list[FixedAssignment] = []
    fixed_ids: set[int] = set()
    held = _held(org_id, monday)
    elsewhere = by_person(x for x in planned if x.monday == monday)
    for shift in sorted(held, key=lambda s: (s.starts_at, s.id)):
        if (
            shift.kind == ShiftKind.VISIT
            and first <= shift.occurrence_date <= last
            and shift.status in BOOKED
            and (where := point(shift.start_lat, shift.start_lon)) is not None
            and len(shift.assignments) == shift.seats
            and all(
                a.volunteer_id in vid and ineligibility(a.volunteer, shift) is None
                for a in shift.assignments
            )
        ):
            held_time = ((w.minute(shift.starts_at), w.minute(shift.ends_at)),)
            visits.append(_visit(shift, where, held_time))
            fixed.append(
                FixedAssignment(
                    str(shift.id),
                    tuple(vid[a.volunteer_id] for a in shift.assignments),
                    w.minute(shift.starts_at),
                )
            )
            fixed_ids.add(shift.id)
    open_shifts = db.session.scalars(
        sa.select(Shift)
        .where(
            Shift.organisation_id == org_id,
            Shift.kind == ShiftKind.VISIT,
            Shift.status == ShiftStatus.OPEN,
            Shift.occurrence_date >= first,
            Shift.occurrence_date <= last,
            Shift.starts_at > now,
        )
        .order_by(Shift.starts_at, Shift.id)
    ).all()
    for shift in open_shifts:
        where = point(shift.start_lat, shift.start_lon)
        if where is None:
            w.skipped.append((str(shift.id), "we do not know where the resident lives"))
            continue
        visits.append(_visit(shift, where, _windows(shift, w)))
    visit_ids = {v.id for v in visits}
    for sid, pin in (pins or {}).items():
        if pin.get("kind", "visit") != "visit" or not (
            first <= date.fromisoformat(pin["date"]) <= last
        ):
            continue
        people_ids = [int(p) for p in pin.get("people", [])]
        if sid not in visit_ids or sid in {f.visit for f in fixed}:
            w.dropped_pins.append((sid, "the shift is no longer open"))
        elif any(p not in vid for p in people_ids):
            w.dropped_pins.append((sid, "the pinned volunteer can no longer make visits"))
        else:
            start = w.minute(datetime.fromisoformat(pin["start"]))
            fixed.append(FixedAssignment(sid, tuple(vid[p] for p in people_ids), start))

    fixed_minutes: dict[str, int] = {}
    by_id = {v.id: v for v in visits}
    for f in fixed:
        for u in f.volunteers:
            fixed_minutes[u] = fixed_minutes.get(u, 0) + by_id[f.visit].duration_min
    volunteers = []
    for person in people:
        uid = vid[person.id]
        slots = _slots(person, first, monday, last)
        outside = 0
        busy = [s for s in held if s.id not in fixed_ids and person.id in s.volunteer_ids]
        for shift in [*busy, *elsewhere.get(person.id, ())]:
            outside += minutes(shift)
            margin = _margin(person, shift, speed)
            slots = cut_out(
                slots, (w.minute(shift.starts_at) - margin, w.minute(shift.ends_at) + margin)
            )
        w.outside_minutes[uid] = outside
        weekly = weekly_minutes(person)
        # Fixed assignments always stay; the limit never makes the problem infeasible.
        limit = max(weekly - outside, fixed_minutes.get(uid, 0), 0)
        lat, lon = located(person.lat, person.lon, f"volunteer {person.id}")  # see the query
        volunteers.append(
            Volunteer(
                id=uid,
                lat=lat,
                lon=lon,
                max_km=person.volunteer.max_km,
                available=tuple(slots),
                max_minutes=limit,
                languages=frozenset(person.languages or ()),
                gender=person.gender or None,
            )
        )
    w.problem = VisitProblem(tuple(volunteers), tuple(visits), speed, tuple(fixed))
    validate(w.problem)
    return w


def validate(problem: VisitProblem) -> None:
    """The solver trusts its input (its JSON reader checks files); rows typed by hand may
    still hold nonsense, e.g. a latitude of 95. Raise ``InputError`` naming the row."""
    for u in problem.volunteers:
        _point(u.lat, u.lon, f"volunteer {u.id}")
    for v in problem.visits:
        _point(v.lat, v.lon, f"shift {v.id}")
        if v.duration_min <= 0:
            raise InputError(f"shift {v.id}.duration", "must be a positive number of minutes")


def _point(lat: float, lon: float, path: str) -> None:
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise InputError(f"{path}.lat", f"latitude must be between -90 and 90, got {lat}")
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        raise InputError(f"{path}.lon", f"longitude must be between -180 and 180, got {lon}")


def _visit(shift: Shift, where: Point, windows: tuple[Interval, ...]) -> Visit:
    req = shift.request
    return Visit(
        id=str(shift.id),
        lat=where[0],
        lon=where[1],
        duration_min=int((shift.ends_at - shift.starts_at).total_seconds() // 60),
        windows=windows,
        priority=visit_priority(req),
        languages=frozenset(req.languages or ()),
        gender=req.gender_preference or None,
        volunteers_needed=shift.seats,
        preferred_volunteer=str(req.preferred_volunteer_id) if req.preferred_volunteer_id else None,
    )


def _slots(person: Person, first: date, monday: date, last: date) -> list[Interval]:
    """Weekly pattern on the dates in range, minus absences and days a credential lapses."""
    out: list[Interval] = []
    for day in dates_between(first, last):
        if is_away(person, day) or missing_credentials(person, "visit", day):
            continue
        base = (day - monday).days * DAY
        for s in person.slots:
            if s.weekday == day.weekday():
                out.append(
                    (
                        base + s.start.hour * 60 + s.start.minute,
                        base + s.end.hour * 60 + s.end.minute,
                    )
                )
    return sorted(out)


def _margin(person: Person, shift: Shift | Planned, speed: float) -> int:
    """Travel to keep free around a held shift: any visit is within the volunteer's radius
    of home, so it is at most (shift -> home) + radius away from the held shift."""
    start = point(shift.start_lat, shift.start_lon)
    if start is None:
        return travel_minutes(person.volunteer.max_km, speed)
    home = located(person.lat, person.lon, f"volunteer {person.id}")  # see visit_volunteers
    km = distance_km(home, start)
    end = point(shift.end_lat, shift.end_lon)
    if end is not None:
        km = max(km, distance_km(home, end))
    return travel_minutes(km + person.volunteer.max_km, speed)
