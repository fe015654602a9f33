"""Visits matching: ``solve_visits``, a search over volunteers' weeks, then CP-SAT.

``solve_visits`` prunes, runs the ruin-and-recreate search (``search``) from a greedy
plan, then settles the objective levels with CP-SAT: the whole-week model
(``cpsat_model.VisitModel``, solved level by level by ``levels.lexicographic``) on small
weeks, neighbourhoods (``lns.improve``) on big ones. Objective levels: priority served
(max), continuity (max), travel km home->visit (min, metres), fairness (min, convex load
cost). See docs/matching.md.
"""

from __future__ import annotations

import time

from matching.common.geo import Geo
from matching.visits.baseline import greedy_plan
from matching.visits.cpsat_model import VisitModel
from matching.visits.levels import DTIME_PER_SECOND, Budget, Progress, lexicographic
from matching.visits.lns import improve
from matching.visits.lp_bound import lp_bound
from matching.visits.model import VisitProblem, VisitSolution
from matching.visits.prune import Pruned, prune
from matching.visits.search import fast_search, ruin_recreate
from matching.visits.solution import RawPlan, assemble

# Share of the budget for the ruin-and-recreate search; on small weeks (<= BIG_MODEL
# candidate pairs) the whole-week CP-SAT model gets the rest, on big ones CP-SAT
# neighbourhoods do (the whole-week model rarely gets past presolve in seconds there).
SEARCH_SHARE, SEARCH_SHARE_BIG, BIG_MODEL = 0.7, 0.9, 5000
# The compiled search still gains at the end of its budget where a second of CP-SAT
# neighbourhoods does not, so on big weeks it keeps nearly all of it.
FAST_SEARCH_SHARE_BIG = 0.96
# Position tests the search makes per wall second on the benchmark machine (one core,
# quiet): converts its deterministic work count into the budget's units. The compiled
# search (fast_search) makes ~1.6-1.7 M at 2000 x 400; its figure is set lower so that a
# deterministic run ends within the wall time on a slower or busier machine too.
WORK_PER_SECOND = 200_000
FAST_WORK_PER_SECOND = 1_500_000
# The LP bound (lp_bound.py, over every feasible pair) costs ~0.15 s at 1,700 pairs and
# ~3 s at 32,000 on 2 loaded cores, so the solve computes it only for small weeks.
LP_BOUND_PAIRS = 10_000


def solve_visits(
    problem: VisitProblem,
    *,
    time_limit_s: float = 10.0,
    seed: int = 0,
    workers: int | None = None,
    deterministic: bool = True,
    max_candidates: int | None = None,
    progress: Progress | None = None,
) -> VisitSolution:
    """Best plan found within ``time_limit_s`` (pruning and model building included).

    First a ruin-and-recreate search over volunteers' weeks (``ruin_recreate``) finds the
    plan; then, on weeks small enough for it (``BIG_MODEL`` pairs), the whole-week CP-SAT
    model starts from that plan, may prove it optimal, and settles levels 2-4; on bigger
    weeks CP-SAT neighbourhoods (``lns``) spend what is left. Never worse on priority than
    ``first_come``. With ``deterministic`` (default) the same problem and seed give the same
    answer; ``workers`` defaults to 1 (measured best on 2 cores, see docs/matching.md).
    ``max_candidates`` caps the candidates per visit in the CP-SAT model (None: all).
    """
    t0 = time.perf_counter()
    say = progress or (lambda stage, frac: None)
    geo = Geo(problem.speed_kmh, problem.distance_km)
    pruned = prune(problem, geo)
    say("pruned", 0.05)
    first_come = greedy_plan(problem, geo, pruned)  # the yardstick we never fall below
    big = sum(len(row) for row in pruned.cands) > BIG_MODEL
    # Budget: wall seconds, or (deterministic) work units so that the answer does not
    # depend on the machine's load.
    budget = Budget(deterministic, time_limit_s, t0)
    share = SEARCH_SHARE
    if big:
        share = FAST_SEARCH_SHARE_BIG if fast_search.usable(problem) else SEARCH_SHARE_BIG
    plan = _search(problem, geo, pruned, budget, share, seed, say)
    say("searched", 0.1 + 0.6 * share)
    bound: int | None = None
    statuses: list[str] = []
    if not big:
        model = VisitModel(problem, geo, pruned, max_candidates)
        for cut in model.tight_pairs(plan):
            model.add_travel_cut(*cut)
        model.hint(plan)
        plan, bound, statuses = lexicographic(
            problem, geo, model, pruned, plan, budget, budget.left(), seed, workers, say
        )
        if any(len(a) < len(b) for a, b in zip(model.cands, pruned.cands, strict=True)):
            bound = None  # CP-SAT's bound is for the capped model, not for every assignment
    else:
        statuses = ["FEASIBLE"]
        if budget.left() > 0.01:
            plan = improve(problem, geo, pruned, plan, budget, seed, workers)
            say("lns", 1.0)
    if sum(len(row) for row in pruned.cands) <= LP_BOUND_PAIRS:
        lp = lp_bound(problem, pruned)
        if lp is not None:
            bound = lp if bound is None else min(bound, lp)
    if sum(problem.visits[i].priority for i in first_come) > sum(
        problem.visits[i].priority for i in plan
    ):
        plan = first_come  # a safety net: the search starts from better than this
        statuses.append("FIRST_COME")
    overall = (
        "OPTIMAL"
        if statuses and all(s == "OPTIMAL" for s in statuses)
        else "INFEASIBLE"
        if statuses and statuses[0] == "INFEASIBLE"
        else "FEASIBLE"
    )
    if budget.wall_stopped:
        statuses.append("WALL_STOP")
    return assemble(
        problem,
        pruned,
        geo,
        plan,
        status=overall,
        seconds=time.perf_counter() - t0,
        priority_bound=bound,
        level_status=tuple(statuses),
    )


def _search(
    problem: VisitProblem,
    geo: Geo,
    pruned: Pruned,
    budget: Budget,
    share: float,
    seed: int,
    say: Progress,
) -> RawPlan:
    """Run the ruin-and-recreate search on ``share`` of the budget and charge what it
    used: compiled (``fast_search``) where it can serve, else the Python reference."""
    t = time.perf_counter()
    fast = fast_search.usable(problem)
    allowed = budget.total * share
    search = fast_search.search if fast else ruin_recreate.search
    rate = FAST_WORK_PER_SECOND if fast else WORK_PER_SECOND
    if budget.deterministic:
        max_work = int(allowed / DTIME_PER_SECOND * rate)
        deadline = budget.wall_end
    else:
        max_work, deadline = None, t + min(allowed, budget.left())
    plan, stats = search(
        problem,
        geo,
        pruned,
        seed=seed,
        max_work=max_work,
        deadline=deadline,
        progress=lambda frac: say("search", 0.1 + 0.6 * share * frac),
    )
    if budget.deterministic:
        budget.charge(units=stats["work"] / rate * DTIME_PER_SECOND)
        if stats.get("wall_stopped"):
            budget.wall_stopped = True
    else:
        budget.charge(units=time.perf_counter() - t)
    return plan
