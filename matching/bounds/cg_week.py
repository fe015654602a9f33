"""A tighter Lagrangian bound for ``cg_bound``: each volunteer's weekly minutes kept.

``cg_bound`` relaxes the row "visit minutes of volunteer j <= M_j" with a multiplier
``mu_j``; a volunteer's pieces are then priced independently. Here the row stays in the
subproblem: for multipliers ``pi`` (free) and ``rho >= 0`` (two-volunteer rows),

    L_week = sum_i max(0, p_i + need_i pi_i + sum_j rho_ij) + sum_j V_j(pi, rho)

    V_j = max  sum_g w_g(c_g)  over one sequence c_g (possibly empty) per piece g of j
          s.t. sum_g minutes(c_g) <= M_j,       w_g(c) = sum_{i in c} (-pi_i - rho_ij)

is an upper bound of every plan by weak duality (only the coverage and two-volunteer rows
are relaxed), and ``L_week <= L`` for every ``mu >= 0``: weighting the minutes row by mu and
dropping it can only raise V_j. ``V_j`` is solved per volunteer: a table per piece, "best
sequence worth using at most b minutes" for every budget b (``price_table``), then a
multiple-choice knapsack over the volunteer's pieces (``combine``). Durations are whole
minutes, so budgets in units of their gcd are exact. Any upper bound of a table entry keeps
the bound valid; the table search returns exactly that when its node budget runs out.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import reduce

import numpy as np
from ortools.linear_solver import pywraplp

from matching.bounds.cg_pricing import EPS, Piece

TABLE_NODES = 2000  # branch-and-bound expansions per piece table (then upper bounds)


def week_step(pieces: list[Piece]) -> int:
    """The budget unit: gcd of every duration (any visit minutes total is a multiple)."""
    durs = {int(d) for g in pieces for d in g.dur.tolist()}
    return reduce(math.gcd, durs, 0) or 1


def price_table(
    piece: Piece, weight: np.ndarray, cap: int, step: int, node_limit: int = TABLE_NODES
) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """Per budget b = 0..cap // step (units of ``step`` minutes): an upper bound of the best
    sequence weight of ``piece`` using at most b * step visit minutes (the optimum when the
    search finished within ``node_limit`` expansions), and the best sequence found for it.

    The same depth-first branch and bound as ``cg_pricing.price``, with a bound per budget:
    a node's bound at b is its profit plus a fractional knapsack of the visits that may
    still follow it with capacity min(b * step - its minutes, piece end - its end); a node
    is pruned only when that is no better than the table at every budget. Visits of weight
    <= 0 are left out (dropping one from a sequence keeps it feasible and loses nothing).
    """
    K = max(cap, 0) // step
    table = np.zeros(K + 1)
    best_seq: list[tuple[int, ...]] = [()] * (K + 1)  # per exact budget, then carried up
    P = np.nonzero(weight > EPS)[0]
    if len(P) == 0 or K == 0:
        return table, best_seq
    P = P[np.argsort(-(weight[P] / piece.dur[P]), kind="stable")]
    w, d = weight[P], piece.dur[P]
    s_lo, s_hi, close = piece.s_lo[P], piece.s_hi[P], piece.close[P]
    loc = piece.local[P]
    T = piece.travel[np.ix_(P, P)]
    n = len(P)
    budgets = np.arange(K + 1) * step
    exact = np.zeros(K + 1)  # best value found with exactly b units (before the running max)
    at: list[tuple[int, ...]] = [()] * (K + 1)

    ratio = w / d

    def curves(
        elig: np.ndarray, profit: np.ndarray, minutes: np.ndarray, end: np.ndarray
    ) -> np.ndarray:
        # Per row (node) and budget: its profit plus the fractional knapsack of its
        # eligible visits (ratio order) with room min(budget - minutes, piece end - end);
        # -inf at budgets below its minutes (it cannot be there).
        m = elig.shape[0]
        cd = np.zeros((m, n + 1), dtype=np.int64)
        cw = np.zeros((m, n + 1))
        np.cumsum(np.where(elig, d, 0), axis=1, out=cd[:, 1:])
        np.cumsum(np.where(elig, w, 0.0), axis=1, out=cw[:, 1:])
        room = np.minimum(budgets[None, :] - minutes[:, None], (piece.hi - end)[:, None])
        room = np.maximum(room, 0)
        # how many visits fit whole, per row and budget: one sorted search over all rows
        # (row r shifted by r * big keeps the rows apart)
        big = int(cd[:, -1].max()) + int(room.max()) + 1
        off = np.arange(m, dtype=np.int64)[:, None] * big
        k = np.searchsorted((cd[:, 1:] + off).ravel(), (room + off).ravel(), side="right")
        k = k.reshape(m, -1) - np.arange(m)[:, None] * n
        rows = np.arange(m)[:, None]
        nxt = np.minimum(k, n - 1)  # the visit cut by the budget (if any is left)
        part = np.where(k < n, (room - cd[rows, k]) * ratio[nxt], 0.0)
        out = profit[:, None] + cw[rows, k] + np.maximum(part, 0.0)
        return np.where(budgets[None, :] >= minutes[:, None], out, -np.inf)

    root = curves(np.ones((1, n), bool), np.zeros(1), np.zeros(1), np.array([piece.lo]))[0]
    # node: (bound per budget, last, end, visited bool array, visited int, profit, minutes,
    # path)
    stack: list[tuple[np.ndarray, int, int, np.ndarray, int, float, int, tuple[int, ...]]] = [
        (root, -1, -(10**9), np.zeros(int(loc.max()) + 1, bool), 0, 0.0, 0, ())
    ]
    seen: dict[tuple[int, int], int] = {}
    expanded = 0
    while stack:
        node = stack.pop()
        bnd, last, end, vis, vmask, profit, minutes, path = node
        if not (bnd > table + EPS).any():
            continue
        if expanded >= node_limit:
            stack.append(node)
            break
        expanded += 1
        ready = s_lo if last < 0 else np.maximum(s_lo, end + T[last])
        ok = (ready <= s_hi) & ~vis[loc] & (minutes + d <= K * step)
        kids = np.nonzero(ok)[0]
        if len(kids) == 0:
            continue
        c_end = ready[kids] + d[kids]
        c_profit = profit + w[kids]
        c_min = minutes + d[kids]
        for k in np.nonzero(c_end <= close[kids])[0].tolist():
            u, val = int(c_min[k]) // step, float(c_profit[k])
            if val > exact[u]:
                exact[u], at[u] = val, (*path, int(kids[k]))
                table = np.maximum(table, np.where(np.arange(K + 1) >= u, val, 0.0))
        elig = (
            ~vis[loc][None, :]
            & (loc[None, :] != loc[kids][:, None])
            & (c_end[:, None] + T[kids] <= s_hi[None, :])
        )
        bounds = curves(elig, c_profit, c_min, c_end)
        keep = np.nonzero((bounds > table + EPS).any(axis=1))[0]
        top = bounds[keep].max(axis=1)
        for k in keep[np.argsort(top, kind="stable")].tolist():  # best bound popped first
            b = bounds[k]
            kid = int(kids[k])
            key = (vmask | (1 << int(loc[kid])), int(loc[kid]))
            e = int(c_end[k])
            if seen.get(key, 1 << 40) <= e:
                continue  # same visits (so same minutes and profit), same last, later end
            seen[key] = e
            v2 = vis.copy()
            v2[loc[kid]] = True
            stack.append((b, kid, e, v2, key[0], float(c_profit[k]), int(c_min[k]), (*path, kid)))
    best_u = 0
    for u in range(K + 1):  # the best sequence within each budget (running max)
        if exact[u] > exact[best_u]:
            best_u = u
        best_seq[u] = tuple(int(piece.vis[P[k]]) for k in at[best_u])
    ub = table.copy()
    for node in stack:  # open nodes: their bound covers every completion
        ub = np.maximum(ub, node[0])
    # + EPS: nodes within EPS of the table were pruned too, so it stays an upper bound.
    return ub + EPS, best_seq


def combine(tables: list[np.ndarray], K: int) -> tuple[float, list[int]]:
    """Multiple-choice knapsack: one budget per table (``tables[g][b]`` nondecreasing in b),
    total <= K units, maximum sum. Returns the value and the budget chosen per table."""
    dp = np.zeros(K + 1)
    picks = []
    for t in tables:
        t = t[: K + 1]
        m = len(t)
        # new[b] = max_{u <= min(b, m-1)} dp[b - u] + t[u]
        cand = np.full((m, K + 1), -np.inf)
        for u in range(m):
            cand[u, u:] = dp[: K + 1 - u] + t[u]
        picks.append(cand.argmax(axis=0))
        dp = cand.max(axis=0)
    b, chosen = K, []
    for pick in reversed(picks):
        u = int(pick[b])
        chosen.append(u)
        b -= u
    return float(dp[K]), chosen[::-1]


def week_values(
    pieces: list[Piece],
    by_vol: dict[int, list[int]],
    cap: list[int],
    step: int,
    pi: np.ndarray,
    rho: np.ndarray,
    deadline: float,
    clock: Callable[[], float],
    node_limit: int = TABLE_NODES,
    fallback: dict[int, float] | None = None,
) -> tuple[float, dict[int, list[tuple[int, tuple[int, ...]]]]] | None:
    """Sum over volunteers of ``V_j(pi, rho)`` (upper bounds of it where a table search hit
    its node budget) and each volunteer's best week found, as (piece, sequence) pairs.
    ``fallback``: any known upper bound of ``V_j`` at these multipliers (e.g. its term of
    the CG Lagrangian); each volunteer counts the smaller, and once ``clock()`` passes
    ``deadline`` the rest count theirs. Without it, None then (a partial sum bounds
    nothing). Volunteers with the largest fallback go first (most to gain)."""
    total = 0.0
    weeks: dict[int, list[tuple[int, tuple[int, ...]]]] = {}
    order = sorted(by_vol, key=lambda j: -(fallback or {}).get(j, 0.0))
    for n, j in enumerate(order):
        gis = by_vol[j]
        if clock() > deadline:
            if fallback is None:
                return None
            return total + sum(max(0.0, fallback[k]) for k in order[n:]), weeks
        K = max(cap[j], 0) // step
        tabs, seqs = [], []
        for gi in gis:
            g = pieces[gi]
            t, s = price_table(g, -pi[g.vis] - rho[g.rho], cap[j], step, node_limit)
            tabs.append(t)
            seqs.append(s)
        value, chosen = combine(tabs, K)
        value = max(0.0, value)
        total += value if fallback is None else min(value, max(0.0, fallback[j]))
        weeks[j] = [(gi, s[u]) for gi, s, u in zip(gis, seqs, chosen, strict=True) if s[u]]
    return total, weeks


def week_rounds(
    pieces: list[Piece],
    by_vol: dict[int, list[int]],
    cap: list[int],
    served: list[int],
    prio: np.ndarray,
    need: np.ndarray,
    rho_keys: list[tuple[int, int]],
    y_part: Callable[[np.ndarray, np.ndarray], float],
    start: tuple[np.ndarray, np.ndarray],
    fallback: dict[int, float],
    seeds: list[tuple[int, tuple[int, ...]]],
    deadline: float,
    clock: Callable[[], float],
    node_limit: int = TABLE_NODES,
    smoothing: float = 0.5,
    log: Callable[[str], None] | None = None,
) -> float:
    """The smallest ``L_week`` found (``math.inf`` if none was complete): column generation
    over whole weeks of one volunteer (a sequence per piece within the weekly minutes),
    each round priced with ``week_values`` at multipliers smoothed towards the best so far
    (Wentges), starting from ``start`` = (pi, rho), where ``fallback`` bounds each V_j (see
    ``week_values``: that first round always completes). ``seeds`` are (volunteer, visits)
    weeks to start the master with (GLOP, as ``cg_bound``'s). Like ``cg_bound``, every
    complete round is a proven bound; the master only steers the multipliers."""
    step = week_step(pieces)
    s = pywraplp.Solver.CreateSolver("GLOP")
    inf = s.infinity()
    y = {i: s.NumVar(0.0, 1.0, "") for i in served}
    obj = s.Objective()
    vrow = {}
    for i in served:
        obj.SetCoefficient(y[i], float(prio[i]))
        vrow[i] = s.Constraint(0.0, 0.0)
        vrow[i].SetCoefficient(y[i], -float(need[i]))
    obj.SetMaximization()
    jrow = {j: s.Constraint(-inf, 1.0) for j in by_vol}
    prow = {}
    for key in rho_keys:
        prow[key] = s.Constraint(-inf, 0.0)
        prow[key].SetCoefficient(y[key[0]], -1.0)
    pool: set[tuple[int, tuple[int, ...]]] = set()

    def add(j: int, visits: tuple[int, ...]) -> bool:
        key = (j, tuple(sorted(visits)))
        if not visits or key in pool:
            return False
        pool.add(key)
        x = s.NumVar(0.0, inf, "")
        jrow[j].SetCoefficient(x, 1.0)
        for i in set(visits):
            k = float(visits.count(i))  # a week may hold a visit in two pieces (relaxed)
            vrow[i].SetCoefficient(x, k)
            if (i, j) in prow:
                prow[(i, j)].SetCoefficient(x, k)
        return True

    for j, seq in seeds:
        add(j, seq)
    best, center = math.inf, start
    duals, smoothed, rounds = start, True, 0  # ``start`` is not the master's own duals
    while rounds == 0 or clock() < deadline:
        first = fallback if rounds == 0 else None
        got = week_values(pieces, by_vol, cap, step, *duals, deadline, clock, node_limit, first)
        if got is None:
            break  # cut short: bounds nothing
        rounds += 1
        val = y_part(*duals) + got[0]
        if val < best:
            best, center = val, duals
        added = sum(add(j, tuple(i for _, q in week for i in q)) for j, week in got[1].items())
        if added == 0 and not smoothed:
            break  # nothing improves at the master's own duals: converged
        if s.Solve() != pywraplp.Solver.OPTIMAL:
            break
        lp = obj.Value()
        if log is not None:
            log(f"week round {rounds}: {val:.2f} best {best:.2f} lp {lp:.2f} new {added}")
        if math.floor(best + 1e-6) <= math.floor(lp + 1e-6):
            break  # the restricted master (<= any L_week) already reaches the floor
        pi = np.zeros(len(prio))
        for i, c in vrow.items():
            pi[i] = c.dual_value()
        rho = np.array([max(0.0, prow[k].dual_value()) for k in rho_keys] + [0.0])
        # Wentges smoothing towards the best multipliers; after a round that added
        # nothing (a mis-price), the master's own duals.
        a = smoothing if added else 0.0
        smoothed = a > 0
        duals = (a * center[0] + (1 - a) * pi, a * center[1] + (1 - a) * rho)
    return best
