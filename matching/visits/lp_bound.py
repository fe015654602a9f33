"""A fast, proven upper bound on level 1 (priority served): an LP over every feasible pair.

The LP ranges over ALL pruned pairs (no candidate cap), so it bounds the real problem, not
the capped model. Variables: ``y[i]`` (visit served, fraction) and ``z[i, j, s]`` (volunteer
j serves visit i inside their availability slot s). Rows:

- ``sum_{j,s} z[i,j,s] == needed_i * y[i]``, ``y[i] <= 1``, ``sum_s z[i,j,s] <= y[i]``;
- per volunteer, visit minutes within ``max_minutes`` (fixed visits already counted);
- per (volunteer, slot), visit minutes within the slot length, and the same knapsack
  strengthened by dual-feasible functions (Fekete-Schepers ``u_k``, k = 1..4): slots hold
  2-3 visits, and the plain LP fills a 210-minute slot to the minute with fractions of
  visits (the knapsack integrality gap that made the old bound loose);
- per (volunteer, slot), energetic rows: visits whose feasible starts inside the slot keep
  them within [a, b] fit in b - a (same DFF strengthening).

Start times shared by two volunteers and travel are ignored: every valid plan is feasible
here. The value reported is not GLOP's floating objective but a Lagrangian bound recomputed
from its duals (``pi.b + sum max(0, reduced cost)``), valid for any duals, hence proven
despite rounding.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from ortools.linear_solver import pywraplp

from matching.common.geo import approx_matrix
from matching.visits.model import VisitProblem
from matching.visits.prune import Pruned

DFF_KS = (1, 2, 3, 4)
PARAMS = ""  # GLOP defaults: measured fastest (dual simplex: 13x slower at 2000 x 400)
MAX_ENERGETIC = 20  # energetic rows per slot (largest overload first): measured -5 at 1000 visits


def dff(k: int, size: int, cap: int) -> Fraction:
    """Fekete-Schepers u_k(size / cap): valid weights for ``sum u_k(d_i/C) x_i <= 1``."""
    x = Fraction(size, cap)
    if x > 1:
        return Fraction(1)
    if ((k + 1) * x).denominator == 1:
        return x
    return Fraction(math.floor((k + 1) * x), k)


class _Lp:
    """Rows kept as (coeffs, lo, hi) so the dual bound can be recomputed exactly."""

    def __init__(self) -> None:
        self.s = pywraplp.Solver.CreateSolver("GLOP")
        self.ub: list[float] = []
        self.obj: list[float] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []
        self.vars: list[pywraplp.Variable] = []

    def var(self, obj: float, ub: float = 1.0) -> int:
        self.vars.append(self.s.NumVar(0.0, ub, ""))
        self.obj.append(obj)
        self.ub.append(ub)
        return len(self.vars) - 1

    def forbid(self, k: int) -> None:
        self.vars[k].SetUb(0.0)
        self.ub[k] = 0.0

    def row(self, coeffs: dict[int, float], lo: float, hi: float) -> None:
        c = self.s.Constraint(lo, hi)
        for k, a in coeffs.items():
            c.SetCoefficient(self.vars[k], a)
        self.rows.append((coeffs, lo, hi))

    def solve(self) -> float | None:
        objective = self.s.Objective()
        for v, c in zip(self.vars, self.obj, strict=True):
            objective.SetCoefficient(v, c)
        objective.SetMaximization()
        self.s.SetSolverSpecificParametersAsString(PARAMS)
        if self.s.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        # Lagrangian bound from the duals: valid for any multipliers of the right sign.
        cons = self.s.constraints()
        red = np.array(self.obj, dtype=float)
        total = 0.0
        for con, (coeffs, lo, hi) in zip(cons, self.rows, strict=True):
            pi = con.dual_value()
            if lo != hi and pi < 0:
                pi = 0.0  # a <= row may only carry a non-negative price
            total += pi * hi
            for k, a in coeffs.items():
                red[k] -= pi * a
        return total + float(np.maximum(red, 0.0) @ np.array(self.ub))


def lp_bound(
    problem: VisitProblem, pruned: Pruned, dff_cuts: bool = False, travel: bool = False
) -> int | None:
    """A proven upper bound on the priority any valid plan serves (None if GLOP fails).

    ``dff_cuts`` and ``travel`` add the optional rows (valid, measured to move the bound by
    0-1 on the town week for 1-3x the time, hence off by default)."""
    visits, vols = problem.visits, problem.volunteers
    vindex = {u.id: j for j, u in enumerate(vols)}
    pindex = {v.id: i for i, v in enumerate(visits)}
    minutes = [u.max_minutes for u in vols]
    slot_used: dict[tuple[int, tuple[int, int]], int] = {}
    constant, fixed = 0, set()
    for f in problem.fixed:
        i = pindex[f.visit]
        fixed.add(i)
        constant += visits[i].priority
        end = f.start + visits[i].duration_min
        for uid in f.volunteers:
            j = vindex[uid]
            minutes[j] -= visits[i].duration_min
            for lo, hi in vols[j].available:
                if lo <= f.start and end <= hi:
                    key = (j, (lo, hi))
                    slot_used[key] = slot_used.get(key, 0) + visits[i].duration_min
    lp = _Lp()
    # per (volunteer, slot): list of (var, duration, earliest start, latest end, visit)
    in_slot: dict[tuple[int, tuple[int, int]], list[tuple[int, int, int, int, int]]] = {}
    by_vol: dict[int, dict[int, float]] = {}
    for i, row in enumerate(pruned.cands):
        if not row or i in fixed or i in pruned.reasons:
            continue
        v = visits[i]
        y = lp.var(float(v.priority))
        seats: dict[int, float] = {y: -float(v.volunteers_needed)}
        for c in row:
            pair: dict[int, float] = {y: -1.0}
            ranges: dict[tuple[int, int], list[tuple[int, int]]] = {}
            for rng, slot in zip(c.starts, c.slots, strict=True):
                ranges.setdefault(slot, []).append(rng)
            for slot, rngs in ranges.items():
                z = lp.var(0.0)
                seats[z] = pair[z] = 1.0
                by_vol.setdefault(c.vol, {})[z] = float(v.duration_min)
                lo = min(a for a, _ in rngs)
                hi = max(b for _, b in rngs) + v.duration_min
                in_slot.setdefault((c.vol, slot), []).append((z, v.duration_min, lo, hi, i))
            if len(ranges) > 1 or v.volunteers_needed > 1:
                lp.row(pair, -math.inf, 0.0)
        lp.row(seats, 0.0, 0.0)
    for j, coeffs in by_vol.items():
        sizes = [(z, int(d)) for z, d in coeffs.items()]
        _knapsack_rows(lp, sizes, max(minutes[j], 0), dff_cuts)
    for (j, slot), items in in_slot.items():
        cap = slot[1] - slot[0] - slot_used.get((j, slot), 0)
        gaps = _travel_lower(problem, [i for *_, i in items]) if travel else None
        _energetic_rows(lp, items, gaps, (slot[0], slot[1], max(cap, 0)), dff_cuts)
    value = lp.solve()
    if value is None:
        return None
    return constant + math.floor(value + 1e-6)


def _travel_lower(problem: VisitProblem, idx: list[int]) -> np.ndarray | None:
    """Minutes between each pair of these visits, never above the true travel time (None
    with an injected distance function, which need not respect the geodesic)."""
    if problem.distance_km is not None or len(idx) < 2:
        return None
    lat = [problem.visits[i].lat for i in idx]
    lon = [problem.visits[i].lon for i in idx]
    km, err = approx_matrix(lat, lon, lat, lon)
    t = np.ceil(np.maximum(km * (1 - err), 0) * 60.0 / problem.speed_kmh - 1e-6)
    np.fill_diagonal(t, np.inf)
    return t


def _knapsack_rows(lp: _Lp, sizes: list[tuple[int, int]], cap: int, cuts: bool) -> None:
    """``sum size * z <= cap`` and its dual-feasible-function strengthenings."""
    if sum(d for _, d in sizes) <= cap:
        return
    for z, d in sizes:
        if d > cap:  # an item larger than the knapsack never goes in
            lp.forbid(z)
    lp.row({z: float(d) for z, d in sizes}, -math.inf, float(cap))
    if not cuts or cap == 0:
        return
    for k in DFF_KS:
        coeffs = {z: float(dff(k, d, cap)) for z, d in sizes}
        coeffs = {z: a for z, a in coeffs.items() if a > 0}
        if sum(coeffs.values()) > 1:
            lp.row(coeffs, -math.inf, 1.0)


def _energetic_rows(
    lp: _Lp,
    items: list[tuple[int, int, int, int, int]],
    gaps: np.ndarray | None,
    slot: tuple[int, int, int],
    cuts: bool,
) -> None:
    """Visits confined to [a, b] (the slot itself included) fit in b - a. Travel: every
    visit but the first of such a group is preceded by at least its nearest neighbour's
    travel time, so sizes d_i + t_i fit in b - a + max t_i (triangle inequality makes this
    hold for any subset of a volunteer's visits)."""
    lo = np.array([a for _, _, a, _, _ in items])
    hi = np.array([b for _, _, _, b, _ in items])
    dur = np.array([d for _, d, _, _, _ in items])
    found = [(1 << 30, slot[0], slot[1], list(range(len(items))), slot[2])]
    for a in np.unique(lo).tolist():
        inside = lo >= a
        for b in np.unique(hi[inside]).tolist():
            group = np.nonzero(inside & (hi <= b))[0]
            over = int(dur[group].sum()) - (b - a)
            if over > 0 and len(group) > 1 and (a, b) != slot[:2]:
                found.append((over, a, b, group.tolist(), b - a))
    found.sort(key=lambda t: -t[0])
    for _, _, _, members, cap in found[: MAX_ENERGETIC + 1]:
        _knapsack_rows(lp, [(items[k][0], int(dur[k])) for k in members], cap, cuts)
        if gaps is not None and len(members) > 1:
            sub = gaps[np.ix_(members, members)].min(axis=1)
            sub = np.where(np.isfinite(sub), sub, 0).astype(int)
            sizes = [
                (items[k][0], int(dur[k] + t)) for k, t in zip(members, sub.tolist(), strict=True)
            ]
            _knapsack_rows(lp, sizes, cap + int(sub.max()), cuts)
