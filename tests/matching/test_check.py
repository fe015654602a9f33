"""The checker must catch a deliberately broken solution for every hard rule."""

from __future__ import annotations

from dataclasses import replace

import pytest

from matching.visits.check import check_solution
from matching.visits.model import Assignment, Objective, Unserved, VisitSolution
from tests.matching.builders import H, problem, visit, vol

P = problem(
    [
        vol("anna", max_minutes=180, available=((9 * H, 13 * H),)),
        vol("bea", 1, gender="f", languages=frozenset({"it", "en"})),
        vol("carl", 2, gender="m", max_km=2.0),
    ],
    [
        visit("a", 0.5, windows=((9 * H, 11 * H),)),
        visit("b", 0.5, windows=((10 * H, 12 * H),), gender="f"),
        visit(
            "c", 1.0, volunteers_needed=2, windows=((14 * H, 16 * H),), preferred_volunteer="bea"
        ),
        visit("d", 4.5, languages=frozenset({"en"}), windows=((9 * H, 17 * H),)),
        visit("e", 1.0),
    ],
    fixed=[("e", ("carl",), 9 * H)],
)


def _solution(assignments: list[Assignment]) -> VisitSolution:
    loads: dict[str, int] = {u.id: 0 for u in P.volunteers}
    visits = {v.id: v for v in P.visits}
    for a in assignments:
        for u in a.volunteers:
            if u in loads and a.visit in visits:
                loads[u] += visits[a.visit].duration_min
    done = {a.visit for a in assignments}
    from matching.visits.model import fairness_cost

    return VisitSolution(
        tuple(assignments),
        tuple(Unserved(v.id, "x") for v in P.visits if v.id not in done),
        Objective(
            sum(visits[a].priority for a in done if a in visits),
            sum(
                1
                for a in assignments
                if a.visit in visits and visits[a.visit].preferred_volunteer in a.volunteers
            ),
            0.0,
            sum(fairness_cost(m) for m in loads.values()),
        ),
        loads,
        "TEST",
        0.0,
    )


GOOD = [
    Assignment("a", ("anna",), 9 * H, 10 * H),
    Assignment("b", ("bea",), 10 * H, 11 * H),
    Assignment("c", ("bea", "carl"), 14 * H, 15 * H),
    Assignment("d", ("bea",), 16 * H, 17 * H),
    Assignment("e", ("carl",), 9 * H, 10 * H),
]


def _with(k: int, **changes) -> list[Assignment]:
    out = list(GOOD)
    out[k] = replace(out[k], **changes)
    return out


def test_good_solution_passes():
    assert check_solution(P, _solution(GOOD)) == []


def test_the_solver_agrees_with_the_checker(solve):
    sol = solve(P)
    assert {a.visit for a in sol.assignments} >= {"c", "e"}


@pytest.mark.parametrize(
    "broken, expected",
    [
        (_with(1, volunteers=("carl",)), "gender"),
        (_with(3, volunteers=("anna",), start=11 * H, end=12 * H), "no shared language"),
        (_with(2, volunteers=("bea", "carl", "anna")), "needs 2 volunteers"),
        (_with(2, volunteers=("bea",)), "needs 2 volunteers"),
        (_with(2, volunteers=("bea", "bea")), "listed twice"),
        (_with(0, start=11 * H, end=12 * H), "not inside any of its windows"),
        (_with(3, volunteers=("carl",)), "beyond the volunteer's radius"),
        (_with(1, volunteers=("anna",), start=13 * H, end=14 * H), "outside the volunteer's"),
        (_with(1, start=9 * H + 30, end=10 * H + 30, volunteers=("anna",)), "overlap"),
        (_with(0, end=10 * H + 5), "is not start + duration"),
        (_with(4, start=10 * H, end=11 * H), "fixed assignment not kept"),
        (GOOD[:4], "fixed assignment not kept"),
        ([*GOOD, GOOD[0]], "assigned twice"),
        (_with(0, visit="zz"), "unknown visit"),
        (_with(0, volunteers=("nobody",)), "unknown volunteer"),
    ],
)
def test_each_broken_rule_is_caught(broken, expected):
    errors = check_solution(P, _solution(broken))
    assert any(expected in e for e in errors), errors


def test_travel_between_visits_is_checked():
    # a and d are 4 km apart: 8 minutes at 30 km/h; back to back is not enough.
    tight = [Assignment("a", ("bea",), 9 * H, 10 * H), Assignment("d", ("bea",), 10 * H, 11 * H)]
    assert any("overlap once travel" in e for e in check_solution(P, _solution(tight)))
    ok = [
        Assignment("a", ("bea",), 9 * H, 10 * H),
        Assignment("d", ("bea",), 10 * H + 8, 11 * H + 8),
    ]
    assert not any("overlap" in e for e in check_solution(P, _solution(ok)))


def test_weekly_minutes_are_checked():
    p = replace(P, volunteers=(replace(P.volunteers[0], max_minutes=30), *P.volunteers[1:]))
    assert any("exceed the limit" in e for e in check_solution(p, _solution(GOOD)))


def test_ineligible_volunteers_are_caught():
    for flag in ("approved", "credentials_ok", "visits"):
        p = replace(P, volunteers=(replace(P.volunteers[0], **{flag: False}), *P.volunteers[1:]))
        assert any("not eligible" in e for e in check_solution(p, _solution(GOOD)))


def test_misreported_objective_and_loads_are_caught():
    sol = _solution(GOOD)
    bad = replace(sol, objective=replace(sol.objective, priority=99))
    assert any("objective reported" in e for e in check_solution(P, bad))
    bad = replace(sol, loads={**sol.loads, "anna": 0})
    assert any("reported load" in e for e in check_solution(P, bad))
    bad = replace(_solution([*GOOD[:3], GOOD[4]]), unserved=())
    assert any("every visit exactly once" in e for e in check_solution(P, bad))
