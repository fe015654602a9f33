"""Pricing for the column-generation bound (``cg_bound``): the pieces and the search.

A piece is the part of one volunteer's availability slot that no fixed visit interrupts;
its columns are feasible visit sequences inside it. ``price`` finds the sequence of a piece
worth most at given per-visit weights (exact branch and bound, or an upper bound of the
optimum when its node budget runs out), which is all the bound needs from a piece.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.common.geo import REL_ERR, Geo, approx_matrix, travel_minutes
from matching.visits.model import VisitProblem
from matching.visits.prune import Pruned

EPS = 1e-7
COLUMNS_PER_PIECE = 3  # improving sequences added per piece and round
NODE_LIMIT = 4000  # branch-and-bound expansions per piece and round (then an upper bound)


@dataclass
class Piece:
    """A part of one volunteer's slot that no fixed visit interrupts."""

    vol: int
    lo: int
    hi: int
    # per copy (a visit with several start ranges in the piece has one copy per range)
    vis: np.ndarray  # visit index
    local: np.ndarray  # local visit id (0..nvis-1), for elementarity
    dur: np.ndarray
    s_lo: np.ndarray  # earliest start (entry travel included)
    s_hi: np.ndarray  # latest start
    close: np.ndarray  # latest end for the LAST visit (exit travel included)
    travel: np.ndarray  # copies x copies, minutes (the checker's)
    rho: np.ndarray | None = None  # per copy: index of its two-volunteer row multiplier


def _travel_lower(problem: VisitProblem, geo: Geo, idx: list[int]) -> np.ndarray:
    """Travel minutes between these visits as the checker counts them (the geodesic,
    rounded up): the cheap distance settles the minute wherever its interval of +-1% (the
    haversine margin, wider than the local approximation's 0.05%, so the bound trusts
    less than ``Geo.travel`` does) rounds to one value; the pairs near a minute boundary
    get the geodesic itself (cached). With an injected distance function, ``Geo.travel``
    for every pair (the same function the checker calls)."""
    n = len(idx)
    pts = [problem.visits[i].point for i in idx]
    if problem.distance_km is not None:
        return np.array(
            [[geo.travel(pts[a], pts[b]) if a != b else 0 for b in range(n)] for a in range(n)],
            dtype=np.int64,
        ).reshape(n, n)
    lat = [problem.visits[i].lat for i in idx]
    lon = [problem.visits[i].lon for i in idx]
    km, err = approx_matrix(lat, lon, lat, lon)

    def minutes(x: np.ndarray) -> np.ndarray:  # ``travel_minutes``, vectorised
        return np.maximum(np.ceil(np.maximum(x, 0.0) * 60.0 / problem.speed_kmh - 1e-9), 0)

    err = np.maximum(err, REL_ERR)
    lo, hi = minutes(km * (1 - err)), minutes(km * (1 + err))
    t = lo.astype(np.int64)
    for a, b in zip(*np.nonzero(lo != hi), strict=True):
        t[a, b] = travel_minutes(geo.km(pts[a], pts[b]), problem.speed_kmh)
    np.fill_diagonal(t, 0)
    return t


def slot_pieces(problem: VisitProblem, pruned: Pruned, geo: Geo, free: set[int]) -> list[Piece]:
    visits, vols = problem.visits, problem.volunteers
    vindex = {u.id: j for j, u in enumerate(vols)}
    pindex = {v.id: i for i, v in enumerate(visits)}
    fixed_of: dict[int, list[tuple[int, int, int]]] = {}
    for f in problem.fixed:
        i = pindex[f.visit]
        for uid in f.volunteers:
            fixed_of.setdefault(vindex[uid], []).append(
                (f.start, f.start + visits[i].duration_min, i)
            )
    # per (volunteer, slot): [(visit, lo, hi)] start ranges
    ranges: dict[tuple[int, tuple[int, int]], list[tuple[int, int, int]]] = {}
    for i in sorted(free):
        for c in pruned.cands[i]:
            for (a, b), slot in zip(c.starts, c.slots, strict=True):
                ranges.setdefault((c.vol, slot), []).append((i, a, b))
    out: list[Piece] = []
    for (j, slot), items in sorted(ranges.items()):
        inside = sorted(
            (s, e, i) for s, e, i in fixed_of.get(j, []) if slot[0] <= s and e <= slot[1]
        )
        # pieces: (lo, hi, fixed visit before or None, fixed visit after or None)
        bounds: list[tuple[int, int, int | None, int | None]] = []
        lo, before = slot[0], None
        for s, e, i in inside:
            bounds.append((lo, s, before, i))
            lo, before = e, i
        bounds.append((lo, slot[1], before, None))
        involved = sorted({i for i, _, _ in items} | {i for _, _, i in inside})
        pos = {i: k for k, i in enumerate(involved)}
        tmat = _travel_lower(problem, geo, involved)
        for lo, hi, before, after in bounds:
            copies = []
            for i, a, b in items:
                d = visits[i].duration_min
                a2 = max(a, lo + (tmat[pos[before], pos[i]] if before is not None else 0))
                b2 = min(b, hi - d)
                close = hi - (tmat[pos[i], pos[after]] if after is not None else 0)
                if a2 <= b2 and a2 + d <= close:
                    copies.append((i, d, a2, b2, close))
            if not copies:
                continue
            vis = np.array([c[0] for c in copies], dtype=np.int64)
            _, local = np.unique(vis, return_inverse=True)
            k = np.array([pos[i] for i in vis.tolist()], dtype=np.int64)
            out.append(
                Piece(
                    j,
                    lo,
                    hi,
                    vis,
                    local.astype(np.int64),
                    np.array([c[1] for c in copies], dtype=np.int64),
                    np.array([c[2] for c in copies], dtype=np.int64),
                    np.array([c[3] for c in copies], dtype=np.int64),
                    np.array([c[4] for c in copies], dtype=np.int64),
                    tmat[np.ix_(k, k)],
                )
            )
    return out


