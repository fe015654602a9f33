"""A tighter Lagrangian bound for ``matching.cg_bound``: each volunteer's weekly minutes kept.

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
from functools import reduce

import numpy as np

from matching.cg_pricing import EPS, _Piece

TABLE_NODES = 20_000  # branch-and-bound expansions per piece table (then upper bounds)


def week_step(pieces: list[_Piece]) -> int:
    """The budget unit: gcd of every duration (any visit minutes total is a multiple)."""
    durs = {int(d) for g in pieces for d in g.dur.tolist()}
    return reduce(math.gcd, durs, 0) or 1


def price_table(
    piece: _Piece, weight: np.ndarray, cap: int, step: int, node_limit: int = TABLE_NODES
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

    def curves(elig: np.ndarray, profit: np.ndarray, minutes: np.ndarray, end: np.ndarray):
        # Per row (node) and budget: its profit plus the fractional knapsack of its
        # eligible visits (ratio order) with room min(budget - minutes, piece end - end);
        # -inf at budgets below its minutes (it cannot be there).
        before = np.cumsum(np.where(elig, d, 0), axis=1) - d  # eligible minutes ahead of each
        room = np.minimum(budgets[None, :] - minutes[:, None], (piece.hi - end)[:, None])
        part = np.clip((room[:, None, :] - before[:, :, None]) / d[None, :, None], 0.0, 1.0)
        out = profit[:, None] + np.einsum("mn,mnk->mk", np.where(elig, w, 0.0), part)
        return np.where(budgets[None, :] >= minutes[:, None], out, -np.inf)

    root = curves(np.ones((1, n), bool), np.zeros(1), np.zeros(1), np.array([piece.lo]))[0]
    stack = [(root, -1, -(10**9), np.zeros(int(loc.max()) + 1, bool), 0, 0.0, 0, ())]
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
        pushes = [
            (float(b.max()), k, b)
            for k, b in enumerate(bounds)
            if (b > table + EPS).any()
        ]
        pushes.sort(key=lambda t: t[0])  # best bound popped first
        for _, k, b in pushes:
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
    for node in stack:  # open nodes: their bound covers every completion (+ EPS: pruned ties)
        ub = np.maximum(ub, node[0])
    return ub + EPS * (len(stack) > 0), best_seq


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
    for t, pick in zip(reversed(tables), reversed(picks), strict=True):
        u = int(pick[b])
        chosen.append(u)
        b -= u
    return float(dp[K]), chosen[::-1]


def week_values(
    pieces: list[_Piece],
    by_vol: dict[int, list[int]],
    cap: list[int],
    step: int,
    pi: np.ndarray,
    rho: np.ndarray,
    deadline: float,
    clock,
    node_limit: int = TABLE_NODES,
) -> tuple[float, dict[int, list[tuple[int, tuple[int, ...]]]]] | None:
    """Sum over volunteers of ``V_j(pi, rho)`` (upper bounds of it where a table search hit
    its node budget) and each volunteer's best week found, as (piece, sequence) pairs; None
    if ``clock()`` passed ``deadline`` first (a partial sum bounds nothing)."""
    total, weeks = 0.0, {}
    for j, gis in by_vol.items():
        if clock() > deadline:
            return None
        K = max(cap[j], 0) // step
        tabs, seqs = [], []
        for gi in gis:
            g = pieces[gi]
            t, s = price_table(g, -pi[g.vis] - rho[g.rho], cap[j], step, node_limit)
            tabs.append(t)
            seqs.append(s)
        value, chosen = combine(tabs, K)
        total += max(0.0, value)
        weeks[j] = [(gi, s[u]) for gi, s, u in zip(gis, seqs, chosen, strict=True) if s[u]]
    return total, weeks
