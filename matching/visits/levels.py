"""The four objective levels, and the lexicographic CP-SAT solve that settles them in turn.

Levels: priority served (max), continuity (max), travel km home->visit (min, metres),
fairness (min, convex load cost). ``lexicographic`` solves them one after the other on a
``cpsat_model.VisitModel`` (each fixed before the next; travel rules added lazily with a
repair), within a ``Budget``: wall seconds, or deterministic work units. Used by the
whole-week solve (``solve``) and by the neighbourhoods (``lns``). See docs/matching.md.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from matching.common.geo import Geo, approx_km
from matching.visits.baseline import greedy_plan
from matching.visits.cpsat_model import VisitModel
from matching.visits.model import VisitProblem, fairness_cost
from matching.visits.prune import Pruned
from matching.visits.solution import RawPlan

# Share of the time limit per level; what a level leaves unused rolls over to the next.
LEVEL_SHARES = (0.7, 0.1, 0.1, 0.1)
# CP-SAT deterministic time units per wall second, measured on the 2-core benchmark machine
# (0.2-0.3 with one worker when idle, far less under load); a deterministic run of limit S
# gets S * this many units, leaving room for model building and neighbourhood set-up.
DTIME_PER_SECOND = 0.1
WALL_FACTOR = 2.0
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
