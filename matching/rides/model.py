"""Solidarity-taxi rides: volunteer drivers carry elderly people to appointments.

Pure model: frozen dataclasses in, a :class:`RideSolution` out (the solver that turns one
into the other is ``matching.rides.solver.solve_rides``). Times are minutes since the
problem's origin (``rides.scenario_io`` uses midnight of the first day, so ``9*60+30`` is
09:30). Distances come from an injected ``distance_km(lat1, lon1, lat2, lon2)`` function
(haversine by default) or a precomputed matrix; travel time = distance / ``speed_kmh``.

Each driver shift becomes one OR-Tools vehicle starting and ending at the driver's home.
A ride leg is a pickup/dropoff pair with time windows, a service (boarding/escort) time
at both ends, a maximum ride time and seat/wheelchair eligibility. An outbound leg and
its return leg are served together or not at all, by the same driver (who waits and
brings the passenger home); a driver's ``max_minutes`` caps the time their legs take.
Legs that cannot be served are left out with a penalty (weighted by priority), so a plan
always exists, and each one left out gets a plain-language reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from matching.common import geo
from matching.common.errors import InputError

DistanceFn = Callable[[float, float, float, float], float]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance; within about 0.5% of the geodesic (``common.geo``'s formula
    with the rides' four-number signature)."""
    return geo.haversine_km((lat1, lon1), (lat2, lon2))


@dataclass(frozen=True)
class Driver:
    id: str
    lat: float
    lon: float
    shifts: tuple[tuple[int, int], ...]  # available windows [start, end] in minutes
    seats: int = 3  # passenger seats (escorts included)
    wheelchair: bool = False  # car can carry a wheelchair
    max_km: float | None = None  # per shift, home to home
    # Over the whole problem: the sum of the busy minutes of the legs they drive (like a
    # visit volunteer's max_minutes, travel from home and waiting are not counted).
    max_minutes: int | None = None


@dataclass(frozen=True)
class Ride:
    """One leg: pick a passenger up and drop them off.

    Give ``earliest_pickup`` (a trip home after an appointment) or ``appointment`` (the
    latest arrival at the destination), or both. ``flex_min`` widens the missing side:
    pickup within ``[earliest_pickup, earliest_pickup + flex]``; arrival within
    ``[appointment - flex, appointment]``. ``return_of`` names the outbound leg this leg
    is the return of; the two are served together or not at all, by the same driver.
    ``busy_min`` is what the leg counts against the driver's ``max_minutes`` (default:
    boarding at both ends plus the direct drive, rounded up to the minute).
    """

    id: str
    pickup_lat: float
    pickup_lon: float
    dropoff_lat: float
    dropoff_lon: float
    earliest_pickup: int | None = None
    appointment: int | None = None
    passengers: int = 1
    wheelchair: bool = False
    service_min: int = 5  # at pickup and at dropoff (boarding, escort to the door)
    max_ride_min: int | None = None  # default: 2 x direct + 15
    flex_min: int = 30
    return_of: str | None = None
    priority: int = 1  # higher is more important when not everything fits
    busy_min: int | None = None


RideLeg = Ride


@dataclass(frozen=True)
class RidesProblem:
    drivers: tuple[Driver, ...]
    rides: tuple[Ride, ...]
    speed_kmh: float = 30.0
    distance_km: DistanceFn = field(default=haversine_km, compare=False)
    # Optional matrix in km over the locations [driver homes..., then pickup, dropoff of
    # each ride in order]; overrides distance_km when given.
    matrix_km: tuple[tuple[float, ...], ...] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class RideStop:
    ride_id: str
    kind: str  # "pickup" or "dropoff"
    time: float  # start of service, minutes


@dataclass(frozen=True)
class DriverRoute:
    driver_id: str
    shift: tuple[int, int]
    start: float  # leaves home
    end: float  # back home
    stops: tuple[RideStop, ...]
    km: float


@dataclass(frozen=True)
class Unserved:
    ride_id: str
    reason: str


@dataclass(frozen=True)
class RideSolution:
    routes: tuple[DriverRoute, ...]  # only shifts that drive
    unserved: tuple[Unserved, ...]
    cost_km: float


def hhmm(minutes: float) -> str:
    m = int(round(minutes))
    return f"{(m // 60) % 24:02d}:{m % 60:02d}"


@dataclass(frozen=True)
class Leg:
    """A ride leg with its derived, checked numbers (times in minutes)."""

    ride: Ride
    index: int
    direct_min: float
    pickup_window: tuple[float, float]
    dropoff_window: tuple[float, float]
    max_ride: float
    busy: int  # minutes against the driver's max_minutes


