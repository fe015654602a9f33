"""Neighbourhood search on a generated week: still valid, never worse than first-come."""

from __future__ import annotations

import time

from benchmarks.town_week import town_week
from matching.common.geo import Geo
from matching.visits.baseline import first_come
from matching.visits.check import check_solution
from matching.visits.levels import Budget, level_values, lexi_key
from matching.visits.lns import _cut, improve
from matching.visits.prune import prune
from matching.visits.scenario_io import parse_scenario
from matching.visits.solve import solve_visits


def test_cut_removes_blocked_time_from_slots():
    assert _cut(((0, 100), (200, 300)), [(50, 60), (250, 300)]) == ((0, 50), (60, 100), (200, 250))


def test_improve_keeps_every_rule_and_never_gets_worse():
    problem, _ = parse_scenario(town_week(120, 30, seed=3, fixed_share=0.1))
    geo = Geo(problem.speed_kmh)
    pruned = prune(problem, geo)
    base = first_come(problem)
    index = {v.id: i for i, v in enumerate(problem.visits)}
    vindex = {u.id: j for j, u in enumerate(problem.volunteers)}
    plan = {
        index[a.visit]: (tuple(vindex[u] for u in a.volunteers), a.start) for a in base.assignments
    }
    better = improve(problem, geo, pruned, plan, Budget(True, 1.0, time.perf_counter()), 0, None)
    assert lexi_key(level_values(problem, geo, better)) >= lexi_key(
        level_values(problem, geo, plan)
    )
    assert sum(problem.visits[i].priority for i in better) > base.objective.priority


def test_solver_with_neighbourhoods_passes_the_checker():
    problem, _ = parse_scenario(town_week(150, 30, seed=4, fixed_share=0.05))
    sol = solve_visits(problem, time_limit_s=2.0)
    assert check_solution(problem, sol) == []
    assert sol.objective.priority >= first_come(problem).objective.priority
