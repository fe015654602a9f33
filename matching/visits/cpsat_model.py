"""The whole-week CP-SAT model of the visits problem (built once, solved level by level).

- ``x[i, j]``: volunteer j serves visit i (only pairs that survived ``prune``, at most
  ``max_candidates`` per visit); ``served[i]``: sum_j x[i, j] == needed_i * served[i], so a
  two-volunteer visit gets two or none, and both share the visit's ``start[i]``.
- ``start[i]`` ranges over the union of its candidates' start ranges; choosing j restricts
  it to j's ranges (window x availability slot, the visit lying wholly inside both).
- Per volunteer: optional intervals + NoOverlap, the minutes limit, and energetic cuts
  (visits that must lie in [A, B] fit in B - A) that the LP would not see otherwise.
- Travel between consecutive visits is added lazily (``add_travel_cut``) only for the
  (visit, visit, volunteer) triples a solution got wrong or nearly wrong:
  ``x[a,j] & x[b,j] => end_a + t <= start_b  or  end_b + t <= start_a``. All pairs up front
  were 1.2 million clauses at 1000 visits.
- Fixed assignments are forced (their visit's start domain is the fixed minute).
"""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from matching.common.geo import Geo
from matching.visits.model import VisitProblem, fairness_cost
from matching.visits.prune import Candidate, Pruned
from matching.visits.solution import RawPlan

MAX_CUT_SPAN = 24 * 60  # energetic cuts only over intervals up to a day long


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


class VisitModel:
    """Builds the CP-SAT model and keeps handles on the variables."""

    def __init__(
        self, problem: VisitProblem, geo: Geo, pruned: Pruned, max_candidates: int | None = None
    ) -> None:
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
        self.demand = [0] * len(self.p.volunteers)
        for row in self.pruned.cands:
            for c in row:
                self.demand[c.vol] += 1
        cands = [self._nearest(i, row) for i, row in enumerate(self.pruned.cands)]
        vindex = {u.id: j for j, u in enumerate(self.p.volunteers)}
        pindex = {v.id: i for i, v in enumerate(self.p.visits)}
        for f in self.p.fixed:
            i = pindex[f.visit]
            end = f.start + self.p.visits[i].duration_min
            fixed_row: list[Candidate] = []
            for uid in f.volunteers:
                u = self.p.volunteers[vindex[uid]]
                slot = next(
                    ((lo, hi) for lo, hi in u.available if lo <= f.start and end <= hi),
                    (f.start, end),
                )  # a fixed visit may sit outside every slot
                fixed_row.append(
                    Candidate(
                        vindex[uid],
                        self.geo.km(self.p.visits[i].point, u.point),
                        ((f.start, f.start),),
                        (slot,),
                    )
                )
            cands[i] = tuple(fixed_row)
        return cands

    def _nearest(self, i: int, row: tuple[Candidate, ...]) -> tuple[Candidate, ...]:
        """Cap the candidates of a visit at ``max_candidates``: the preferred volunteer,
        the nearest half, then the least demanded volunteers (those few other visits can
        use). The model grows with candidates per volunteer; measured on the town week,
        this mix served more priority than the nearest 15 (3608 vs 3536 at 2000 visits)."""
        k = self.max_candidates
        if k is None or len(row) <= k:
            return row
        pref = self.p.visits[i].preferred_volunteer
        near = sorted(row, key=lambda c: (self.p.volunteers[c.vol].id != pref, c.km, c.vol))
        keep = {c.vol: c for c in near[: k // 2]}
        for c in sorted(row, key=lambda c: (self.demand[c.vol], c.km, c.vol)):
            if len(keep) >= k:
                break
            keep.setdefault(c.vol, c)
        return tuple(sorted(keep.values(), key=lambda c: c.vol))

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
            m.add_no_overlap(
                [
                    m.new_optional_fixed_size_interval_var(
                        self.start[i], visits[i].duration_min, self.x[i, j], f"iv{i}_{j}"
                    )
                    for i in items
                ]
            )
            self._energy_cuts(j, items)

    def _energy_cuts(self, j: int, items: list[int]) -> None:
        """Energetic cuts: visits of volunteer j that must lie inside [A, B] cannot last
        longer than B - A together. NoOverlap propagates this but the LP does not see it;
        with these cuts the LP bound (the proven level-1 bound) becomes tight."""
        visits = self.p.visits
        early, late = [], []
        for i in items:
            c = next(c for c in self.cands[i] if c.vol == j)
            early.append(min(lo for lo, _ in c.starts))
            late.append(max(hi for _, hi in c.starts) + visits[i].duration_min)
        e, lt = np.array(early), np.array(late)
        dur = np.array([visits[i].duration_min for i in items])
        for a in np.unique(e).tolist():
            inside_a = e >= a
            for b in np.unique(lt[inside_a]).tolist():
                if not a < b <= a + MAX_CUT_SPAN:
                    continue
                group = np.nonzero(inside_a & (lt <= b))[0]
                if len(group) > 1 and int(dur[group].sum()) > b - a:
                    self.m.add(
                        sum(int(dur[k]) * self.x[items[k], j] for k in group.tolist()) <= b - a
                    )

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
            [*both, first]
        )
        m.add(self.start[a] >= self.start[b] + visits[b].duration_min + t).only_enforce_if(
            [*both, first.Not()]
        )

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
        self.load: dict[int, cp_model.LinearExprT] = {}
        for j, items in self._by_volunteer().items():
            self.load[j] = sum(self.p.visits[i].duration_min * self.x[i, j] for i in items)
            self.m.add(self.load[j] <= self.p.volunteers[j].max_minutes)

    def _objectives(self) -> list[tuple[cp_model.LinearExprT, bool]]:
        """(expression, maximise?) per level."""
        vols, visits = self.p.volunteers, self.p.visits
        prio = sum(visits[i].priority * s for i, s in self.served.items())
        index = {u.id: j for j, u in enumerate(vols)}
        cont = sum(
            self.x[i, index[v.preferred_volunteer]]
            for i, v in enumerate(visits)
            if v.preferred_volunteer in index and (i, index[v.preferred_volunteer]) in self.x
        )
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
        """A complete hint (CP-SAT uses those much better), written to the proto in bulk:
        one ``add_hint`` call per variable took seconds on a city-sized week."""
        loads: dict[int, int] = {}
        for i, (js, _) in plan.items():
            for j in js:
                loads[j] = loads.get(j, 0) + self.p.visits[i].duration_min
        pairs = [(x.index, int(i in plan and j in plan[i][0])) for (i, j), x in self.x.items()]
        pairs += [(s.index, int(i in plan)) for i, s in self.served.items()]
        pairs += [
            (v.index, plan[i][1] if i in plan else v.proto.domain[0]) for i, v in self.start.items()
        ]
        pairs += [(f.index, fairness_cost(loads.get(j, 0))) for j, f in self.fair_vars.items()]
        pairs += [
            (o.index, int(a in plan and b in plan and plan[a][1] <= plan[b][1]))
            for (a, b), o in self.order.items()
        ]
        self.m.clear_hints()
        hint = self.m.proto.solution_hint
        hint.vars.extend(p[0] for p in pairs)
        hint.values.extend(p[1] for p in pairs)

    def plan(self, solver: cp_model.CpSolver) -> RawPlan:
        chosen: dict[int, list[int]] = {}
        for (i, j), x in self.x.items():
            if solver.boolean_value(x):
                chosen.setdefault(i, []).append(j)
        return {
            i: (tuple(sorted(chosen[i])), solver.value(self.start[i]))
            for i, s in self.served.items()
            if solver.boolean_value(s)
        }
