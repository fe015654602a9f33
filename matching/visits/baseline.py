"""First-come baseline: what a coordinator filling a spreadsheet top-down would get.

Visits are taken in input order; each gets the first eligible volunteer (input order) that
still fits, at the earliest start that fits. Used as a yardstick in the benchmark and as
the warm start (hint) of the CP-SAT model.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from matching.common.geo import Geo
from matching.visits.model import VisitProblem, VisitSolution
from matching.visits.prune import Candidate, Pruned, prune
from matching.visits.solution import RawPlan, assemble


class _Schedule:
    """Bookings per volunteer, with the travel-aware 'does this start fit' test."""

    def __init__(self, problem: VisitProblem, geo: Geo) -> None:
        self.p, self.geo = problem, geo
        self.booked: list[list[tuple[int, int]]] = [[] for _ in problem.volunteers]
        self.load = [0] * len(problem.volunteers)

    def travel(self, a: int, b: int) -> int:
        return self.geo.travel(self.p.visits[a].point, self.p.visits[b].point)

    def fits(self, j: int, i: int, start: int, cand: Candidate) -> bool:
        dur = self.p.visits[i].duration_min
        if not any(lo <= start <= hi for lo, hi in cand.starts):
            return False
        if self.load[j] + dur > self.p.volunteers[j].max_minutes:
            return False
        for k, s in self.booked[j]:
            if not (
                start + dur + self.travel(i, k) <= s
                or s + self.p.visits[k].duration_min + self.travel(k, i) <= start
            ):
                return False
        return True

    def times(self, j: int, i: int, cand: Candidate) -> set[int]:
        """Earliest starts worth trying: range openings and right after each booking."""
        out = {lo for lo, _ in cand.starts}
        for k, s in self.booked[j]:
            out.add(s + self.p.visits[k].duration_min + self.travel(k, i))
        return out

    def book(self, j: int, i: int, start: int) -> None:
        self.booked[j].append((i, start))
        self.load[j] += self.p.visits[i].duration_min


def greedy_plan(
    problem: VisitProblem,
    geo: Geo,
    pruned: Pruned,
    prefer: RawPlan | None = None,
    smart: bool = False,
) -> RawPlan:
    """The first-come plan as raw indices; fixed assignments are booked first.

    With ``prefer`` (e.g. a solver plan that ignored travel somewhere) its assignments are
    re-timed first, in start order, each at its own start if that still fits, else at the
    earliest start that does, else dropped; then the remaining visits come first-come.
    The result always satisfies every hard rule.
    """
    sched = _Schedule(problem, geo)
    vindex = {u.id: j for j, u in enumerate(problem.volunteers)}
    pindex = {v.id: i for i, v in enumerate(problem.visits)}
    plan: RawPlan = {}
    for f in problem.fixed:
        js = tuple(vindex[u] for u in f.volunteers)
        plan[pindex[f.visit]] = (js, f.start)
        for j in js:
            sched.book(j, pindex[f.visit], f.start)
    for i, (js, start) in sorted((prefer or {}).items(), key=lambda kv: kv[1][1]):
        cands: Sequence[Candidate] = [c for c in pruned.cands[i] if c.vol in js]
        if i in plan or len(cands) != len(js):
            continue
        times = sorted(set().union(*(sched.times(c.vol, i, c) for c in cands)))
        for t in [start, *(t for t in times if t > start), *(t for t in times if t < start)]:
            if all(sched.fits(c.vol, i, t, c) for c in cands):
                plan[i] = (js, t)
                for c in cands:
                    sched.book(c.vol, i, t)
                break
    order = list(range(len(problem.visits)))
    rank: dict[int, float] = {}
    if smart:
        # Most valuable and least flexible first; volunteers that few visits can use first.
        demand = [0] * len(problem.volunteers)
        for row in pruned.cands:
            for c in row:
                demand[c.vol] += 1
        order.sort(key=lambda i: (-problem.visits[i].priority, len(pruned.cands[i]), i))
        rank = {j: d for j, d in enumerate(demand)}
    for i in order:
        visit = problem.visits[i]
        if i in plan or i in pruned.reasons:
            continue
        cands = pruned.cands[i]
        if smart:
            pref = visit.preferred_volunteer
            cands = tuple(
                sorted(
                    cands, key=lambda c: (problem.volunteers[c.vol].id != pref, rank[c.vol], c.km)
                )
            )
        if visit.volunteers_needed == 1:
            for c in cands:
                if sched.load[c.vol] + visit.duration_min > problem.volunteers[c.vol].max_minutes:
                    continue
                found = next(
                    (t for t in sorted(sched.times(c.vol, i, c)) if sched.fits(c.vol, i, t, c)),
                    None,
                )
                if found is not None:
                    plan[i] = ((c.vol,), found)
                    sched.book(c.vol, i, found)
                    break
            continue
        cands = tuple(
            c
            for c in cands
            if sched.load[c.vol] + visit.duration_min <= problem.volunteers[c.vol].max_minutes
        )
        times = sorted(set().union(*(sched.times(c.vol, i, c) for c in cands)))
        for t in times:
            who = [c.vol for c in cands if sched.fits(c.vol, i, t, c)][:2]
            if len(who) == 2:
                plan[i] = (tuple(who), t)
                for j in who:
                    sched.book(j, i, t)
                break
    return plan


def first_come(problem: VisitProblem) -> VisitSolution:
    """Greedy baseline solution (status ``GREEDY``); always passes the checker."""
    t0 = time.perf_counter()
    geo = Geo(problem.speed_kmh, problem.distance_km)
    pruned = prune(problem, geo)
    plan = greedy_plan(problem, geo, pruned)
    return assemble(problem, pruned, geo, plan, status="GREEDY", seconds=time.perf_counter() - t0)
