"""A proven upper bound on level 1 by column generation over (volunteer, slot) schedules.

``lp_bound`` lets a volunteer fill an availability slot with any visits whose minutes fit,
ignoring when each visit can start and the travel between them. Here a column is a whole
feasible sequence of visits for one volunteer inside one piece of one slot: every visit
starts inside its pruned start ranges, consecutive visits are separated by the travel time
(the checker's: see ``cg_pricing._travel_lower``), the sequence stays inside the
piece and its visit minutes stay within the volunteer's remaining weekly minutes.

Master LP (GLOP), maximised::

    max  sum_i p_i y_i
    s.t. sum_{c contains i} x_c - need_i y_i = 0        (pi_i, free)    every visit i
         sum_{c in piece g} x_c <= 1                      (sigma_g >= 0)  every piece g
         sum_{c of volunteer j} minutes_c x_c <= M_j      (mu_j >= 0)     every volunteer j
         sum_{c of j contains i} x_c - y_i <= 0           (rho_ij >= 0)   two-volunteer visits
         0 <= y_i <= 1, x_c >= 0

Every valid plan gives an integer point of it (the shared start of a two-volunteer visit is
relaxed; nothing else is). Fixed assignments are handled exactly, not relaxed: their
priority is a constant, their minutes come off ``M_j``, and they cut the volunteer's slot
into pieces (before, between and after fixed visits); a piece knows the fixed visit before
it (its first visit starts no earlier than that one's end plus travel) and after it (its
last visit ends early enough to travel there).

The bound reported is never the floating LP value. For any multipliers ``pi`` (free),
``mu, rho >= 0`` the Lagrangian function, keeping each piece's "at most one sequence" in
the subproblem,

    L = sum_j mu_j M_j + sum_i max(0, p_i + need_i pi_i + sum_j rho_ij)
        + sum_g max(0, max_{sequences c of g} sum_{i in c} (-pi_i - rho_ij - mu_j d_i))

is an upper bound of every plan (weak duality). Each round takes GLOP's duals (signs
forced as ``lp_bound`` does), prices every piece with an exact branch-and-bound (or, when
its node budget runs out, an upper bound of the pricing optimum from the open nodes), and
keeps the smallest ``L`` seen: the bound is proven after every complete round, not only at
convergence. Its floor plus the fixed priority is reported, never above ``lp_bound``.

Rounds: the master starts from the smart greedy plan's sequences (and any plans given);
while many pieces still improve, pricing searches only a few nodes per piece and adds one
column each (good columns, weak bound); then full searches with Wentges smoothing (pricing
between the best multipliers so far and the LP's); finally the pieces whose search hit the
node budget are searched again at the best multipliers with a larger budget ("polish").
Columns only steer the multipliers, so neither seeds nor heuristics can make the bound
wrong. Then, in the time left, ``cg_week`` keeps each volunteer's weekly minutes exact
instead of pricing them with mu_j (a tighter Lagrangian, from the best multipliers; a
volunteer it does not reach keeps its term here, so it is never above this bound).
Measured figures: docs/benchmarks-visits.md.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import pywraplp

from matching.bounds.cg_pricing import COLUMNS_PER_PIECE, EPS, NODE_LIMIT, Piece, price, slot_pieces
from matching.bounds.cg_week import TABLE_NODES, week_rounds
from matching.common.geo import Geo
from matching.visits.baseline import greedy_plan
from matching.visits.lp_bound import lp_bound
from matching.visits.model import VisitProblem
from matching.visits.prune import Pruned
from matching.visits.solution import RawPlan

# Early rounds, while many pieces still have improving columns, only need good columns,
# not a tight bound: a small budget then (their bound is still valid, only weaker).
HEURISTIC_NODES = 30
POLISH_NODES = 50_000  # at the end, for the pieces whose search the budget stopped
POLISH_SHARE = 0.2  # of the time cap kept for the polish (all that is left if converged)
BUSY_SHARE = 0.1  # a round that improved more than this share of pieces was "early"
SMOOTHING = 0.5  # Wentges dual smoothing weight of the best multipliers so far
LP_PARAMS = ""  # GLOP defaults (use_preprocessing:false measured no faster)
_Duals = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # pi, mu, rho (+ pad), sigma


def _mix(alpha: float, a: _Duals, b: _Duals) -> _Duals:
    """``alpha * a + (1 - alpha) * b``, multiplier by multiplier."""
    return (
        alpha * a[0] + (1 - alpha) * b[0],
        alpha * a[1] + (1 - alpha) * b[1],
        alpha * a[2] + (1 - alpha) * b[2],
        alpha * a[3] + (1 - alpha) * b[3],
    )


@dataclass
class CgBound:
    """Result: ``bound`` = min(column-generation bound, weekly-minutes bound, LP bound),
    all with fixed priority."""

    bound: int | None
    cg: int | None
    lp: int | None
    seconds: float
    rounds: int
    columns: int
    converged: bool
    lp_value: float | None = None  # last master LP value (not a bound until converged)
    history: list[float] = field(default_factory=list)  # Lagrangian bound per round
    week: int | None = None  # ``cg_week``'s bound (weekly minutes exact), if it ran
    week_value: float | None = None  # its unfloored value, without the fixed priority


def cg_bound(
    problem: VisitProblem,
    pruned: Pruned,
    time_limit_s: float = 60.0,
    lp: int | None = None,
    max_rounds: int = 1000,
    node_limit: int = NODE_LIMIT,
    heuristic_nodes: int = HEURISTIC_NODES,
    plans: list[RawPlan] | None = None,
    smoothing: float = SMOOTHING,
    columns_per_piece: int = COLUMNS_PER_PIECE,
    polish_nodes: int = POLISH_NODES,
    week_nodes: int = TABLE_NODES,
    log: Callable[[str], None] | None = None,
) -> CgBound:
    """Column generation bound (see the module docstring). ``lp`` is the ``lp_bound``
    value if the caller has it (computed here otherwise); ``time_limit_s`` caps the whole
    run, returning the best bound proven so far. ``plans`` (raw plans, e.g. a solver's)
    seed the master with their sequences, as does the smart greedy plan always: columns
    only steer the multipliers, so a seed can never make the bound wrong, only the run
    faster. ``week_nodes`` > 0: then also ``cg_week``'s bound at the best multipliers and at
    the last LP duals, in the time left. ``log`` gets one line per round."""
    t0 = time.perf_counter()
    if lp is None:
        lp = lp_bound(problem, pruned)
    visits, vols = problem.visits, problem.volunteers
    geo = Geo(problem.speed_kmh, problem.distance_km)
    vindex = {u.id: j for j, u in enumerate(vols)}
    pindex = {v.id: i for i, v in enumerate(visits)}
    minutes = [u.max_minutes for u in vols]
    constant, fixed = 0, set()
    for f in problem.fixed:
        i = pindex[f.visit]
        fixed.add(i)
        constant += visits[i].priority
        for uid in f.volunteers:
            minutes[vindex[uid]] -= visits[i].duration_min
    cap = [max(m, 0) for m in minutes]
    cap_arr = np.array(cap, dtype=float)
    free = {
        i
        for i, row in enumerate(pruned.cands)
        if row and i not in fixed and i not in pruned.reasons
    }
    pieces = slot_pieces(problem, pruned, geo, free)
    served = sorted({int(i) for g in pieces for i in g.vis.tolist()})
    need = np.array([v.volunteers_needed for v in visits], dtype=float)
    prio = np.array([v.priority for v in visits], dtype=float)
    dur = np.array([v.duration_min for v in visits], dtype=float)

    s = pywraplp.Solver.CreateSolver("GLOP")
    s.SetSolverSpecificParametersAsString(LP_PARAMS)
    inf = s.infinity()
    y = {i: s.NumVar(0.0, 1.0, "") for i in served}
    obj = s.Objective()
    for i in served:
        obj.SetCoefficient(y[i], float(prio[i]))
    obj.SetMaximization()
    vrow = {}
    for i in served:
        vrow[i] = s.Constraint(0.0, 0.0)
        vrow[i].SetCoefficient(y[i], -float(need[i]))
    grow = [s.Constraint(-inf, 1.0) for _ in pieces]
    mrow = {j: s.Constraint(-inf, float(cap[j])) for j in sorted({g.vol for g in pieces})}
    # two-volunteer visits a volunteer could serve in more than one piece: at most once
    count: dict[tuple[int, int], int] = {}
    for g in pieces:
        for i in set(g.vis.tolist()):
            if need[i] > 1:
                count[(i, g.vol)] = count.get((i, g.vol), 0) + 1
    prow = {}
    for key, k in count.items():
        if k > 1:
            prow[key] = s.Constraint(-inf, 0.0)
            prow[key].SetCoefficient(y[key[0]], -1.0)
    rho_keys = list(prow)
    rho_visit = np.array([i for i, _ in rho_keys], dtype=np.int64)
    rho_at = {key: r for r, key in enumerate(rho_keys)}
    for g in pieces:  # where each copy's rho sits (the last entry is a zero pad)
        g.rho = np.array(
            [rho_at.get((i, g.vol), len(rho_keys)) for i in g.vis.tolist()], dtype=np.int64
        )
    ncols = 0
    pool: set[tuple[int, tuple[int, ...]]] = set()

    def add_column(gi: int, seq: tuple[int, ...]) -> bool:
        nonlocal ncols
        g = pieces[gi]
        key = (gi, tuple(sorted(seq)))
        if key in pool:
            return False
        pool.add(key)
        x = s.NumVar(0.0, inf, "")
        grow[gi].SetCoefficient(x, 1.0)
        mrow[g.vol].SetCoefficient(x, float(sum(dur[i] for i in seq)))
        for i in seq:
            vrow[i].SetCoefficient(x, 1.0)
            if (i, g.vol) in prow:
                prow[(i, g.vol)].SetCoefficient(x, 1.0)
        ncols += 1
        return True

    def weights(duals: _Duals, g: Piece) -> np.ndarray:
        pi, mu, rho, _ = duals
        return -pi[g.vis] - mu[g.vol] * g.dur - rho[g.rho]

    def y_part(pi: np.ndarray, rho: np.ndarray) -> float:
        red_y = prio + need * pi
        np.add.at(red_y, rho_visit, rho[:-1])
        return float(np.maximum(red_y[served], 0.0).sum())

    def lagrangian(
        duals: _Duals, nodes: int, columns: int
    ) -> tuple[float | None, int, list[tuple[float, float]]]:
        """One pricing round at these multipliers: the bound (None if the time cap cut it
        short), how many pieces got a new column, and each piece's pricing upper bound and
        best sequence found."""
        pi, mu, rho, sigma = duals
        total = float(mu @ cap_arr) + y_part(pi, rho)
        added = 0
        ubs: list[tuple[float, float]] = []
        for gi, g in enumerate(pieces):
            if time.perf_counter() > rounds_end:
                return None, added, ubs
            ub, cols, found = price(g, weights(duals, g), cap[g.vol], sigma[gi], nodes, columns)
            ubs.append((ub, found))
            new = [add_column(gi, seq) for _, seq in cols]
            added += any(new)
        return total + sum(max(0.0, ub) for ub, _ in ubs), added, ubs

    by_vol: dict[int, list[int]] = {}
    for gi, g in enumerate(pieces):
        by_vol.setdefault(g.vol, []).append(gi)
    plan_weeks: list[tuple[int, tuple[int, ...]]] = []
    for plan in [greedy_plan(problem, geo, pruned, smart=True), *(plans or [])]:
        seqs: dict[int, list[tuple[int, int]]] = {}
        for i, (js, start) in plan.items():
            if i not in vrow:
                continue
            for j in js:
                for gi in by_vol.get(j, []):
                    if pieces[gi].lo <= start < pieces[gi].hi:
                        seqs.setdefault(gi, []).append((start, i))
        for gi, items in seqs.items():
            add_column(gi, tuple(i for _, i in sorted(items)))
        for j, gis in by_vol.items():  # the plan's whole weeks, for ``cg_week``'s master
            plan_weeks.append((j, tuple(i for gi in gis for _, i in seqs.get(gi, []))))
    best = math.inf
    history: list[float] = []
    rounds, converged, lp_value = 0, False, None
    added, exact = len(pieces), False  # the first round only needs columns
    center: _Duals | None = None  # the multipliers of the best bound so far
    center_ubs: list[float] = []  # and each piece's pricing upper bound there
    polish_key, polish = math.inf, None  # (bound, multipliers, per piece (ub, found))
    alpha = 0.0
    rounds_end = t0 + time_limit_s * (1 - POLISH_SHARE)  # the rest is for the polish
    while rounds < max_rounds and time.perf_counter() < rounds_end:
        t_lp = time.perf_counter()
        if s.Solve() != pywraplp.Solver.OPTIMAL:
            break
        t_lp = time.perf_counter() - t_lp
        rounds += 1
        lp_value = obj.Value()
        pi = np.zeros(len(visits))
        for i, c in vrow.items():
            pi[i] = c.dual_value()
        mu = np.zeros(len(vols))
        for j, c in mrow.items():
            mu[j] = max(0.0, c.dual_value())
        rho = np.array([max(0.0, prow[k].dual_value()) for k in rho_keys] + [0.0])
        sigma = np.array([max(0.0, c.dual_value()) for c in grow])
        duals: _Duals = (pi, mu, rho, sigma)
        # Full searches once few pieces improve, and from then on (going back to the
        # small budget only made the bound jump up again).
        exact = exact or added <= BUSY_SHARE * len(pieces)
        nodes = node_limit if exact else heuristic_nodes
        smoothed = center is not None and alpha > 0 and nodes == node_limit
        if smoothed and center is not None:  # (smoothed implies a center)
            # Wentges smoothing: price between the best multipliers and the LP's, which
            # damps the oscillation of degenerate duals (signs stay valid: a convex mix).
            duals = _mix(alpha, center, duals)
        busy = nodes < node_limit
        val, added, ubs = lagrangian(duals, nodes, 1 if busy else columns_per_piece)
        if val is None:
            break
        if val < best:
            best, center, center_ubs = val, duals, [ub for ub, _ in ubs]
        slack = sum(max(0.0, ub) - max(0.0, found) for ub, found in ubs)
        if val - slack < polish_key:  # the round the polish may bring lowest
            polish_key, polish = val - slack, (val, duals, ubs)
        history.append(val)
        if log is not None:
            log(
                f"round {rounds}: lp {lp_value:.2f} lagrangian {val:.2f} best {best:.2f} "
                f"alpha {alpha if smoothed else 0.0:.1f} pieces improved {added} "
                f"nodes {nodes} columns {ncols} "
                f"(lp {t_lp:.1f}s, total {time.perf_counter() - t0:.1f}s)"
            )
        if math.floor(best + 1e-6) <= math.floor(lp_value + 1e-6):
            converged = True  # the restricted LP already reaches the floored bound
            break
        # What the searches left open (upper bound minus best found, over the pieces the
        # node budget stopped): if that is all between this round and the LP, more rounds
        # will not help, only the polish will.
        if exact and math.floor(val - slack + 1e-6) <= math.floor(lp_value + 1e-6):
            converged = True
            break
        if added == 0:
            if not smoothed and nodes == node_limit:
                converged = True
                break
            alpha = 0.0  # a mis-price: the next round prices at the LP's own duals
        else:
            alpha = smoothing
    if polish is not None:
        # Polish: at the multipliers of the round with the least bound minus search slack,
        # search again, with a larger budget, the pieces whose search stopped at the node
        # budget (any upper bound of a piece will do, so each is replaced by the smaller
        # as soon as it is known).
        val, at, pairs = polish
        piece_ubs = [ub for ub, _ in pairs]
        base = val - sum(max(0.0, ub) for ub in piece_ubs)
        open_ = [ub - max(0.0, found) for ub, found in pairs]  # search slack per piece
        for gi in sorted(range(len(pieces)), key=lambda gi: -open_[gi]):
            if time.perf_counter() - t0 > time_limit_s or open_[gi] <= 2 * EPS:
                break  # out of time, or every other piece was searched to the end
            g = pieces[gi]
            ub, _, _ = price(g, weights(at, g), cap[g.vol], 0.0, polish_nodes, 0)
            piece_ubs[gi] = min(piece_ubs[gi], ub)
        polished = base + sum(max(0.0, ub) for ub in piece_ubs)
        if log is not None:
            log(f"polish: {val:.2f} -> {polished:.2f} ({time.perf_counter() - t0:.1f}s)")
        if polished < best:
            best, center, center_ubs = polished, at, piece_ubs
    cg = constant + math.floor(best + 1e-6) if math.isfinite(best) else None
    week_best = math.inf
    if week_nodes > 0 and center is not None:
        # The weekly minutes kept exact (``cg_week``), from the best multipliers, while
        # time is left. A volunteer not reached keeps its term of the best bound (its
        # mu_j M_j plus its pieces' pricing bounds), so the result is never above it.
        mu = center[1]
        fallback = {j: mu[j] * cap[j] + sum(max(0.0, center_ubs[gi]) for gi in gis)
                    for j, gis in by_vol.items()}  # fmt: skip
        seeds = [(pieces[gi].vol, seq) for gi, seq in pool] + plan_weeks
        week_best = week_rounds(
            pieces, by_vol, cap, served, prio, need, rho_keys, y_part,
            (center[0], center[2]), fallback, seeds, t0 + time_limit_s, time.perf_counter,
            week_nodes, smoothing, log,
        )  # fmt: skip
    week = constant + math.floor(week_best + 1e-6) if math.isfinite(week_best) else None
    bounds = [b for b in (cg, lp, week) if b is not None]
    return CgBound(
        min(bounds) if bounds else None,
        cg,
        lp,
        time.perf_counter() - t0,
        rounds,
        ncols,
        converged,
        lp_value,
        history,
        week,
        week_best if math.isfinite(week_best) else None,
    )
