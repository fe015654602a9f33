"""Hand-made scenarios with known answers, one per rule or objective level."""

from __future__ import annotations

from tests.matching.builders import H, problem, reasons, served, visit, vol


def test_language_mismatch_leaves_visit_unserved_with_reason(solve):
    sol = solve(problem([vol("anna")], [visit("r1", languages=frozenset({"ro"}))]))
    assert served(sol) == {}
    assert reasons(sol)["r1"] == "no eligible volunteer speaks Romanian"


def test_empty_language_list_accepts_any_volunteer(solve):
    sol = solve(problem([vol("anna", languages=frozenset())], [visit("r1", languages=frozenset())]))
    assert served(sol) == {"r1": ("anna",)}


def test_gender_preference(solve):
    sol = solve(
        problem(
            [vol("marco", gender="m"), vol("anna", km_north=5)],
            [visit("r1", gender="f"), visit("r2", gender="m")],
        )
    )
    assert served(sol) == {"r1": ("anna",), "r2": ("marco",)}
    sol = solve(problem([vol("marco", gender="m")], [visit("r1", gender="f")]))
    assert reasons(sol)["r1"] == "no female volunteer who speaks Italian"


def test_radius_is_a_hard_limit(solve):
    sol = solve(problem([vol("anna", max_km=2.0)], [visit("near", 1.9), visit("far", 2.2)]))
    assert served(sol) == {"near": ("anna",)}
    assert "within range" in reasons(sol)["far"]


def test_visit_must_lie_in_window_and_slot(solve):
    sol = solve(
        problem(
            [vol("anna", available=((17 * H, 20 * H),))],
            [visit("morning"), visit("evening", windows=((18 * H, 21 * H),))],
        )
    )
    assert served(sol) == {"evening": ("anna",)}
    assert sol.assignments[0].start >= 18 * H and sol.assignments[0].end <= 20 * H
    assert reasons(sol)["morning"] == "no eligible volunteer is available in its windows"


def test_travel_between_consecutive_visits(solve):
    # 10 km apart at 30 km/h: 20 minutes of travel between the two visits.
    a = visit("a", 0, windows=((9 * H, 10 * H),))
    tight = visit("b", 10, windows=((10 * H, 11 * H + 10),))
    sol = solve(problem([vol("anna", km_north=5)], [a, tight]))
    assert len(sol.assignments) == 1
    loose = visit("b", 10, windows=((10 * H, 11 * H + 30),))
    sol = solve(problem([vol("anna", km_north=5)], [a, loose]))
    starts = {x.visit: x.start for x in sol.assignments}
    assert starts["b"] - (starts["a"] + 60) >= 20


def test_weekly_minutes_limit(solve):
    sol = solve(
        problem(
            [vol("anna", max_minutes=90)],
            [visit("a", windows=((9 * H, 12 * H),)), visit("b", windows=((14 * H, 17 * H),))],
        )
    )
    assert len(sol.assignments) == 1
    assert sol.loads == {"anna": 60}
    (reason,) = reasons(sol).values()
    assert reason == "eligible volunteers are over their weekly minutes"


def test_two_volunteer_visit_gets_two_or_none(solve):
    pair = visit("pair", volunteers_needed=2)
    sol = solve(problem([vol("anna")], [pair]))
    assert served(sol) == {}
    assert "two volunteers" in reasons(sol)["pair"]
    sol = solve(problem([vol("anna"), vol("bea", 1), vol("cleo", 2)], [pair]))
    assert len(served(sol)["pair"]) == 2


def test_two_volunteers_share_the_start(solve):
    pair = visit("pair", volunteers_needed=2, windows=((9 * H, 13 * H),))
    sol = solve(
        problem(
            [vol("anna", available=((9 * H, 11 * H),)), vol("bea", available=((10 * H, 12 * H),))],
            [pair],
        )
    )
    (a,) = sol.assignments
    assert set(a.volunteers) == {"anna", "bea"} and a.start == 10 * H


def test_fixed_assignment_kept_even_when_worse(solve):
    p = problem(
        [vol("near"), vol("far", 8)],
        [visit("r1", preferred_volunteer="near")],
        fixed=[("r1", ("far",), 10 * H)],
    )
    sol = solve(p)
    (a,) = sol.assignments
    assert a.volunteers == ("far",) and a.start == 10 * H and a.fixed


def test_fixed_assignment_counts_in_limits(solve):
    p = problem(
        [vol("anna", max_minutes=60)],
        [visit("old"), visit("new", priority=5)],
        fixed=[("old", ("anna",), 9 * H)],
    )
    assert served(solve(p)) == {"old": ("anna",)}


