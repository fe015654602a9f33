"""Can this volunteer serve this shift? One function for the board, claims, proposals and
manual assignment, so a volunteer and a coordinator always get the same answer and the
same reason.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _

from webapp.core.timeutil import travel
from webapp.extensions import db
from webapp.orgs.settings import org_tz
from webapp.people.eligibility import is_away, missing_credentials
from webapp.people.models import CredentialKind, Person, VolunteerStatus
from webapp.places.geocoding import Point, distance_km, point
from webapp.shifts.models import Assignment, Shift
from webapp.shifts.transitions import HOLDING

_CREDENTIAL_LAPSED = {
    CredentialKind.DRIVING_LICENCE: lambda: _("your driving licence has lapsed"),
    CredentialKind.INSURANCE: lambda: _("your car insurance has lapsed"),
    CredentialKind.BACKGROUND_CHECK: lambda: _("your background check is missing or out of date"),
}


@lru_cache(maxsize=8192)
def km_between(a: Point, b: Point) -> float:
    """Geodesic km, memoised: a weekly request puts the same pair on the board every week,
    and the geodesic solution costs about a millisecond."""
    return distance_km(a, b)


def _rough_km(a: Point, b: Point) -> float:
    """Equirectangular approximation: within 0.5% of geodesic over a town's distances."""
    mean_lat = math.radians((a[0] + b[0]) / 2)
    dx = math.radians(b[1] - a[1]) * math.cos(mean_lat)
    dy = math.radians(b[0] - a[0])
    return 6371.0 * math.hypot(dx, dy)


def volunteer_distance(person: Person, shift: Shift) -> float | None:
    home, start = point(person.lat, person.lon), point(shift.start_lat, shift.start_lon)
    if home is None or start is None:
        return None
    return km_between(home, start)


def _beyond(a: Point, b: Point, radius: float) -> bool:
    rough = _rough_km(a, b)
    if rough > radius * 1.02 + 0.05:
        return True  # clearly outside: skip the exact computation
    if rough < radius * 0.98 - 0.05:
        return False
    return km_between(a, b) > radius  # near the edge: decide with the geodesic


def ineligibility(person: Person, shift: Shift) -> str | None:
    """``None`` if ``person`` may serve ``shift``; otherwise the first reason, addressed to
    the volunteer ("your licence has lapsed", "outside your 5 km radius")."""
    return Eligibility(person)(shift)


class Eligibility:
    """:func:`ineligibility` for one volunteer and many shifts (the board): what depends
    only on the volunteer, or on the volunteer and a date, is worked out once. The same
    checks in the same order, so the same reason comes first."""

    def __init__(self, person: Person) -> None:
        self.person = person
        self.profile = person.volunteer
        self.home = point(person.lat, person.lon)
        self._tz: dict[int, ZoneInfo] = {}
        self._on_day: dict[tuple[str, date], str | None] = {}
        self._slots = [(s.weekday, s.start, s.end) for s in person.slots] if self.profile else []

    def _tz_of(self, org_id: int) -> ZoneInfo:
        if org_id not in self._tz:
            self._tz[org_id] = org_tz(org_id)
        return self._tz[org_id]

    def _day_reason(self, activity: str, day: date) -> str | None:
        key = (activity, day)
        if key not in self._on_day:
            missing = missing_credentials(self.person, activity, day)
            if missing:
                reason: str | None = _CREDENTIAL_LAPSED.get(
                    missing[0], lambda: _("a required check is missing")
                )()
            elif is_away(self.person, day):
                reason = _("you are away on that day")
            else:
                reason = None
            self._on_day[key] = reason
        return self._on_day[key]

    def __call__(self, shift: Shift) -> str | None:
        person, profile = self.person, self.profile
        if profile is None or not person.is_volunteer:
            return _("not registered as a volunteer")
        if profile.status == VolunteerStatus.SUSPENDED:
            return _("your volunteering is suspended for now")
        if profile.status != VolunteerStatus.APPROVED:
            return _("your volunteer application is not approved yet")
        if person.organisation_id != shift.organisation_id:
            return _("this shift belongs to another organisation")
        activity = "ride" if shift.kind.is_ride else "visit"
        if activity == "ride" and not profile.offers_driving:
            return _("you do not offer driving")
        if activity == "visit" and not profile.offers_visits:
            return _("you do not offer home visits")
        tz = self._tz_of(shift.organisation_id)
        start, end = shift.starts_at.astimezone(tz), shift.ends_at.astimezone(tz)
        reason = self._day_reason(activity, start.date())
        if reason:
            return reason
        if start.date() != end.date() or not any(
            weekday == start.weekday() and s <= start.time() and e >= end.time()
            for weekday, s, e in self._slots
        ):
            return _("outside the times you said you are free")
        home = self.home
        if home is None:
            return _("we do not know where you live yet")
        where = point(shift.start_lat, shift.start_lon)
        if where is None:
            return _("this address is not on the map yet; a coordinator will fix it")
        if _beyond(home, where, profile.max_km):
            return _("outside your %(km)s km radius", km=f"{profile.max_km:g}")
        request = shift.request
        if activity == "ride":
            if request.wheelchair and not profile.car_wheelchair:
                return _("this ride needs a wheelchair-accessible car")
            if (profile.car_seats or 0) < request.passengers:
                return _("your car has too few seats for %(n)s passengers", n=request.passengers)
        if request.languages and not set(request.languages) & set(person.languages or []):
            return _(
                "the resident needs someone who speaks %(langs)s",
                langs=", ".join(request.languages),
            )
        if request.gender_preference and request.gender_preference != person.gender:
            return _("the resident asked for a visitor of another gender")
        return None


