"""Visits matching: lexicographic CP-SAT solve of the whole week, then neighbourhoods.

``solve_visits`` prunes, builds ``cpsat_model.VisitModel``, warm-starts it with a greedy
plan, solves the four objective levels in turn (each fixed before the next, travel rules
added lazily with a repair), then spends what is left of the budget in ``lns.improve``.
Objective levels: priority served (max), continuity (max), travel km home->visit (min,
metres), fairness (min, convex load cost). See docs/matching.md.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from matching import fast_search, ruin_recreate
from matching.baseline import greedy_plan
from matching.common.geo import Geo, approx_km
from matching.cpsat_model import VisitModel
from matching.lp_bound import lp_bound
from matching.model import VisitProblem, VisitSolution, fairness_cost
from matching.prune import Pruned, prune
from matching.solution import RawPlan, assemble

# Share of the time limit per level; what a level leaves unused rolls over to the next.
LEVEL_SHARES = (0.7, 0.1, 0.1, 0.1)
# CP-SAT deterministic time units per wall second, measured on the 2-core benchmark machine
# (0.2-0.3 with one worker when idle, far less under load); a deterministic run of limit S
# gets S * this many units, leaving room for model building and neighbourhood set-up.
DTIME_PER_SECOND = 0.1
WALL_FACTOR = 2.0
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
LEVEL_NAMES = ("priority", "continuity", "travel", "fairness")
Progress = Callable[[str, float], None]


def _params(
    limit: float, wall_cap: float, seed: int, workers: int, deterministic: bool
) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.random_seed = seed
    p.num_workers = workers
    # Presolve probing spends seconds on the x -> start implications of big models (9 s of
    # 10 at 1000 visits) and gains little here: measured, see docs/benchmarks-visits.md.
    p.cp_model_probing_level = 0
    p.log_search_progress = bool(os.environ.get("PONTE_CPSAT_LOG"))
    if deterministic:
        # Deterministic time is a work count, so the answer does not depend on the load of
        # the machine; the wall-clock cap is a safety net only.
        p.max_deterministic_time = max(limit, 0.01)
        p.interleave_search = workers > 1
    else:
        limit = min(limit, wall_cap)
    p.max_time_in_seconds = max(min(limit, wall_cap) if not deterministic else wall_cap, 0.01)
    return solver


def pair_km(problem: VisitProblem, geo: Geo, i: int, j: int) -> float:
    """The distance the travel level uses: the same figure pruning gave the model."""
    a, b = problem.visits[i].point, problem.volunteers[j].point
    return geo.km(a, b) if problem.distance_km is not None else approx_km(a, b)[0]


def level_values(problem: VisitProblem, geo: Geo, plan: RawPlan) -> list[int]:
    """The four level values of a plan, computed as the model's expressions are."""
    visits, vols = problem.visits, problem.volunteers
    loads = [0] * len(vols)
    for i, (js, _) in plan.items():
        for j in js:
            loads[j] += visits[i].duration_min
    return [
        sum(visits[i].priority for i in plan),
        sum(
            1
            for i, (js, _) in plan.items()
            if any(vols[j].id == visits[i].preferred_volunteer for j in js)
        ),
        sum(round(pair_km(problem, geo, i, j) * 1000) for i, (js, _) in plan.items() for j in js),
        sum(fairness_cost(load) for load in loads),
    ]


def lexi_key(values: list[int]) -> tuple[int, int, int, int]:
    """Bigger is better, level by level."""
    return (values[0], values[1], -values[2], -values[3])


def _better(
    problem: VisitProblem, geo: Geo, new: RawPlan, old: RawPlan, level: int, maximise: bool
) -> bool:
    """Is ``new`` at least as good at ``level`` while equal on the levels already fixed?"""
    a = level_values(problem, geo, new)
    b = level_values(problem, geo, old)
    if a[:level] != b[:level]:
        return a[:level] > b[:level] if level == 1 else False  # only level 0 may improve
    return a[level] >= b[level] if maximise else a[level] <= b[level]


