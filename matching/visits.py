"""Visits matching with OR-Tools CP-SAT: a lexicographic, pruned, warm-started model.

Model (one boolean per candidate pair from ``prune``):
- ``x[i, j]``: volunteer j serves visit i; ``served[i]``: sum_j x[i, j] == needed_i * served[i]
  so a two-volunteer visit gets two or none; both share the visit's ``start[i]``.
- ``start[i]`` ranges over the union of its candidates' start ranges; choosing j restricts
  it to j's ranges (window x availability slot, the visit lying wholly inside both).
- Per volunteer, optional intervals + NoOverlap (strong propagation), and for pairs of
  candidate visits whose time ranges could clash once travel is added, an order literal:
  ``x[a,j] & x[b,j] => end_a + travel(a,b) <= start_b  or  end_b + travel(b,a) <= start_a``.
  Pairs that cannot clash get no constraint, which keeps the model sparse.
- sum_i duration_i * x[i, j] <= max_minutes_j; fixed assignments are forced.
Objective levels, solved in turn, each fixed before the next: priority served (max),
continuity (max), travel km home->visit (min, metres), fairness (min, convex load cost).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from matching.baseline import greedy_plan
from matching.geo import Geo, haversine_km
from matching.model import VisitProblem, VisitSolution, fairness_cost
from matching.prune import Candidate, Pruned, prune
from matching.solution import RawPlan, assemble

# Share of the time limit per level; what a level leaves unused rolls over to the next.
LEVEL_SHARES = (0.7, 0.1, 0.1, 0.1)
# CP-SAT deterministic time units per wall second, measured on the 2-core benchmark machine
# (0.2-0.3 with one worker); a deterministic run of limit S gets S * this many units.
DTIME_PER_SECOND = 0.25
# Share of the budget for the whole-week model; the rest goes to neighbourhood search.
MONOLITH_SHARE = 0.5
MAX_CUT_SPAN = 24 * 60  # energetic cuts only over intervals up to a day long
LEVEL_NAMES = ("priority", "continuity", "travel", "fairness")
Progress = Callable[[str, float], None]


def plan_broken(problem: VisitProblem, geo: Geo, plan: RawPlan) -> bool:
    """Does some volunteer lack the travel time between two consecutive visits?"""
    visits = problem.visits
    by_vol: dict[int, list[tuple[int, int]]] = {}
    for i, (js, start) in plan.items():
        for j in js:
            by_vol.setdefault(j, []).append((start, i))
    for seq in by_vol.values():
        seq.sort()
        for (sa, a), (sb, b) in zip(seq, seq[1:], strict=False):
            if sa + visits[a].duration_min + geo.travel(visits[a].point, visits[b].point) > sb:
                return True
    return False


class _Model:
    """Builds the CP-SAT model and keeps handles on the variables."""

    def __init__(self, problem: VisitProblem, geo: Geo, pruned: Pruned,
                 max_candidates: int | None = None) -> None:
        self.p, self.geo, self.pruned = problem, geo, pruned
        self.max_candidates = max_candidates
        self.m = cp_model.CpModel()
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.served: dict[int, cp_model.IntVar] = {}
        self.start: dict[int, cp_model.IntVar] = {}
        self.cands = self._candidates()
        self._visit_vars()
        self._no_overlap()
        self._minutes()
        self.levels = self._objectives()

    def _candidates(self) -> list[tuple[Candidate, ...]]:
        """Pruned candidates, except that a fixed visit keeps exactly its volunteers."""
        cands = [self._nearest(i, row) for i, row in enumerate(self.pruned.cands)]
        vindex = {u.id: j for j, u in enumerate(self.p.volunteers)}
        pindex = {v.id: i for i, v in enumerate(self.p.visits)}
        for f in self.p.fixed:
            i = pindex[f.visit]
            end = f.start + self.p.visits[i].duration_min
            row = []
            for uid in f.volunteers:
                u = self.p.volunteers[vindex[uid]]
                slot = next(((lo, hi) for lo, hi in u.available if lo <= f.start and end <= hi),
                            (f.start, end))  # a fixed visit may sit outside every slot
                row.append(Candidate(vindex[uid], self.geo.km(self.p.visits[i].point, u.point),
                                     ((f.start, f.start),), (slot,)))
            cands[i] = tuple(row)
        return cands

    def _nearest(self, i: int, row: tuple[Candidate, ...]) -> tuple[Candidate, ...]:
        """Keep the ``max_candidates`` nearest volunteers (and the preferred one): the model
        grows with candidates per volunteer, and far ones lose on travel anyway."""
        k = self.max_candidates
        if k is None or len(row) <= k:
            return row
        pref = self.p.visits[i].preferred_volunteer
        ranked = sorted(row, key=lambda c: (self.p.volunteers[c.vol].id != pref, c.km, c.vol))
        return tuple(sorted(ranked[:k], key=lambda c: c.vol))

    def _visit_vars(self) -> None:
        m = self.m
        fixed = {f.visit for f in self.p.fixed}
        for i, v in enumerate(self.p.visits):
            cands = self.cands[i]
            if not cands or (i in self.pruned.reasons and v.id not in fixed):
                continue
            union = cp_model.Domain.from_intervals([list(r) for c in cands for r in c.starts])
            self.start[i] = m.new_int_var_from_domain(union, f"s{i}")
            self.served[i] = m.new_bool_var(f"v{i}")
            xs = []
            for c in cands:
                x = m.new_bool_var(f"x{i}_{c.vol}")
                self.x[i, c.vol] = x
                xs.append(x)
                own = cp_model.Domain.from_intervals([list(r) for r in c.starts])
                if own.size() < union.size():
                    m.add_linear_expression_in_domain(self.start[i], own).only_enforce_if(x)
            m.add(sum(xs) == v.volunteers_needed * self.served[i])
            if v.id in fixed:
                m.add(self.served[i] == 1)

    def _by_volunteer(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for i, j in self.x:
            out.setdefault(j, []).append(i)
        return out

    def _no_overlap(self) -> None:
        """NoOverlap per volunteer, plus a capacity cut per availability slot: the visits
        that can only happen in one slot cannot last longer than the slot (strong LP)."""
        m, visits = self.m, self.p.visits
        self.order: dict[tuple[int, int], cp_model.IntVar] = {}
        self.cut: set[tuple[int, int, int]] = set()
        for j, items in self._by_volunteer().items():
            m.add_no_overlap([
                m.new_optional_fixed_size_interval_var(
                    self.start[i], visits[i].duration_min, self.x[i, j], f"iv{i}_{j}")
                for i in items])
            self._energy_cuts(j, items)

    def _energy_cuts(self, j: int, items: list[int]) -> None:
        """Energetic cuts: visits of volunteer j that must lie inside [A, B] cannot last
        longer than B - A together. NoOverlap propagates this but the LP does not see it;
        with these cuts the LP bound (the proven level-1 bound) becomes tight."""
        visits = self.p.visits
        span = {}
        for i in items:
            c = next(c for c in self.cands[i] if c.vol == j)
            span[i] = (min(lo for lo, _ in c.starts),
                       max(hi for _, hi in c.starts) + visits[i].duration_min)
        starts = sorted({e for e, _ in span.values()})
        ends = sorted({lt for _, lt in span.values()})
        for a in starts:
            for b in ends:
                if not a < b <= a + MAX_CUT_SPAN:
                    continue
                group = [i for i in items if span[i][0] >= a and span[i][1] <= b]
                if sum(visits[i].duration_min for i in group) > b - a and len(group) > 1:
                    self.m.add(sum(visits[i].duration_min * self.x[i, j] for i in group)
                               <= b - a)

    def add_travel_cut(self, a: int, b: int, j: int) -> None:
        """Exact rule for one volunteer and two visits: x_a & x_b => they are apart by the
        travel time, in one order or the other. Added lazily, only where a plan broke it."""
        a, b = min(a, b), max(a, b)
        if (a, b, j) in self.cut:
            return
        self.cut.add((a, b, j))
        visits, m = self.p.visits, self.m
        t = self.geo.travel(visits[a].point, visits[b].point)
        first = self.order.get((a, b))
        if first is None:
            first = self.order[a, b] = m.new_bool_var(f"o{a}_{b}")
        both = [self.x[a, j], self.x[b, j]]
        m.add(self.start[b] >= self.start[a] + visits[a].duration_min + t).only_enforce_if(
            [*both, first])
        m.add(self.start[a] >= self.start[b] + visits[b].duration_min + t).only_enforce_if(
            [*both, first.Not()])

    def tight_pairs(self, plan: RawPlan) -> list[tuple[int, int, int]]:
        """Consecutive visits of a volunteer closer than twice their travel time: the broken
        ones must be cut, the nearly broken ones are cut too so the next plan stays clear."""
        visits = self.p.visits
        by_vol: dict[int, list[tuple[int, int]]] = {}
        for i, (js, start) in plan.items():
            for j in js:
                by_vol.setdefault(j, []).append((start, i))
        out = []
        for j, seq in by_vol.items():
            seq.sort()
            for (sa, a), (sb, b) in zip(seq, seq[1:], strict=False):
                gap = sb - sa - visits[a].duration_min
                t = self.geo.travel(visits[a].point, visits[b].point)
                if gap < 2 * t and (a, j) in self.x and (b, j) in self.x:
                    out.append((a, b, j))
        return out

    def broken(self, plan: RawPlan) -> bool:
        return plan_broken(self.p, self.geo, plan)

    def _minutes(self) -> None:
        self.load: dict[int, cp_model.LinearExpr] = {}
        for j, items in self._by_volunteer().items():
            self.load[j] = sum(self.p.visits[i].duration_min * self.x[i, j] for i in items)
            self.m.add(self.load[j] <= self.p.volunteers[j].max_minutes)

    def _objectives(self) -> list[tuple[cp_model.LinearExpr, bool]]:
        """(expression, maximise?) per level."""
        vols, visits = self.p.volunteers, self.p.visits
        prio = sum(visits[i].priority * s for i, s in self.served.items())
        index = {u.id: j for j, u in enumerate(vols)}
        cont = sum(self.x[i, index[v.preferred_volunteer]] for i, v in enumerate(visits)
                   if v.preferred_volunteer in index
                   and (i, index[v.preferred_volunteer]) in self.x)
        km = {(i, c.vol): c.km for i in self.start for c in self.cands[i]}
        travel = sum(round(km[key] * 1000) * x for key, x in self.x.items())
        fair = []
        self.fair_vars: dict[int, cp_model.IntVar] = {}
        offered: dict[int, int] = {}
        for i, j in self.x:
            offered[j] = offered.get(j, 0) + visits[i].duration_min
        for j, load in self.load.items():
            cap = min(vols[j].max_minutes, offered[j])
            f = self.m.new_int_var(0, (2 * (cap // 60) + 1) * cap, f"f{j}")
            for k in range(cap // 60 + 1):  # convex: f >= every chord line
                self.m.add(f >= (2 * k + 1) * load - 60 * k * (k + 1))
            fair.append(f)
            self.fair_vars[j] = f
        return [(prio, True), (cont, True), (travel, False), (sum(fair), False)]

    def hint(self, plan: RawPlan) -> None:
        self.m.clear_hints()
        for (i, j), x in self.x.items():
            self.m.add_hint(x, i in plan and j in plan[i][0])
        for i, s in self.served.items():
            self.m.add_hint(s, i in plan)
            self.m.add_hint(self.start[i], plan[i][1] if i in plan else
                            self.start[i].proto.domain[0])
        # CP-SAT uses a complete hint much better: give the auxiliaries their values too.
        loads: dict[int, int] = {}
        for i, (js, _) in plan.items():
            for j in js:
                loads[j] = loads.get(j, 0) + self.p.visits[i].duration_min
        for j, f in self.fair_vars.items():
            self.m.add_hint(f, fairness_cost(loads.get(j, 0)))
        for (a, b), o in self.order.items():
            self.m.add_hint(o, a in plan and b in plan and plan[a][1] <= plan[b][1])

    def plan(self, solver: cp_model.CpSolver) -> RawPlan:
        chosen: dict[int, list[int]] = {}
        for (i, j), x in self.x.items():
            if solver.boolean_value(x):
                chosen.setdefault(i, []).append(j)
        return {i: (tuple(sorted(chosen[i])), solver.value(self.start[i]))
                for i, s in self.served.items() if solver.boolean_value(s)}


def _params(limit: float, wall_cap: float, seed: int, workers: int,
            deterministic: bool) -> cp_model.CpSolver:
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
    return geo.km(a, b) if problem.distance_km is not None else haversine_km(a, b)


def level_values(problem: VisitProblem, geo: Geo, plan: RawPlan) -> list[int]:
    """The four level values of a plan, computed as the model's expressions are."""
    visits, vols = problem.visits, problem.volunteers
    loads = [0] * len(vols)
    for i, (js, _) in plan.items():
        for j in js:
            loads[j] += visits[i].duration_min
    return [
        sum(visits[i].priority for i in plan),
        sum(1 for i, (js, _) in plan.items() if any(
            vols[j].id == visits[i].preferred_volunteer for j in js)),
        sum(round(pair_km(problem, geo, i, j) * 1000) for i, (js, _) in plan.items()
            for j in js),
        sum(fairness_cost(load) for load in loads),
    ]


