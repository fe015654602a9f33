"""The LP bound (over every feasible pair) is a proven upper bound on level 1."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from matching.common.geo import Geo
from matching.visits.lp_bound import dff, lp_bound
from matching.visits.prune import prune
from matching.visits.solve import solve_visits
from tests.matching.builders import H, problem, visit, vol
from tests.matching.strategies import problems


def bound_of(p) -> int | None:
    return lp_bound(p, prune(p, Geo(p.speed_kmh)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_lp_bound_is_at_least_the_optimum(p):
    sol = solve_visits(p, time_limit_s=1.0, max_candidates=None)
    bound = bound_of(p)
    assert bound is not None
    # Every valid plan is below the bound; where CP-SAT proved level 1 optimal (with the
    # travel rules it needed), that plan is the optimum of the real problem.
    assert sol.objective.priority <= bound
    if sol.level_status[0] == "OPTIMAL":
        assert sol.priority_bound is None or sol.priority_bound >= sol.objective.priority


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_lp_bound_with_dff_cuts_is_still_a_bound(p):
    sol = solve_visits(p, time_limit_s=0.5, max_candidates=None)
    bound = lp_bound(p, prune(p, Geo(p.speed_kmh)), dff_cuts=True, travel=True)
    assert bound is not None and sol.objective.priority <= bound


def test_slot_knapsack_counts_whole_visits():
    # Three one-hour visits, one volunteer with a 150-minute slot: the plain assignment LP
    # says 2.5 visits; the slot row makes it 2 (priorities 1).
    p = problem(
        [vol("anna", available=((9 * H, 9 * H + 150),))],
        [visit(f"v{k}", windows=((9 * H, 12 * H),)) for k in range(3)],
    )
    assert bound_of(p) == 2
    assert solve_visits(p, time_limit_s=1.0).objective.priority == 2


def test_travel_makes_the_slot_smaller():
    # Two one-hour visits 10 km apart (20 min at 30 km/h) cannot share a 130-minute slot.
    p = problem(
        [vol("anna", max_km=20.0, available=((9 * H, 9 * H + 130),))],
        [visit("near", windows=((9 * H, 12 * H),)), visit("far", 10.0, windows=((9 * H, 12 * H),))],
    )
    assert lp_bound(p, prune(p, Geo(p.speed_kmh)), travel=True) == 1


def test_fixed_visits_count_and_use_the_slot():
    p = problem(
        [vol("anna", available=((9 * H, 10 * H + 30),))],
        [visit("a", priority=3), visit("b", priority=5)],
        fixed=[("a", ("anna",), 9 * H)],
    )
    assert bound_of(p) == 3


def test_dff_weights():
    assert dff(1, 120, 210) == 1 and dff(1, 60, 210) == 0
    assert dff(2, 90, 210) == dff(2, 100, 210) == 0.5