def test_continuity_prefers_the_residents_volunteer(solve):
    p = problem([vol("anna"), vol("bea")], [visit("r1", preferred_volunteer="bea")])
    sol = solve(p)
    assert served(sol) == {"r1": ("bea",)}
    assert sol.objective.continuity == 1 and sol.assignments[0].details[0].continuity


def test_priority_wins_over_count(solve):
    # One volunteer, one morning: either the priority-5 visit or the two priority-2 ones.
    p = problem(
        [vol("anna", available=((9 * H, 11 * H),))],
        [
            visit("low1", windows=((9 * H, 10 * H),), priority=2),
            visit("low2", windows=((10 * H, 11 * H),), priority=2),
            visit("high", duration_min=120, windows=((9 * H, 11 * H),), priority=5),
        ],
    )
    sol = solve(p)
    assert served(sol) == {"high": ("anna",)}
    assert sol.objective.priority == 5
    assert reasons(sol)["low1"] == "lower priority than the visits served instead"


def test_least_travel_then_fair_spread(solve):
    p = problem([vol("near", 0.5), vol("far", 6)], [visit("r1")])
    assert served(solve(p)) == {"r1": ("near",)}
    # Equal distances: the two visits go to different volunteers (fair spread).
    p = problem([vol("anna", km_east=1), vol("bea", km_east=-1)], [visit("r1"), visit("r2")])
    assert sorted(solve(p).loads.values()) == [60, 60]


def test_unapproved_or_lapsed_volunteers_are_not_matched(solve):
    p = problem(
        [vol("anna", approved=False), vol("bea", credentials_ok=False), vol("cleo", visits=False)],
        [visit("r1")],
    )
    sol = solve(p)
    assert served(sol) == {}
    assert reasons(sol)["r1"] == "no approved volunteer with valid credentials makes visits"


def test_explanation_data(solve):
    sol = solve(problem([vol("anna", 2.0)], [visit("r1", preferred_volunteer="anna")]))
    (d,) = sol.assignments[0].details
    assert abs(d.distance_km - 2.0) < 0.05
    assert d.slot == (9 * H, 18 * H) and d.continuity
    assert sol.status == "OPTIMAL" and sol.priority_bound == 1


def test_injected_distance_function(solve):
    p = problem([vol("anna", max_km=1.0)], [visit("r1", 5)])
    assert served(solve(p)) == {}
    injected = type(p)(p.volunteers, p.visits, p.speed_kmh, distance_km=lambda a, b: 0.5)
    assert served(solve(injected)) == {"r1": ("anna",)}


def test_fairness_cost_shape():
    from matching.visits.model import fairness_cost

    assert [fairness_cost(m) for m in (0, 60, 90, 120)] == [0, 60, 150, 240]
    assert fairness_cost(60) * 2 < fairness_cost(120)  # spreading 2 h beats piling it up


def test_conflicting_fixed_assignments_are_reported_not_hidden():
    from matching.visits.check import check_solution
    from matching.visits.solve import solve_visits

    p = problem(
        [vol("anna")],
        [visit("a"), visit("b")],
        fixed=[("a", ("anna",), 9 * H), ("b", ("anna",), 9 * H + 30)],
    )
    sol = solve_visits(p, time_limit_s=1.0)
    assert sol.status == "INFEASIBLE"
    assert {a.visit for a in sol.assignments} == {"a", "b"}  # kept as they are
    assert any("overlap" in e for e in check_solution(p, sol))


def test_no_volunteers_or_no_visits():
    from matching.visits.solve import solve_visits

    sol = solve_visits(problem([], [visit("a")]), time_limit_s=1.0)
    assert [u.visit for u in sol.unserved] == ["a"]
    sol = solve_visits(problem([vol("anna")], []), time_limit_s=1.0)
    assert sol.assignments == () and sol.loads == {"anna": 0}


def test_precomputed_distance_matrix(solve):
    from dataclasses import replace

    from matching.common.geo import matrix_distance

    p = problem([vol("anna", max_km=1.0)], [visit("r1", 5), visit("r2", 6)])
    pts = [v.point for v in p.visits] + [u.point for u in p.volunteers]
    km = [[0.0 if a == b else 0.8 for b in range(3)] for a in range(3)]
    sol = solve(replace(p, distance_km=matrix_distance(pts, km)))
    assert set(served(sol)) == {"r1", "r2"}  # 0.8 km by the matrix, 5-6 km as the crow flies