class Budget:
    """Time left for a whole solve: wall seconds, or deterministic CP-SAT work units.

    Deterministic budgets make the answer independent of machine load; as a safety net a
    deterministic run still stops at ``WALL_FACTOR`` x the limit of wall time, and then
    says so (``wall_stopped``), since from that point reproducibility is not guaranteed.
    """

    def __init__(self, deterministic: bool, time_limit_s: float, t0: float) -> None:
        self.deterministic, self.limit = deterministic, time_limit_s
        self.wall_end = t0 + time_limit_s * (WALL_FACTOR if deterministic else 1.0)
        self.total = (
            time_limit_s * DTIME_PER_SECOND
            if deterministic
            else time_limit_s - (time.perf_counter() - t0)
        )
        self.spent = 0.0
        self.wall_stopped = False

    def left(self) -> float:
        wall_left = self.wall_end - time.perf_counter()
        if self.deterministic:
            if wall_left <= 0:
                self.wall_stopped = True
                return 0.0
            return self.total - self.spent
        return min(self.total - self.spent, wall_left)

    def solver(self, limit: float, seed: int, workers: int) -> cp_model.CpSolver:
        wall_left = max(self.wall_end - time.perf_counter(), 0.01)
        return _params(
            min(limit, max(self.left(), 0.01)), wall_left, seed, workers, self.deterministic
        )

    def charge(self, solver: cp_model.CpSolver | None = None, units: float = 0.0) -> float:
        """Count a solve (or ``units`` of Python work, for a deterministic count)."""
        if solver is not None:
            units = max(solver.deterministic_time if self.deterministic else solver.wall_time, 0.01)
        self.spent += units
        return units


def lexicographic(
    problem: VisitProblem,
    geo: Geo,
    model: VisitModel,
    capped: Pruned,
    plan: RawPlan,
    budget: Budget,
    allowed: float,
    seed: int,
    workers: int | None,
    say: Progress,
    levels: int = 4,
) -> tuple[RawPlan, int | None, list[str]]:
    """Solve the levels in turn from the feasible ``plan``, spending at most ``allowed``.

    Returns the best plan (always feasible), the proven level-1 bound and level statuses.
    """
    bound: int | None = None
    statuses: list[str] = []
    spent = 0.0
    for level, ((expr, maximise), share) in enumerate(
        zip(model.levels[:levels], LEVEL_SHARES[:levels], strict=True)
    ):
        if maximise:
            model.m.maximize(expr)
        else:
            model.m.minimize(expr)
        level_budget = min(
            (allowed - spent) * share / sum(LEVEL_SHARES[level:levels]), budget.left()
        )
        status_name = "NOT_RUN"
        while level_budget > 0.01:
            solver = budget.solver(level_budget, seed, workers or 1)
            status = solver.solve(model.m)
            used = budget.charge(solver)
            level_budget -= used
            spent += used
            status_name = solver.status_name(status)
            if level == 0 and status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN):
                # Travel cuts only tighten the model, so every round's bound is valid (even
                # without a solution, the bound CP-SAT proved is a bound).
                # CP-SAT may report its initial domain; every servable visit is a bound too.
                found = min(
                    int(solver.best_objective_bound + 1e-6),
                    sum(problem.visits[i].priority for i in model.served),
                )
                if found >= level_values(problem, geo, plan)[0]:  # UNKNOWN may report 0
                    bound = found if bound is None else min(bound, found)
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                break
            candidate = model.plan(solver)
            broken = model.broken(candidate)
            if broken:
                # The plan ignored travel somewhere: add the exact rule there, repair the
                # plan (re-time, drop, refill) and solve again from the better plan.
                for cut in model.tight_pairs(candidate):
                    model.add_travel_cut(*cut)
                candidate = greedy_plan(problem, geo, capped, prefer=candidate, smart=True)
                status_name = "REPAIRED"
            if _better(problem, geo, candidate, plan, level, maximise):
                plan = candidate
            model.hint(plan)
            if not broken:
                break
        statuses.append(status_name)
        value = level_values(problem, geo, plan)[level]
        model.m.add(expr >= value) if maximise else model.m.add(expr <= value)
        model.hint(plan)
        say(LEVEL_NAMES[level], 0.1 + 0.6 * (level + 1) / len(LEVEL_SHARES))
    return plan, bound, statuses


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
            from matching.lns import improve  # lns imports this module

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
