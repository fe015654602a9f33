"""The relaxation bound really bounds what the solver serves."""

from __future__ import annotations

from benchmarks.town_week import town_week
from matching.bounds.relaxation import relaxation_bound
from matching.common.geo import Geo
from matching.visits.cpsat_model import VisitModel
from matching.visits.prune import prune
from matching.visits.scenario_io import parse_scenario
from matching.visits.solve import solve_visits


def test_relaxation_bound_is_above_every_solution():
    problem, _ = parse_scenario(town_week(60, 15, seed=2, fixed_share=0.1))
    geo = Geo(problem.speed_kmh)
    model = VisitModel(problem, geo, prune(problem, geo), 15)
    bound, relaxed = relaxation_bound(problem, model.cands, 1.0)
    sol = solve_visits(problem, time_limit_s=1.0)
    assert bound is not None and bound >= relaxed and bound >= sol.objective.priority
    assert sol.priority_bound is None or sol.priority_bound >= sol.objective.priority