def validate(problem: RidesProblem) -> None:
    """Raise :class:`InputError` naming the field on inconsistent input."""
    if not (problem.speed_kmh > 0 and math.isfinite(problem.speed_kmh)):
        raise InputError("speed_kmh", f"must be a positive number, got {problem.speed_kmh}")
    ids = set()
    for i, d in enumerate(problem.drivers):
        f = f"drivers[{i}]"
        if d.id in ids:
            raise InputError(f"{f}.id", f"duplicate driver id {d.id!r}")
        ids.add(d.id)
        _coord(d.lat, d.lon, f)
        if d.seats < 1:
            raise InputError(f"{f}.seats", f"must be at least 1, got {d.seats}")
        if d.max_km is not None and not d.max_km > 0:
            raise InputError(f"{f}.max_km", f"must be positive, got {d.max_km}")
        if d.max_minutes is not None and d.max_minutes < 0:
            raise InputError(f"{f}.max_minutes", f"must not be negative, got {d.max_minutes}")
        for j, (a, b) in enumerate(d.shifts):
            if b < a:
                raise InputError(f"{f}.shifts[{j}]", "shift ends before it starts")
    rids = {}
    for i, r in enumerate(problem.rides):
        f = f"rides[{i}]"
        if r.id in rids:
            raise InputError(f"{f}.id", f"duplicate ride id {r.id!r}")
        rids[r.id] = r
        _coord(r.pickup_lat, r.pickup_lon, f"{f}.pickup")
        _coord(r.dropoff_lat, r.dropoff_lon, f"{f}.dropoff")
        if r.earliest_pickup is None and r.appointment is None:
            raise InputError(f"{f}.appointment", "give an appointment time or an earliest pickup")
        if r.passengers < 1:
            raise InputError(f"{f}.passengers", f"must be at least 1, got {r.passengers}")
        for name in ("service_min", "flex_min"):
            if getattr(r, name) < 0:
                raise InputError(f"{f}.{name}", "must not be negative")
        if r.max_ride_min is not None and r.max_ride_min <= 0:
            raise InputError(f"{f}.max_ride_min", "must be positive")
        if r.busy_min is not None and r.busy_min < 0:
            raise InputError(f"{f}.busy_min", "must not be negative")
        if (
            r.earliest_pickup is not None
            and r.appointment is not None
            and r.appointment < r.earliest_pickup
        ):
            raise InputError(f"{f}.appointment", "appointment is before the earliest pickup")
    for i, r in enumerate(problem.rides):
        if r.return_of is not None:
            if r.return_of not in rids or r.return_of == r.id:
                raise InputError(f"rides[{i}].return_of", f"no outbound ride {r.return_of!r}")
            if rids[r.return_of].return_of is not None:
                raise InputError(
                    f"rides[{i}].return_of", "a return leg cannot link to another return leg"
                )
    if problem.matrix_km is not None:
        size = len(problem.drivers) + 2 * len(problem.rides)
        if len(problem.matrix_km) != size or any(len(row) != size for row in problem.matrix_km):
            raise InputError(
                "matrix_km", f"must be {size} x {size} (homes, then pickup/dropoff per ride)"
            )


def _coord(lat: float, lon: float, f: str) -> None:
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise InputError(f"{f}.lat", f"latitude out of range: {lat}")
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        raise InputError(f"{f}.lon", f"longitude out of range: {lon}")


def locations(problem: RidesProblem) -> list[tuple[float, float]]:
    locs = [(d.lat, d.lon) for d in problem.drivers]
    for r in problem.rides:
        locs += [(r.pickup_lat, r.pickup_lon), (r.dropoff_lat, r.dropoff_lon)]
    return locs


def km_matrix(problem: RidesProblem) -> list[list[float]]:
    if problem.matrix_km is not None:
        return [list(row) for row in problem.matrix_km]
    locs = locations(problem)
    f = problem.distance_km
    return [[0.0 if a == b else f(*a, *b) for b in locs] for a in locs]


def legs(problem: RidesProblem, km: Sequence[Sequence[float]]) -> list[Leg]:
    """Derive each leg's windows; location index of ride i is D + 2i (pickup), D + 2i + 1."""
    D, out = len(problem.drivers), []
    for i, r in enumerate(problem.rides):
        direct = km[D + 2 * i][D + 2 * i + 1] / problem.speed_kmh * 60
        max_ride = r.max_ride_min if r.max_ride_min is not None else 2 * direct + 15
        inf = math.inf
        pw = (
            (r.earliest_pickup, r.earliest_pickup + r.flex_min)
            if r.earliest_pickup is not None
            else (-inf, inf)
        )
        dw = (
            (r.appointment - r.flex_min, r.appointment)
            if r.appointment is not None
            else (-inf, inf)
        )
        if r.earliest_pickup is not None and r.appointment is not None:
            pw, dw = (r.earliest_pickup, inf), (-inf, r.appointment)
        busy = r.busy_min
        if busy is None:
            busy = math.ceil(2 * r.service_min + direct - 1e-9)
        out.append(Leg(r, i, direct, pw, dw, max_ride, busy))
    return out
