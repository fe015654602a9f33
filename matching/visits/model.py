"""Frozen dataclasses for the visits problem and its solution.

Times are integer minutes from an origin the caller chooses (``scenario_io`` uses midnight
of the earliest date in the scenario). Intervals are half-open in spirit: a visit lying in
``(start, end)`` means ``start <= visit.start`` and ``visit.start + duration <= end``.
Distances are kilometres; a ``DistanceFn`` takes two ``(lat, lon)`` points. When the
problem carries no distance function, the WGS84 geodesic is used (see
``matching.common.geo``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matching.common.geo import DistanceFn, Point

Interval = tuple[int, int]


@dataclass(frozen=True)
class Volunteer:
    """A person who may make home visits.

    ``languages`` empty means no declared language; ``gender`` is a free code (e.g. "f").
    ``max_minutes`` bounds the total visit time (travel excluded) in the horizon.
    """

    id: str
    lat: float
    lon: float
    max_km: float
    available: tuple[Interval, ...]
    max_minutes: int
    languages: frozenset[str] = frozenset()
    gender: str | None = None
    visits: bool = True
    drives: bool = False
    approved: bool = True
    credentials_ok: bool = True

    @property
    def point(self) -> Point:
        return (self.lat, self.lon)


@dataclass(frozen=True)
class Visit:
    """One dated home visit (a shift) to be served by ``volunteers_needed`` (1 or 2) people.

    ``languages`` empty means any volunteer will do; otherwise the volunteer must share one.
    ``gender`` is the required volunteer gender or None.
    """

    id: str
    lat: float
    lon: float
    duration_min: int
    windows: tuple[Interval, ...]
    priority: int = 1
    languages: frozenset[str] = frozenset()
    gender: str | None = None
    volunteers_needed: int = 1
    preferred_volunteer: str | None = None

    @property
    def point(self) -> Point:
        return (self.lat, self.lon)


@dataclass(frozen=True)
class FixedAssignment:
    """An already approved assignment: kept exactly, counted in objective and limits."""

    visit: str
    volunteers: tuple[str, ...]
    start: int


@dataclass(frozen=True)
class VisitProblem:
    """Everything the visits solver needs. ``distance_km`` overrides the geodesic."""

    volunteers: tuple[Volunteer, ...]
    visits: tuple[Visit, ...]
    speed_kmh: float
    fixed: tuple[FixedAssignment, ...] = ()
    distance_km: DistanceFn | None = field(default=None, compare=False)


@dataclass(frozen=True)
class VolunteerDetail:
    """Why one volunteer fits one assignment: data the web app shows to a coordinator."""

    volunteer: str
    distance_km: float
    slot: Interval
    continuity: bool


@dataclass(frozen=True)
class Assignment:
    visit: str
    volunteers: tuple[str, ...]
    start: int
    end: int
    fixed: bool = False
    details: tuple[VolunteerDetail, ...] = ()


@dataclass(frozen=True)
class Unserved:
    visit: str
    reason: str


@dataclass(frozen=True)
class Objective:
    """Objective levels in strict priority order (1 maximised, 2 maximised, 3-4 minimised).

    ``travel_km`` is the sum over assigned volunteers of the home-to-visit distance;
    ``fairness`` is ``sum(fairness_cost(load))`` over volunteers (see there).
    """

    priority: int
    continuity: int
    travel_km: float
    fairness: int


@dataclass(frozen=True)
class VisitSolution:
    assignments: tuple[Assignment, ...]
    unserved: tuple[Unserved, ...]
    objective: Objective
    loads: dict[str, int]
    status: str
    seconds: float
    priority_bound: int | None = None
    level_status: tuple[str, ...] = ()


def fairness_cost(load_min: int) -> int:
    """Convex cost of one volunteer's load: ``load**2 / 60``, linear between whole hours.

    Exact at multiples of 60 minutes (``60 * h**2``); in between it is the chord, i.e.
    ``max_k (2k+1)*load - 60*k*(k+1)``. Minimising the sum spreads load evenly, and being
    piecewise linear it stays a linear model for CP-SAT.
    """
    k = load_min // 60
    return (2 * k + 1) * load_min - 60 * k * (k + 1)
