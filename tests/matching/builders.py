"""Builders for small visits problems, and readers of their solutions. Times are minutes
from Monday 00:00; places are km north and east of CENTRE."""

from __future__ import annotations

from matching.visits.model import FixedAssignment, Visit, VisitProblem, VisitSolution, Volunteer

CENTRE = (41.5936, 14.2325)
KM_LAT = 1 / 111.2  # degrees of latitude per km (near enough for placing test points)
H = 60


def at(km_north: float = 0.0, km_east: float = 0.0) -> dict:
    return {"lat": CENTRE[0] + km_north * KM_LAT, "lon": CENTRE[1] + km_east * KM_LAT / 0.748}


def vol(id: str, km_north: float = 0.0, km_east: float = 0.0, **kw) -> Volunteer:
    base = dict(
        max_km=10.0,
        available=((9 * H, 18 * H),),
        max_minutes=600,
        languages=frozenset({"it"}),
        gender="f",
    )
    base.update(kw)
    return Volunteer(id=id, **at(km_north, km_east), **base)


def visit(id: str, km_north: float = 0.0, **kw) -> Visit:
    base = dict(
        duration_min=60, windows=((9 * H, 12 * H),), priority=1, languages=frozenset({"it"})
    )
    base.update(kw)
    return Visit(id=id, **at(km_north), **base)


def problem(vols, visits, fixed=(), speed=30.0) -> VisitProblem:
    return VisitProblem(
        tuple(vols), tuple(visits), speed, tuple(FixedAssignment(*f) for f in fixed)
    )


def served(sol: VisitSolution) -> dict[str, tuple[str, ...]]:
    return {a.visit: a.volunteers for a in sol.assignments}


def reasons(sol: VisitSolution) -> dict[str, str]:
    return {u.visit: u.reason for u in sol.unserved}
