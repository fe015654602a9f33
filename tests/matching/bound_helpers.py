"""Helpers for the bound tests: a random slot for the pricing, the CG and LP bounds of a
problem, and its optimum by enumeration."""

from __future__ import annotations

import itertools

import numpy as np

from matching.bounds.cg_bound import cg_bound
from matching.bounds.cg_pricing import Piece
from matching.common.geo import Geo
from matching.visits.lp_bound import lp_bound
from matching.visits.model import VisitProblem
from matching.visits.prune import prune


def random_piece(rng: np.random.Generator, n: int, close: np.ndarray | None = None) -> Piece:
    """One slot of ``n`` visits with random durations, ranges and travel (``close``: the
    latest end of each visit, drawn too unless given)."""
    dur = rng.choice([30, 45, 60], n)
    s_lo, s_hi = rng.integers(0, 100, n), rng.integers(100, 240, n)
    if close is None:
        close = rng.integers(200, 301, n)
    travel = rng.integers(0, 15, (n, n))
    return Piece(0, 0, 300, np.arange(n), np.arange(n), dur, s_lo, s_hi, close, travel)


def bounds(p: VisitProblem, **kw):
    pruned = prune(p, Geo(p.speed_kmh))
    return cg_bound(p, pruned, **kw), lp_bound(p, pruned)


def brute_force(p: VisitProblem) -> int:
    """The optimum of level 1 by enumeration, straight from the rules (windows, slots,
    travel, minutes, fixed visits), with the shared start of two-volunteer visits relaxed
    (each volunteer may start at their own time): an optimum at least the real one, which
    the bound (relaxing the same thing) must still reach. Eligibility (language, gender,
    role, radius) is taken from pruning."""
    geo = Geo(p.speed_kmh, p.distance_km)
    pruned = prune(p, geo)
    vindex = {u.id: j for j, u in enumerate(p.volunteers)}
    pindex = {v.id: i for i, v in enumerate(p.visits)}
    fixed = {pindex[f.visit]: f for f in p.fixed}
    # per volunteer: list of (visit, [(lo, hi) start ranges], duration)
    base: dict[int, list[tuple[int, list[tuple[int, int]]]]] = {j: [] for j in vindex.values()}
    for i, f in fixed.items():
        for uid in f.volunteers:
            base[vindex[uid]].append((i, [(f.start, f.start)]))
    choices = []
    free = [i for i in range(len(p.visits)) if i not in fixed]
    for i in free:
        v = p.visits[i]
        ok = sorted({c.vol for c in pruned.cands[i]}) if i not in pruned.reasons else []
        choices.append([()] + list(itertools.combinations(ok, v.volunteers_needed)))

    def ranges(i: int, j: int) -> list[tuple[int, int]]:
        v, u = p.visits[i], p.volunteers[j]
        out = []
        for ws, we in v.windows:
            for ss, se in u.available:
                lo, hi = max(ws, ss), min(we, se) - v.duration_min
                if lo <= hi:
                    out.append((lo, hi))
        return out

    def feasible(j: int, items: list[tuple[int, list[tuple[int, int]]]]) -> bool:
        if sum(p.visits[i].duration_min for i, _ in items) > p.volunteers[j].max_minutes:
            return False
        for perm in itertools.permutations(items):
            t, last, ok = -(10**9), None, True
            for i, rs in perm:
                ready = (
                    t if last is None else t + geo.travel(p.visits[last].point, p.visits[i].point)
                )
                starts = [max(lo, ready) for lo, hi in rs if max(lo, ready) <= hi]
                if not starts:
                    ok = False
                    break
                t, last = min(starts) + p.visits[i].duration_min, i
            if ok:
                return True
        return False

    best = 0
    for pick in itertools.product(*choices):
        value = sum(p.visits[i].priority for i, who in zip(free, pick, strict=True) if who)
        if value <= best:
            continue
        sched = {j: list(items) for j, items in base.items()}
        for i, who in zip(free, pick, strict=True):
            for j in who:
                sched[j].append((i, ranges(i, j)))
        if all(feasible(j, items) for j, items in sched.items()):
            best = value
    return best + sum(p.visits[i].priority for i in fixed)
