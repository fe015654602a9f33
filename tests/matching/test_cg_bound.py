"""The column-generation bound is a proven upper bound on level 1, never above the LP one."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.bounds.cg_pricing import price
from matching.visits.baseline import first_come
from matching.visits.check import check_solution
from matching.visits.model import VisitProblem
from matching.visits.solve import solve_visits
from tests.matching.bound_helpers import bounds, brute_force, random_piece
from tests.matching.builders import H, problem, visit, vol
from tests.matching.strategies import crowded, problems


def _least(res, lp):  # type: ignore[no-untyped-def]
    # The reported bound is the least of the proven ones (the weekly-minutes bound too).
    return min(b for b in (res.cg, lp, res.week) if b is not None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.integers(1, 5))
def test_cg_bound_is_between_the_optimum_and_the_lp_bound(p, n):
    # At most 3 volunteers and n visits (brute force), keeping the fixed one if it fits.
    vols, visits = p.volunteers[:3], p.visits[:n]
    keep = tuple(
        f
        for f in p.fixed
        if f.visit in {v.id for v in visits} and set(f.volunteers) <= {u.id for u in vols}
    )
    p = VisitProblem(vols, visits, p.speed_kmh, keep)
    res, lp = bounds(p)
    assert res.bound is not None and res.cg is not None
    assert isinstance(res.bound, int)
    assert brute_force(p) <= res.bound
    assert res.bound == _least(res, lp) <= min(res.cg, lp)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(crowded())
def test_cg_bound_is_at_least_the_optimum_of_crowded_weeks(p):
    res, lp = bounds(p)
    assert res.cg is not None and brute_force(p) <= res.bound
    assert res.bound == _least(res, lp) <= min(res.cg, lp)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(problems(), crowded()))
def test_cg_bound_is_above_every_checked_plan(p):
    res, lp = bounds(p)
    assert res.bound is not None and res.bound <= lp
    for sol in (first_come(p), solve_visits(p, time_limit_s=0.5, max_candidates=None)):
        assert check_solution(p, sol) == []
        assert sol.objective.priority <= res.cg
        assert sol.objective.priority <= res.bound


def test_timing_and_travel_inside_a_slot_are_counted():
    # Back-to-back visits 9-10 and 10-11 (windows leave no slack), 5 km apart: the slot
    # has the minutes, which is all the LP bound sees; the 10 minutes of travel do not fit.
    p = problem(
        [vol("anna", available=((9 * H, 13 * H),))],
        [visit("a", windows=((9 * H, 10 * H),)), visit("b", 5.0, windows=((10 * H, 11 * H),))],
    )
    res, lp = bounds(p)
    assert lp == 2
    assert res.cg == res.bound == 1


def test_travel_between_visits_is_counted():
    # Two one-hour visits 10 km apart (20 min at 30 km/h) in a 130-minute slot.
    p = problem(
        [vol("anna", max_km=20.0, available=((9 * H, 9 * H + 130),))],
        [visit("near", windows=((9 * H, 12 * H),)), visit("far", 10.0, windows=((9 * H, 12 * H),))],
    )
    assert bounds(p)[0].bound == 1


def test_fixed_visit_cuts_the_slot_and_counts():
    # anna is fixed on "a" at 10:00-11:00 in a 9:00-12:30 slot; "b" (priority 5, one hour,
    # window 9:30-11:30) fits neither before nor after it; "c" fits after it.
    p = problem(
        [vol("anna", available=((9 * H, 12 * H + 30),))],
        [
            visit("a", priority=3, windows=((9 * H, 12 * H),)),
            visit("b", priority=5, windows=((9 * H + 30, 11 * H + 30),)),
            visit("c", priority=2, windows=((11 * H, 12 * H + 30),)),
        ],
        fixed=[("a", ("anna",), 10 * H)],
    )
    res, lp = bounds(p)
    assert lp >= 8
    assert res.bound == 5  # a (fixed, 3) + c (2)


def test_fixed_minutes_come_off_the_week():
    p = problem(
        [vol("anna", available=((9 * H, 18 * H),), max_minutes=120)],
        [
            visit("a", windows=((9 * H, 10 * H),)),
            visit("b", windows=((14 * H, 16 * H),)),
            visit("c", windows=((14 * H, 17 * H),)),
        ],
        fixed=[("a", ("anna",), 9 * H)],
    )
    assert bounds(p)[0].bound == 2


def test_two_volunteer_visit_needs_two_people():
    p = problem(
        [vol("anna"), vol("bea", available=((14 * H, 18 * H),))],
        [
            visit("a", priority=4, volunteers_needed=2, windows=((9 * H, 12 * H),)),
            visit("b", priority=1, windows=((9 * H, 12 * H),)),
        ],
    )
    assert bounds(p)[0].bound == 1


def test_pricing_with_a_tiny_node_budget_is_still_an_upper_bound():
    # Ten visits one slot, random weights: the capped search reports at least the optimum
    # found with an ample budget, and that optimum at least any single sequence.
    rng = np.random.default_rng(0)
    n = 10
    piece = random_piece(rng, n, close=np.full(n, 300))
    w = rng.uniform(-1, 5, n)
    exact, cols, found = price(piece, w, 240, 0.0, node_limit=10**6)
    assert abs(found - exact) < 1e-6
    assert cols and abs(cols[0][0] - exact) < 1e-6
    for limit in (1, 2, 5, 20):
        assert price(piece, w, 240, 0.0, node_limit=limit)[0] >= exact - 1e-9


def test_weekly_minutes_bound_is_exact_where_overlapping_slots_fool_the_cg():
    # Found by the property test above: u0's two overlapping slots are two pieces for the
    # CG, which then spends her 60 minutes on both r0 and r2 fractionally (bound 4); with
    # her weekly minutes kept exact only one fits, and 3 is the optimum.
    from matching.visits.model import Visit, Volunteer

    def v(id, slots):  # type: ignore[no-untyped-def]
        return Volunteer(id, 41.5936, 14.2325, 10.0, slots, 60, frozenset({"it"}), "f")

    def r(id, dur, window, prio):  # type: ignore[no-untyped-def]
        return Visit(id, 41.5936, 14.2325, dur, (window,), prio, frozenset({"it"}))

    p = VisitProblem(
        (v("u0", ((480, 541), (480, 542))), v("u1", ((480, 540),))),
        (r("r0", 30, (512, 572), 2), r("r1", 30, (480, 540), 1), r("r2", 45, (496, 556), 2)),
        10.0,
    )
    res, lp = bounds(p)
    assert brute_force(p) == 3 == res.week == res.bound
    assert res.cg == 4