# Held shifts this far before or after a window can still clash with it: wider than
# any travel time inside one town.
HELD_MARGIN = timedelta(hours=6)


def held_shifts(person: Person, lo: datetime, hi: datetime) -> list[Shift]:
    """Shifts ``person`` holds that could clash with anything between ``lo`` and ``hi``."""
    margin = HELD_MARGIN
    return list(
        db.session.scalars(
            sa.select(Shift)
            .join(Assignment, Assignment.shift_id == Shift.id)
            .where(
                Assignment.volunteer_id == person.id,
                Shift.status.in_(HOLDING),
                Shift.starts_at < hi + margin,
                Shift.ends_at > lo - margin,
            )
        )
    )


def conflict(
    person: Person, shifts: list[Shift], speed_kmh: float, held: list[Shift] | None = None
) -> str | None:
    """A reason if ``person`` already holds a shift that overlaps any of ``shifts``,
    counting the travel time from where one ends to where the next starts. ``held`` may
    be preloaded with :func:`held_shifts` (the board checks many groups at once)."""
    if not shifts:
        return None
    ids = {s.id for s in shifts}
    if held is None:
        held = held_shifts(person, min(s.starts_at for s in shifts), max(s.ends_at for s in shifts))
    for other in held:
        if other.id in ids:
            continue
        for shift in shifts:
            if overlaps(other, shift, speed_kmh):
                tz = org_tz(shift.organisation_id)
                return _(
                    "you already have a shift from %(start)s to %(end)s that is too close",
                    start=other.starts_at.astimezone(tz).strftime("%H:%M"),
                    end=other.ends_at.astimezone(tz).strftime("%H:%M"),
                )
    return None


def overlaps(a: Shift, b: Shift, speed_kmh: float) -> bool:
    """Neither ends (plus the travel between them) before the other starts: the one rule
    that keeps a volunteer's shifts, and a resident's bookings, apart."""
    return not (_follows(a, b, speed_kmh) or _follows(b, a, speed_kmh))


def _follows(first: Shift, second: Shift, speed_kmh: float) -> bool:
    """``second`` starts once ``first`` is over and the volunteer has travelled between.

    The geodesic (a millisecond) is computed only when the gap between them is too short
    to decide without it: never when ``second`` starts before ``first`` ends, nor when
    the gap outlasts the travel over an upper bound of the distance (the board checks
    every open shift against every shift the volunteer holds)."""
    gap = second.starts_at - first.ends_at
    if gap < timedelta(0):
        return False
    a, b = point(first.end_lat, first.end_lon), point(second.start_lat, second.start_lon)
    if a is None or b is None:
        return True
    if gap >= travel(_upper_km(a, b), speed_kmh):
        return True
    return gap >= travel(km_between(a, b), speed_kmh)


def _upper_km(a: Point, b: Point) -> float:
    """More than the geodesic: the great circle on a sphere of mean radius is within
    0.6% of it anywhere on Earth."""
    lat1, lat2 = math.radians(a[0]), math.radians(b[0])
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h))) * 1.01 + 0.01