def lexi_key(values: list[int]) -> tuple[int, int, int, int]:
    """Bigger is better, level by level."""
    return (values[0], values[1], -values[2], -values[3])


def _better(problem: VisitProblem, geo: Geo, new: RawPlan, old: RawPlan, level: int,
            maximise: bool) -> bool:
    """Is ``new`` at least as good at ``level`` while equal on the levels already fixed?"""
    a = level_values(problem, geo, new)
    b = level_values(problem, geo, old)
    if a[:level] != b[:level]:
        return a[:level] > b[:level] if level == 1 else False  # only level 0 may improve
    return a[level] >= b[level] if maximise else a[level] <= b[level]


class Budget:
    """Time left for a whole solve: wall seconds, or deterministic CP-SAT work units."""

    def __init__(self, deterministic: bool, time_limit_s: float, t0: float) -> None:
        self.deterministic, self.limit = deterministic, time_limit_s
        self.wall_end = t0 + time_limit_s
        self.total = (time_limit_s * DTIME_PER_SECOND if deterministic
                      else time_limit_s - (time.perf_counter() - t0))
        self.spent = 0.0

    def left(self) -> float:
        if self.deterministic:
            return self.total - self.spent
        return min(self.total - self.spent, self.wall_end - time.perf_counter())

    def solver(self, limit: float, seed: int, workers: int) -> cp_model.CpSolver:
        wall_left = self.wall_end - time.perf_counter()
        # Deterministic runs get a generous wall cap (hit only on a machine far slower than
        # the calibration); at worst a run takes about three times the limit.
        cap = max(wall_left, 0) + 2 * self.limit if self.deterministic else wall_left
        return _params(min(limit, self.left()), cap, seed, workers, self.deterministic)

    def charge(self, solver: cp_model.CpSolver) -> float:
        used = max(solver.deterministic_time if self.deterministic else solver.wall_time, 0.01)
        self.spent += used
        return used


