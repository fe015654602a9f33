"""Property tests on random small scenarios: solver and baseline always pass the checker,
and the solver never serves less priority than first-come."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from matching.visits.baseline import first_come
from matching.visits.check import check_solution
from matching.visits.solve import solve_visits
from tests.matching.strategies import problems


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
