"""Neighbourhood search: re-optimise a few neighbouring volunteers at a time with CP-SAT.

On a city-sized week the whole-week model is too big for CP-SAT to improve much within
seconds on two cores; a neighbourhood of ``CLUSTER`` volunteers living near each other,
with the visits they serve or could serve, is small enough to solve (all four levels) in
a fraction of a second. Everything else stays fixed. A neighbourhood's answer is kept only
if the whole plan still satisfies every rule and is lexicographically better.
"""

from __future__ import annotations

import numpy as np

from matching.common.geo import Geo, haversine_matrix
from matching.visits.cpsat_model import VisitModel, plan_broken
from matching.visits.levels import Budget, level_values, lexi_key, lexicographic
from matching.visits.model import VisitProblem, Volunteer
from matching.visits.prune import Pruned, prune
from matching.visits.solution import RawPlan

CLUSTER = 5  # volunteers per neighbourhood (1000 x 200, 6 s: 3->1769, 5->1781, 8->1766, 12->1744)
STEP_SHARE = 0.02  # share of the total budget one neighbourhood may use
NEIGHBOURHOOD_UNITS = 0.005  # budget charged per neighbourhood for building it
LNS_LEVELS = 4  # all levels: solving only the first two gave no clear priority gain


def _cut(
    slots: tuple[tuple[int, int], ...], blocked: list[tuple[int, int]]
) -> tuple[tuple[int, int], ...]:
    """Availability slots minus the blocked intervals."""
    out = list(slots)
    for bs, be in blocked:
        out = [
            piece
            for lo, hi in out
            for piece in ((lo, min(hi, bs)), (max(lo, be), hi))
            if piece[0] < piece[1]
        ]
    return tuple(out)


def _subproblem(
    problem: VisitProblem, capped: Pruned, plan: RawPlan, cluster: list[int]
) -> tuple[VisitProblem, list[int], RawPlan] | None:
    """Visits served only by the cluster or unserved with a candidate in it; visits shared
    with outsiders stay put and block the cluster volunteer's time and minutes."""
    members = set(cluster)
    inside = [i for i, (js, _) in plan.items() if set(js) <= members]
    shared = [i for i, (js, _) in plan.items() if set(js) & members and not set(js) <= members]
    waiting = [
        i
        for i, row in enumerate(capped.cands)
        if i not in plan and i not in capped.reasons and any(c.vol in members for c in row)
    ]
    chosen = sorted(inside + waiting)
    if not waiting:
        return None  # nothing to gain on priority here; keep the budget for elsewhere
    vols: list[Volunteer] = []
    for j in cluster:
        u = problem.volunteers[j]
        blocked = [
            (plan[i][1], plan[i][1] + problem.visits[i].duration_min)
            for i in shared
            if j in plan[i][0]
        ]
        vols.append(
            Volunteer(
                u.id,
                u.lat,
                u.lon,
                u.max_km,
                _cut(u.available, blocked),
                u.max_minutes - sum(e - s for s, e in blocked),
                u.languages,
                u.gender,
                u.visits,
                u.drives,
                u.approved,
                u.credentials_ok,
            )
        )
    fixed_ids = {f.visit: f for f in problem.fixed}
    chosen_ids = {problem.visits[i].id for i in chosen}
    sub = VisitProblem(
        tuple(vols),
        tuple(problem.visits[i] for i in chosen),
        problem.speed_kmh,
        tuple(f for v, f in fixed_ids.items() if v in chosen_ids),
        problem.distance_km,
    )
    local = {j: m for m, j in enumerate(cluster)}
    start = {
        k: (tuple(local[j] for j in plan[i][0]), plan[i][1])
        for k, i in enumerate(chosen)
        if i in plan
    }
    return sub, chosen, start


def improve(
    problem: VisitProblem,
    geo: Geo,
    capped: Pruned,
    plan: RawPlan,
    budget: Budget,
    seed: int,
    workers: int | None,
) -> RawPlan:
    """Visit neighbourhoods (seeded by each volunteer in turn) until the budget is spent or
    a full pass finds nothing better. Deterministic for a deterministic budget."""
    active = sorted({c.vol for row in capped.cands for c in row})
    if len(active) <= CLUSTER:
        return plan  # the whole-week model already was one neighbourhood
    pts = [problem.volunteers[j].point for j in active]
    lat, lon = [p[0] for p in pts], [p[1] for p in pts]
    near = np.argsort(haversine_matrix(lat, lon, lat, lon), axis=1, kind="stable")
    best = lexi_key(level_values(problem, geo, plan))
    allowed = {(i, c.vol) for i, row in enumerate(capped.cands) for c in row}
    step = max(budget.total * STEP_SHARE, 0.05)
    order = [(x + seed) % len(active) for x in range(len(active))]
    idle = 0
    turn = 0
    while budget.left() > 0.01 and idle < len(active):
        cluster = [active[x] for x in near[order[turn % len(order)]][:CLUSTER]]
        turn += 1
        idle += 1
        budget.charge(units=NEIGHBOURHOOD_UNITS)  # Python set-up, counted deterministically
        built = _subproblem(problem, capped, plan, cluster)
        if built is None:
            continue
        sub, chosen, start = built
        pruned = prune(sub, geo)
        # Stay inside the whole-week model's candidate sets, so that its bound (and the
        # relaxation bound) still bounds every plan the search can return.
        pruned = Pruned(
            tuple(
                tuple(c for c in row if (chosen[n], cluster[c.vol]) in allowed)
                for n, row in enumerate(pruned.cands)
            ),
            pruned.reasons,
            0,
        )
        model = VisitModel(sub, geo, pruned, None)
        for cut in model.tight_pairs(start):
            model.add_travel_cut(*cut)
        model.hint(start)
        local = Pruned(tuple(model.cands), pruned.reasons, 0)
        new, _, _ = lexicographic(
            sub,
            geo,
            model,
            local,
            start,
            budget,
            min(step, budget.left()),
            seed,
            workers,
            lambda *_: None,
            LNS_LEVELS,
        )
        moved = set(chosen)
        merged = {i: v for i, v in plan.items() if i not in moved}
        for kk, (js, s) in new.items():
            merged[chosen[kk]] = (tuple(sorted(cluster[m] for m in js)), s)
        key = lexi_key(level_values(problem, geo, merged))
        if key > best and not plan_broken(problem, geo, merged):
            plan, best, idle = merged, key, 0
    return plan