def lexicographic(problem: VisitProblem, geo: Geo, model: _Model, capped: Pruned,
                  plan: RawPlan, budget: Budget, allowed: float, seed: int,
                  workers: int | None, say: Progress) -> tuple[RawPlan, int | None, list[str]]:
    """Solve the levels in turn from the feasible ``plan``, spending at most ``allowed``.

    Returns the best plan (always feasible), the proven level-1 bound and level statuses.
    """
    bound: int | None = None
    statuses: list[str] = []
    spent = 0.0
    for level, ((expr, maximise), share) in enumerate(zip(model.levels, LEVEL_SHARES,
                                                          strict=True)):
        if maximise:
            model.m.maximize(expr)
        else:
            model.m.minimize(expr)
        level_budget = min((allowed - spent) * share / sum(LEVEL_SHARES[level:]),
                           budget.left())
        status_name = "NOT_RUN"
        while level_budget > 0.01:
            solver = budget.solver(level_budget, seed, workers or 1)
            status = solver.solve(model.m)
            used = budget.charge(solver)
            level_budget -= used
            spent += used
            status_name = solver.status_name(status)
            if level == 0 and status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                # Travel cuts only tighten the model, so every round's bound is valid.
                found = int(solver.best_objective_bound + 1e-6)
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


def solve_visits(problem: VisitProblem, *, time_limit_s: float = 10.0, seed: int = 0,
                 workers: int | None = None, deterministic: bool = True,
                 max_candidates: int | None = 15,
                 progress: Progress | None = None) -> VisitSolution:
    """Best plan found within ``time_limit_s`` (pruning and model building included).

    Never worse on priority served than ``first_come`` (its plan is the warm start and the
    fallback). With ``deterministic`` (default) the same problem and seed give the same
    answer; ``workers`` defaults to 1 (measured best on 2 cores, see docs/matching.md).
    """
    t0 = time.perf_counter()
    say = progress or (lambda stage, frac: None)
    geo = Geo(problem.speed_kmh, problem.distance_km)
    pruned = prune(problem, geo)
    say("pruned", 0.05)
    model = _Model(problem, geo, pruned, max_candidates)
    first_come = greedy_plan(problem, geo, pruned)  # the yardstick we never fall below
    capped = Pruned(tuple(model.cands), pruned.reasons, 0)
    plan = greedy_plan(problem, geo, capped, smart=True)  # feasible in the model: first hint
    for cut in model.tight_pairs(plan):
        model.add_travel_cut(*cut)
    model.hint(plan)
    say("built", 0.1)
    # Budget: wall seconds, or (deterministic) CP-SAT work units so that the number of
    # cutting rounds, and hence the answer, does not depend on the machine's load.
    budget = Budget(deterministic, time_limit_s, t0)
    plan, bound, statuses = lexicographic(problem, geo, model, capped, plan, budget,
                                          budget.total * MONOLITH_SHARE, seed, workers, say)
    if budget.left() > 0.01 and any(status != "OPTIMAL" for status in statuses):
        from matching.lns import improve  # lns imports this module

        plan = improve(problem, geo, capped, plan, budget, seed, workers)
        say("lns", 1.0)
    if sum(problem.visits[i].priority for i in first_come) > sum(
            problem.visits[i].priority for i in plan):
        plan = first_come  # only when the model (capped candidates) found nothing better
        statuses.append("FIRST_COME")
    overall = ("OPTIMAL" if statuses and all(s == "OPTIMAL" for s in statuses)
               else "INFEASIBLE" if statuses and statuses[0] == "INFEASIBLE"
               else "FEASIBLE")
    return assemble(problem, pruned, geo, plan, status=overall,
                    seconds=time.perf_counter() - t0, priority_bound=bound,
                    level_status=tuple(statuses))
