"""Property tests on random small scenarios: solver and baseline always pass the checker,
and the solver never serves less priority than first-come."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.visits.baseline import first_come
from matching.visits.check import check_solution
from matching.visits.model import FixedAssignment, Visit, VisitProblem, Volunteer
from matching.visits.solve import solve_visits
from tests.matching.conftest import CENTRE, KM_LAT

H = 60
langs = st.frozensets(st.sampled_from(["it", "en", "ro"]), max_size=2)
km = st.floats(-4, 4, allow_nan=False)


@st.composite
def intervals(draw, min_len: int, max_count: int) -> tuple[tuple[int, int], ...]:
    out = []
    for _ in range(draw(st.integers(1, max_count))):
        day = draw(st.integers(0, 1))
        start = day * 24 * H + draw(st.integers(8 * H, 18 * H))
        out.append((start, start + draw(st.integers(min_len, 5 * H))))
    return tuple(out)


@st.composite
def problems(draw) -> VisitProblem:
    vols = tuple(
        Volunteer(
            f"u{k}",
            CENTRE[0] + draw(km) * KM_LAT,
            CENTRE[1] + draw(km) * KM_LAT,
            max_km=draw(st.sampled_from([2.0, 4.0, 8.0])),
            available=draw(intervals(30, 3)),
            max_minutes=draw(st.sampled_from([60, 120, 240])),
            languages=draw(langs),
            gender=draw(st.sampled_from(["f", "m"])),
            approved=draw(st.booleans()) or draw(st.booleans()),
        )
        for k in range(draw(st.integers(1, 4)))
    )
    visits = tuple(
        Visit(
            f"r{k}",
            CENTRE[0] + draw(km) * KM_LAT,
            CENTRE[1] + draw(km) * KM_LAT,
            duration_min=draw(st.sampled_from([30, 45, 60, 90])),
            windows=draw(intervals(60, 2)),
            priority=draw(st.integers(1, 5)),
            languages=draw(langs),
            gender=draw(st.sampled_from([None, None, "f", "m"])),
            volunteers_needed=draw(st.sampled_from([1, 1, 1, 2])),
            preferred_volunteer=draw(st.sampled_from([None, *(u.id for u in vols)])),
        )
        for k in range(draw(st.integers(1, 7)))
    )
    p = VisitProblem(vols, visits, speed_kmh=draw(st.sampled_from([15.0, 30.0])))
    # Fix one assignment taken from a first-come plan, so fixed ones are always feasible.
    base = first_come(p)
    if base.assignments and draw(st.booleans()):
        a = base.assignments[0]
        p = VisitProblem(
            vols, visits, p.speed_kmh, (FixedAssignment(a.visit, a.volunteers, a.start),)
        )
    return p


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_solver_is_valid_and_beats_first_come(p):
    sol = solve_visits(p, time_limit_s=1.0)
    assert check_solution(p, sol) == []
    base = first_come(p)
    assert check_solution(p, base) == []
    assert sol.objective.priority >= base.objective.priority
    if sol.priority_bound is not None:
        assert sol.objective.priority <= sol.priority_bound
    assert {u.visit for u in sol.unserved} | {a.visit for a in sol.assignments} == {
        v.id for v in p.visits
    }
    assert all(u.reason for u in sol.unserved)