def _frac_knapsack(elig: np.ndarray, w: np.ndarray, d: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Per row: the fractional knapsack optimum over the eligible items (columns already
    sorted by w/d, best first) with capacity ``cap`` (an upper bound of any integer fill)."""
    dd = np.where(elig, d[None, :], 0)
    ww = np.where(elig, w[None, :], 0.0)
    cum_d = np.cumsum(dd, axis=1)
    cum_w = np.cumsum(ww, axis=1)
    capc = np.maximum(cap, 0)[:, None]
    over = cum_d > capc
    n = elig.shape[1]
    first = np.where(over.any(axis=1), over.argmax(axis=1), n)
    rows = np.arange(elig.shape[0])
    before_w = np.where(first > 0, cum_w[rows, np.maximum(first - 1, 0)], 0.0)
    before_d = np.where(first > 0, cum_d[rows, np.maximum(first - 1, 0)], 0)
    fi = np.minimum(first, n - 1)
    frac = np.where(first < n, (capc[:, 0] - before_d) * (w[fi] / np.maximum(d[fi], 1)), 0.0)
    return before_w + np.maximum(frac, 0.0)


# A search node: (bound, last, end, visited bool array, visited int, profit, minutes, path).
Node = tuple[float, int, int, np.ndarray, int, float, int, tuple[int, ...]]


def price(
    piece: Piece,
    weight: np.ndarray,
    cap: int,
    want: float,
    node_limit: int = NODE_LIMIT,
    columns: int = COLUMNS_PER_PIECE,
) -> tuple[float, list[tuple[float, tuple[int, ...]]], float]:
    """Best sequence of ``piece`` by total ``weight`` (per copy) within ``cap`` minutes.

    Returns an upper bound of the optimum (the optimum itself when the search finished
    within ``node_limit`` expansions) and up to ``columns`` sequences (visit
    indices in order) worth more than ``want``. Branch and bound, depth first: the bound
    of a node is its profit plus a fractional knapsack of the visits that could still
    follow it (by time and minutes); a node is dominated by an earlier one with the same
    visits, the same last visit and an earlier end.
    """
    P = np.nonzero(weight > EPS)[0]
    if len(P) == 0 or cap <= 0:
        return 0.0, [], 0.0
    ratio = weight[P] / piece.dur[P]
    P = P[np.argsort(-ratio, kind="stable")]
    w, d = weight[P], piece.dur[P]
    s_lo, s_hi, close = piece.s_lo[P], piece.s_hi[P], piece.close[P]
    loc = piece.local[P]
    T = piece.travel[np.ix_(P, P)]
    n = len(P)
    horizon = piece.hi
    best = 0.0
    found: list[tuple[float, tuple[int, ...]]] = []
    seen: dict[tuple[int, int], int] = {}
    # node: (bound, last, end, visited bool array, visited int, profit, minutes, path)
    room = np.array([min(cap, horizon - piece.lo)])
    root_b = float(_frac_knapsack(np.ones((1, n), bool), w, d, room)[0])
    stack: list[Node] = [(root_b, -1, -(10**9), np.zeros(int(loc.max()) + 1, bool), 0, 0.0, 0, ())]
    expanded = 0
    while stack:
        node = stack.pop()
        bound, last, end, vis, vmask, profit, minutes, path = node
        if bound <= best + EPS:
            continue
        if expanded >= node_limit:
            stack.append(node)
            break
        expanded += 1
        ready = s_lo if last < 0 else np.maximum(s_lo, end + T[last])
        ok = (ready <= s_hi) & ~vis[loc] & (minutes + d <= cap)
        kids = np.nonzero(ok)[0]
        if len(kids) == 0:
            continue
        c_end = ready[kids] + d[kids]
        c_profit = profit + w[kids]
        c_min = minutes + d[kids]
        closable = c_end <= close[kids]
        for k in np.nonzero(closable)[0].tolist():
            val = float(c_profit[k])
            if val > best:
                best = val
                if val > want + EPS:  # an improving sequence: a column worth adding
                    found.append((val, (*path, int(kids[k]))))
        # who may follow each child: unvisited, another visit, reachable in time
        elig = (
            ~vis[loc][None, :]
            & (loc[None, :] != loc[kids][:, None])
            & (c_end[:, None] + T[kids] <= s_hi[None, :])
        )
        capk = np.minimum(cap - c_min, horizon - c_end)
        c_bound = c_profit + _frac_knapsack(elig, w, d, capk)
        order = np.argsort(c_bound, kind="stable")  # best bound popped first
        for k in order.tolist():
            b = float(c_bound[k])
            if b <= best + EPS:
                continue
            kid = int(kids[k])
            key = (vmask | (1 << int(loc[kid])), int(loc[kid]))
            e = int(c_end[k])
            if seen.get(key, 1 << 40) <= e:
                continue
            seen[key] = e
            v2 = vis.copy()
            v2[loc[kid]] = True
            stack.append((b, kid, e, v2, key[0], float(c_profit[k]), int(c_min[k]), (*path, kid)))
    # + EPS: nodes within EPS of the best were pruned too, so the bound stays an upper one.
    ub = max([best] + [s[0] for s in stack]) + EPS
    cols: list[tuple[float, tuple[int, ...]]] = []
    keys: set[frozenset[int]] = set()
    for val, path in reversed(found):
        seq = tuple(int(piece.vis[P[k]]) for k in path)
        members = frozenset(seq)
        if members not in keys:
            keys.add(members)
            cols.append((val, seq))
        if len(cols) >= columns:
            break
    return ub, cols, best
