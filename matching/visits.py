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

import time
from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from matching.baseline import greedy_plan
from matching.geo import REL_ERR, Geo, haversine_matrix
from matching.model import VisitProblem, VisitSolution
from matching.prune import Candidate, Pruned, prune
from matching.solution import RawPlan, assemble

# Share of the time limit per level; what a level leaves unused rolls over to the next.
LEVEL_SHARES = (0.55, 0.15, 0.15, 0.15)
LEVEL_NAMES = ("priority", "continuity", "travel", "fairness")
Progress = Callable[[str, float], None]


class _Model:
    """Builds the CP-SAT model and keeps handles on the variables."""

    def __init__(self, problem: VisitProblem, geo: Geo, pruned: Pruned) -> None:
        self.p, self.geo, self.pruned = problem, geo, pruned
        self.m = cp_model.CpModel()
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.served: dict[int, cp_model.IntVar] = {}
        self.start: dict[int, cp_model.IntVar] = {}
        self.cands = self._candidates()
        self._visit_vars()
        self._no_overlap_with_travel()
        self._minutes()
        self.levels = self._objectives()

    def _candidates(self) -> list[tuple[Candidate, ...]]:
        """Pruned candidates, except that a fixed visit keeps exactly its volunteers."""
        cands = list(self.pruned.cands)
        vindex = {u.id: j for j, u in enumerate(self.p.volunteers)}
        pindex = {v.id: i for i, v in enumerate(self.p.visits)}
        for f in self.p.fixed:
            i = pindex[f.visit]
            cands[i] = tuple(
                Candidate(vindex[u], self.geo.km(self.p.visits[i].point,
                                                 self.p.volunteers[vindex[u]].point),
                          ((f.start, f.start),), ((f.start, f.start),))
                for u in f.volunteers)
        return cands

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

    def _no_overlap_with_travel(self) -> None:
        m, visits = self.m, self.p.visits
        dur = {i: visits[i].duration_min for i in self.start}
        for j, items in self._by_volunteer().items():
            m.add_no_overlap([
                m.new_optional_fixed_size_interval_var(self.start[i], dur[i], self.x[i, j],
                                                       f"iv{i}_{j}") for i in items])
        idx = sorted(self.start)
        pos = {i: k for k, i in enumerate(idx)}
        lat = [visits[i].lat for i in idx]
        lon = [visits[i].lon for i in idx]
        hav = haversine_matrix(lat, lon, lat, lon)
        # Earliest start / latest end of each visit for each volunteer.
        early = {(i, c.vol): min(lo for lo, _ in c.starts) for i in idx for c in self.cands[i]}
        late = {(i, c.vol): max(hi for _, hi in c.starts) + dur[i]
                for i in idx for c in self.cands[i]}
        shared: dict[tuple[int, int], list[int]] = {}
        for j, items in self._by_volunteer().items():
            items.sort(key=lambda i: early[i, j])
            e = np.array([early[i, j] for i in items])
            late_j = np.array([late[i, j] for i in items])
            p = np.array([pos[i] for i in items])
            tmin = hav[np.ix_(p, p)] * (1 - REL_ERR) * 60.0 / self.p.speed_kmh
            # a, b can clash unless one ends (plus travel) before the other can start.
            clash = ~((late_j[:, None] + tmin <= e[None, :]) | (late_j[None, :] + tmin <= e[:, None]))
            for ia, ib in zip(*np.nonzero(np.triu(clash, 1)), strict=True):
                a, b = sorted((items[ia], items[ib]))
                shared.setdefault((a, b), []).append(j)
        self.pairs = len(shared)
        for (a, b), users in shared.items():
            t = self.geo.travel(visits[a].point, visits[b].point, float(hav[pos[a], pos[b]]))
            if len(users) == 1:
                both = [self.x[a, users[0]], self.x[b, users[0]]]
            else:
                s = m.new_bool_var(f"sh{a}_{b}")
                for j in users:
                    m.add_bool_or([self.x[a, j].Not(), self.x[b, j].Not(), s])
                both = [s]
            first = m.new_bool_var(f"o{a}_{b}")
            m.add(self.start[b] >= self.start[a] + dur[a] + t).only_enforce_if([*both, first])
            m.add(self.start[a] >= self.start[b] + dur[b] + t).only_enforce_if(
                [*both, first.Not()])

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
        for j, load in self.load.items():
            cap = min(vols[j].max_minutes, sum(visits[i].duration_min
                                               for i, jj in self.x if jj == j))
            f = self.m.new_int_var(0, (2 * (cap // 60) + 1) * cap, f"f{j}")
            for k in range(cap // 60 + 1):  # convex: f >= every chord line
                self.m.add(f >= (2 * k + 1) * load - 60 * k * (k + 1))
            fair.append(f)
        return [(prio, True), (cont, True), (travel, False), (sum(fair), False)]

    def hint(self, plan: RawPlan) -> None:
        self.m.clear_hints()
        for (i, j), x in self.x.items():
            self.m.add_hint(x, i in plan and j in plan[i][0])
        for i, s in self.served.items():
            self.m.add_hint(s, i in plan)
            if i in plan:
                self.m.add_hint(self.start[i], plan[i][1])

    def plan(self, solver: cp_model.CpSolver) -> RawPlan:
        out: RawPlan = {}
        for i, s in self.served.items():
            if solver.boolean_value(s):
                js = tuple(j for (ii, j), x in self.x.items() if ii == i and solver.value(x))
                out[i] = (js, solver.value(self.start[i]))
        return out


def _params(limit: float, seed: int, workers: int, deterministic: bool):
    params = cp_model.CpSolver()
    params.parameters.random_seed = seed
    params.parameters.num_workers = workers
    if deterministic:
        # Deterministic time is a work count, so the answer does not depend on the load of
        # the machine; the wall-clock cap is a generous safety net only.
        params.parameters.max_deterministic_time = max(limit, 0.01)
        params.parameters.max_time_in_seconds = 5 * limit + 1
        params.parameters.interleave_search = workers > 1
    else:
        params.parameters.max_time_in_seconds = max(limit, 0.01)
    return params


def solve_visits(problem: VisitProblem, *, time_limit_s: float = 10.0, seed: int = 0,
                 workers: int | None = None, deterministic: bool = True,
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
    greedy = greedy_plan(problem, geo, pruned)
    greedy_priority = sum(problem.visits[i].priority for i in greedy)
    model = _Model(problem, geo, pruned)
    model.hint(greedy)
    say("built", 0.1)
    plan, bound, statuses = greedy, None, []
    for level, ((expr, maximise), share) in enumerate(zip(model.levels, LEVEL_SHARES,
                                                          strict=True)):
        remaining = time_limit_s - (time.perf_counter() - t0)
        limit = max(0.05, remaining * share / sum(LEVEL_SHARES[level:]))
        if maximise:
            model.m.maximize(expr)
        else:
            model.m.minimize(expr)
        solver = _params(limit, seed, workers or 1, deterministic)
        status = solver.solve(model.m)
        statuses.append(solver.status_name(status))
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if level == 0 and status == cp_model.INFEASIBLE:
                break  # only fixed assignments can make it infeasible: report greedy
            continue  # keep the previous level's plan
        value = int(round(solver.objective_value))
        if level == 0:
            bound = int(solver.best_objective_bound + 1e-6)
            if value < greedy_priority:  # hint not completed in time: keep the greedy plan
                model.m.add(expr >= greedy_priority)
                statuses[-1] = "GREEDY"
                continue
        if maximise:
            model.m.add(expr >= value)
        else:
            model.m.add(expr <= value)
        plan = model.plan(solver)
        model.hint(plan)
        say(LEVEL_NAMES[level], 0.1 + 0.9 * (level + 1) / len(LEVEL_SHARES))
    overall = ("OPTIMAL" if statuses and all(s == "OPTIMAL" for s in statuses)
               else "INFEASIBLE" if statuses and statuses[0] == "INFEASIBLE"
               else "FEASIBLE")
    return assemble(problem, pruned, geo, plan, status=overall,
                    seconds=time.perf_counter() - t0, priority_bound=bound,
                    level_status=tuple(statuses))

