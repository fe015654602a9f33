"""Turn a raw plan (visit -> volunteers, start) into a ``VisitSolution`` with explanations.

Shared by the CP-SAT solver and the first-come baseline so that both report objective
levels, loads and unserved reasons the same way.
"""

from __future__ import annotations

from matching.common.geo import Geo
from matching.visits.model import (
    Assignment,
    Objective,
    Unserved,
    VisitProblem,
    VisitSolution,
    VolunteerDetail,
    fairness_cost,
)
from matching.visits.prune import Pruned

# visit index -> (volunteer indices, start minute)
RawPlan = dict[int, tuple[tuple[int, ...], int]]


def _slot(avail: tuple[tuple[int, int], ...], start: int, end: int) -> tuple[int, int]:
    for lo, hi in avail:
        if lo <= start and end <= hi:
            return (lo, hi)
    return (start, end)  # only a fixed assignment outside every slot gets here


def _taken_reason(
    problem: VisitProblem,
    pruned: Pruned,
    by_vol: dict[int, list[tuple[int, int]]],
    i: int,
    loads: list[int],
) -> str:
    """Why a visit that had candidates is unserved: its volunteers went elsewhere."""
    visit = problem.visits[i]
    cand = [c.vol for c in pruned.cands[i]]
    if all(loads[j] + visit.duration_min > problem.volunteers[j].max_minutes for j in cand):
        return "eligible volunteers are over their weekly minutes"
    lo = min(w[0] for w in visit.windows)
    hi = max(w[1] for w in visit.windows)
    blockers = [
        k
        for j in cand
        for k, start in by_vol.get(j, ())
        if start < hi and start + problem.visits[k].duration_min > lo
    ]
    if any(problem.visits[k].priority > visit.priority for k in blockers):
        return "lower priority than the visits served instead"
    return "eligible volunteers are fully booked at its times"


def assemble(
    problem: VisitProblem,
    pruned: Pruned,
    geo: Geo,
    plan: RawPlan,
    *,
    status: str,
    seconds: float,
    priority_bound: int | None = None,
    level_status: tuple[str, ...] = (),
) -> VisitSolution:
    vols, visits = problem.volunteers, problem.visits
    fixed_ids = {f.visit for f in problem.fixed}
    loads = [0] * len(vols)
    assignments = []
    priority = continuity = 0
    travel = 0.0
    for i in sorted(plan, key=lambda k: (plan[k][1], visits[k].id)):
        v = visits[i]
        js, start = plan[i]
        end = start + v.duration_min
        details = []
        for j in js:
            u = vols[j]
            km = geo.km(u.point, v.point)
            travel += km
            loads[j] += v.duration_min
            details.append(
                VolunteerDetail(
                    u.id,
                    round(km, 3),
                    _slot(u.available, start, end),
                    u.id == v.preferred_volunteer,
                )
            )
        priority += v.priority
        continuity += any(d.continuity for d in details)
        assignments.append(
            Assignment(
                v.id, tuple(vols[j].id for j in js), start, end, v.id in fixed_ids, tuple(details)
            )
        )
    by_vol: dict[int, list[tuple[int, int]]] = {}
    for i, (js, start) in plan.items():
        for j in js:
            by_vol.setdefault(j, []).append((i, start))
    unserved = []
    for i, v in enumerate(visits):
        if i in plan:
            continue
        reason = pruned.reasons.get(i) or _taken_reason(problem, pruned, by_vol, i, loads)
        unserved.append(Unserved(v.id, reason))
    objective = Objective(
        priority, continuity, round(travel, 3), sum(fairness_cost(load) for load in loads)
    )
    return VisitSolution(
        tuple(assignments),
        tuple(unserved),
        objective,
        {u.id: loads[j] for j, u in enumerate(vols)},
        status,
        round(seconds, 3),
        priority_bound,
        level_status,
    )
