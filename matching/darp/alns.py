"""Native ruin-and-recreate for the dial-a-ride problem (SISR-style, in Python + numpy).

Why: an OR-Tools repair costs 0.3-3 s on the larger Cordeau instances; one move here
(remove 2-15 requests, reinsert each at its cheapest feasible place) costs milliseconds.

- Ruin (Christiaens and Vanden Berghe's SISR, adapted to pickup-delivery pairs): remove
  strings of consecutive stops from a few routes near a random seed request, with their
  partner stops; sometimes related requests (Shaw: place and time) or random ones.
- Recreate: requests in a random order (or by window, or by distance from the depot),
  each at the cheapest feasible position over all routes, skipping a candidate now and
  then ("blinks") for diversity. Candidates are screened with numpy (windows against the
  route's earliest and latest schedules, capacity, a ride-time bound), then tried
  cheapest first with the exact route test (:func:`matching.darp.schedule.earliest`).
- Acceptance: simulated annealing, temperature falling geometrically over the time (or
  move) budget. Requests that fit nowhere stay unserved at a penalty above any cost.
"""

from __future__ import annotations

import math
import random
import time
from typing import Any, TypeVar

import numpy as np

from matching.darp.instance import DarpInstance
from matching.darp.schedule import Timing, capacity_ok, earliest, latest, rides_of
from matching.darp.solution import DarpSolution, Route, Stop

T = TypeVar("T")


class _Problem:
    """Instance data shaped for the insertion screens (numpy) and exact tests (lists)."""

    def __init__(self, inst: DarpInstance):
        self.inst = inst
        self.tm = Timing.of(inst)
        self.n, self.end, self.m = inst.requests, inst.end_depot, inst.vehicles
        self.D = np.array(self.tm.dist)
        self.service = np.array(self.tm.service)
        self.load = np.array(self.tm.load)
        self.penalty = 10.0 * (float(self.D.max()) * (self.end + 1) + 1.0)
        self.related = _related(inst, self.tm)
        self._upper: dict[int, np.ndarray] = {}

    def upper(self, g: int) -> np.ndarray:
        """Strictly upper-triangular boolean mask (pickup gap < delivery gap)."""
        u = self._upper.get(g)
        if u is None:
            u = self._upper[g] = np.triu(np.ones((g, g), dtype=bool), 1)
        return u


class _RouteView:
    """One route plus the arrays the insertion screens need (rebuilt when it changes)."""

    __slots__ = ("seq", "cost", "a", "b", "dab", "dep", "lt1", "loads", "early")

    def __init__(
        self,
        pb: _Problem,
        seq: list[int],
        early: list[float] | None = None,
        rides: list[tuple[int, int, float]] | None = None,
    ) -> None:
        self.seq = seq
        if rides is None:
            rides = rides_of(seq, pb.tm)
        if early is None:
            early = earliest(seq, pb.tm, rides)
            assert early is not None, "route must be feasible"
        late = latest(seq, pb.tm, rides)
        assert late is not None
        self.early = early
        a = np.array(seq[:-1])
        b = np.array(seq[1:])
        self.a, self.b = a, b
        self.dab = pb.D[a, b]
        self.cost = float(self.dab.sum())
        self.dep = np.array(early[:-1]) + pb.service[a]  # earliest departure from stop g
        self.lt1 = np.array(late[1:])  # latest start at the stop after gap g
        self.loads = np.cumsum(pb.load[a])  # on board when leaving stop g


def _related(inst: DarpInstance, tm: Timing) -> list[list[int]]:
    """For each request, the other requests closest in place and time (Shaw relatedness)."""
    n = inst.requests
    if n < 2:
        return [[] for _ in range(n + 1)]
    V = inst.vertices
    P = np.array([[V[i].x, V[i].y] for i in range(1, n + 1)])
    Dv = np.array([[V[i + n].x, V[i + n].y] for i in range(1, n + 1)])
    ep = np.array(
        [max(V[i].early, V[i + n].early - tm.ride - V[i].service) for i in range(1, n + 1)]
    )
    ed = np.array([max(V[i + n].early, V[i].early) for i in range(1, n + 1)])
    space = np.hypot(*(P[:, None, :] - P[None, :, :]).transpose(2, 0, 1))
    space += np.hypot(*(Dv[:, None, :] - Dv[None, :, :]).transpose(2, 0, 1))
    when = np.abs(ep[:, None] - ep[None, :]) + np.abs(ed[:, None] - ed[None, :])
    score = space + when
    np.fill_diagonal(score, np.inf)
    order = np.argsort(score, axis=1)[:, : n - 1] + 1
    return [[]] + [row.tolist() for row in order]


def _with_request(seq: list[T], p: T, d: T, g: int, h: int) -> list[T]:
    """``seq`` (stops, or their times) with p right after position g and d after h."""
    return seq[: g + 1] + [p] + seq[g + 1 : h + 1] + [d] + seq[h + 1 :]


class _State:
    """A plan: route views, unserved requests, and the views' arrays stacked row by row
    (one row per route, padded to a common width) so that one request is screened
    against every route in a handful of numpy calls instead of a handful per route."""

    _FIELDS = ("a", "b", "dab", "dep", "lt1", "loads")
    # Padding that fails every screen: no departure, no room.
    _PAD = {"a": 0, "b": 0, "dab": 0.0, "dep": np.inf, "lt1": -np.inf, "loads": 1 << 20}

    def __init__(self, pb: _Problem, seqs: list[list[int]]):
        self.pb = pb
        self.routes = [_RouteView(pb, s) for s in seqs]
        served = {v for s in seqs for v in s if 1 <= v <= pb.n}
        self.unserved = {i for i in range(1, pb.n + 1) if i not in served}
        self._stack(max(len(r.a) for r in self.routes) + 8)

    def _stack(self, width: int) -> None:
        m = len(self.routes)
        self.width = width
        self.arr = {}
        for f in self._FIELDS:
            pad = self._PAD[f]
            dtype = np.int64 if f in ("a", "b", "loads") else np.float64
            self.arr[f] = np.full((m, width), pad, dtype=dtype)
        for k in range(m):
            self._row(k)

    def _row(self, k: int) -> None:
        rv = self.routes[k]
        G = len(rv.a)
        if self.width < G:
            self._stack(G + 8)
            return
        for f in self._FIELDS:
            row = self.arr[f][k]
            row[:G] = getattr(rv, f)
            row[G:] = self._PAD[f]

    def _set(self, k: int, rv: _RouteView) -> None:
        self.routes[k] = rv
        self._row(k)

    def copy(self) -> _State:
        new = object.__new__(_State)
        new.pb = self.pb
        new.routes = list(self.routes)  # views are replaced, never mutated
        new.unserved = set(self.unserved)
        new.width = self.width
        new.arr = {f: a.copy() for f, a in self.arr.items()}
        return new

    def cost(self) -> float:
        return sum(r.cost for r in self.routes)

    def objective(self) -> float:
        return self.cost() + self.pb.penalty * len(self.unserved)

    def where(self) -> dict[int, int]:
        """Route index of every served pickup."""
        n = self.pb.n
        return {v: k for k, r in enumerate(self.routes) for v in r.seq if 1 <= v <= n}

    def remove(self, requests: set[int]) -> None:
        n = self.pb.n
        gone = requests | {r + n for r in requests}
        for k, r in enumerate(self.routes):
            keep = [v for v in r.seq if v not in gone]
            if len(keep) != len(r.seq):
                self._set(k, _RouteView(self.pb, keep))
        self.unserved |= requests

    def candidates(self, p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """(costs, routes, pickup gaps, delivery gaps) of insertions passing the screens.

        Gap g means "right after stop g". Every screen is a necessary condition (adding
        stops never makes the rest of a route earlier or roomier), so no feasible
        insertion is lost; the exact test comes after.
        """
        pb, A = self.pb, self.arr
        tm = pb.tm
        d = p + pb.n
        a, b, dab = A["a"], A["b"], A["dab"]
        rp, rd = pb.D[p], pb.D[d]
        sp, sd, L = tm.service[p], tm.service[d], tm.ride
        rpa, rpb = rp[a], rp[b]
        arr_p = np.maximum(tm.early[p], A["dep"] + rpa)
        lat_p = np.minimum(tm.late[p], A["lt1"] - sp - rpb)
        ok_p = arr_p <= lat_p
        ks, gs = np.nonzero(ok_p)
        if not len(ks):
            return None
        rda, rdb = rd[a], rd[b]
        arr_d = np.maximum(tm.early[d], A["dep"] + rda)
        lat_d = np.minimum(tm.late[d], A["lt1"] - sd - rdb)
        ok_d = arr_d <= lat_d
        room = A["loads"] + tm.load[p] <= tm.capacity
        W = self.width
        cols = np.arange(W)
        # Pickup in gap g, delivery in a later gap h of the same route: every stop from g
        # to h carries one more passenger, and the ride cannot be shorter than the gap
        # between the pickup's latest and the delivery's earliest start.
        over = np.where(room, W, cols[None, :])
        next_over = np.minimum.accumulate(over[:, ::-1], axis=1)[:, ::-1]
        M = ok_d[ks] & (cols[None, :] > gs[:, None]) & (cols[None, :] < next_over[ks, gs][:, None])
        M &= arr_d[ks] - (lat_p[ks, gs] + sp)[:, None] <= L
        rows, hs = np.nonzero(M)
        k2, g2 = ks[rows], gs[rows]
        cp = rpa + rpb - dab
        cd = rda + rdb - dab
        costs = cp[k2, g2] + cd[k2, hs]
        # Both in the same gap: stop g, pickup, delivery, stop g+1.
        dpd = rp[d]
        ap, rdb_s, lt1_s = arr_p[ks, gs], rdb[ks, gs], A["lt1"][ks, gs]
        arr_pd = np.maximum(tm.early[d], ap + sp + dpd)
        ok_adj = room[ks, gs] & (arr_pd <= tm.late[d]) & (arr_pd + sd + rdb_s <= lt1_s)
        k1, g1 = ks[ok_adj], gs[ok_adj]
        costs = np.concatenate((costs, rpa[k1, g1] + dpd + rdb[k1, g1] - dab[k1, g1]))
        return (
            costs,
            np.concatenate((k2, k1)),
            np.concatenate((g2, g1)),
            np.concatenate((hs, g1)),
        )

    def insert(self, p: int, rng: random.Random, blink: float) -> bool:
        """Put request p at its cheapest feasible position; False if it fits nowhere."""
        c = self.candidates(p)
        if c is None or not len(c[0]):
            return False
        costs, ks, gs, hs = c
        pb = self.pb
        tm, d = pb.tm, p + pb.n
        for i in np.argsort(costs, kind="stable").tolist():
            if blink and rng.random() < blink:
                continue
            k, g, h = int(ks[i]), int(gs[i]), int(hs[i])
            rv = self.routes[k]
            seq = _with_request(rv.seq, p, d, g, h)
            if not capacity_ok(seq, tm):
                continue
            low = _with_request(rv.early, tm.early[p], tm.early[d], g, h)
            rides = rides_of(seq, tm)
            early = earliest(seq, tm, rides, low, g + 1)
            if early is not None:
                self._set(k, _RouteView(pb, seq, early, rides))
                self.unserved.discard(p)
                return True
        return False


def _ruin(st: _State, rng: random.Random, size: int) -> set[int]:
    """Requests to remove: SISR strings near a seed, or Shaw-related, or random."""
    pb = st.pb
    n = pb.n
    served = [i for i in range(1, n + 1) if i not in st.unserved]
    if not served:
        return set()
    size = min(size, len(served))
    kind = rng.random()
    if kind < 0.1:
        return set(rng.sample(served, size))
    seed = rng.choice(served)
    if kind < 0.3:  # Shaw: related requests, biased to the closest
        removed = {seed}
        related = [j for j in pb.related[seed] if j not in st.unserved]
        while len(removed) < size and related:
            j = related.pop(int(len(related) * rng.random() ** 3))
            removed.add(j)
        return removed
    # SISR strings: walk the seed's neighbours; from each new route, cut a string of
    # consecutive stops around the neighbour (and take their partners along).
    where = st.where()
    removed = set()
    ruined: set[int] = set()
    for j in [seed] + pb.related[seed]:
        if len(removed) >= size:
            break
        k = where.get(j)
        if k is None or k in ruined:
            continue
        ruined.add(k)
        seq = st.routes[k].seq
        inner = len(seq) - 2
        want = min(inner, rng.randint(1, 2 * max(1, size - len(removed))))
        pos = seq.index(j)
        lo = max(1, min(pos - rng.randint(0, want - 1), len(seq) - 1 - want))
        for v in seq[lo : lo + want]:
            removed.add(v if v <= n else v - n)
    return removed


def _order(pb: _Problem, rng: random.Random, requests: list[int]) -> list[int]:
    """SISR's insertion orders, with time windows standing in for demand."""
    kind = rng.random()
    V = pb.inst.vertices
    if kind < 0.4:
        rng.shuffle(requests)
    elif kind < 0.7:  # earliest pickup window first
        requests.sort(key=lambda r: V[r].early + V[r + pb.n].early)
    elif kind < 0.85:  # far from the depot first
        requests.sort(key=lambda r: -pb.D[0, r] - pb.D[0, r + pb.n])
    else:  # close to the depot first
        requests.sort(key=lambda r: pb.D[0, r] + pb.D[0, r + pb.n])
    return requests


def _solution(pb: _Problem, st: _State) -> DarpSolution:
    routes = []
    for k, rv in enumerate(st.routes):
        times = list(rv.early)
        if len(rv.seq) > 2:
            # Leave the depot just in time for the first stop (the earliest schedule may
            # leave long before): any later departure up to this one stays feasible.
            times[0] = max(times[0], times[1] - pb.tm.service[0] - pb.tm.dist[0][rv.seq[1]])
        routes.append(Route(k, tuple(Stop(v, t) for v, t in zip(rv.seq, times, strict=True))))
    cost = sum(r.cost for r in st.routes)
    return DarpSolution(pb.inst.name, cost, tuple(routes), tuple(sorted(st.unserved)))


def improve(
    inst: DarpInstance,
    start_routes: list[list[int]] | None,
    deadline: float,
    rng: random.Random,
    *,
    max_removed: int = 15,
    t_start: float = 0.5,
    t_end: float = 0.01,
    blink: float = 0.01,
    max_iterations: int | None = None,
    stats: dict[str, Any] | None = None,
) -> DarpSolution:
    """Ruin-and-recreate from ``start_routes`` (stops without depots) until ``deadline``,
    or until ``max_iterations`` moves if that comes first.

    With ``max_iterations`` the temperature follows the moves made instead of the clock,
    so a run that ends by its move count repeats exactly for a given ``rng`` seed.

    Routes that are not feasible under the exact test are dropped (their requests are
    reinserted); with ``start_routes=None`` it builds a plan by insertion alone.
    ``t_start``/``t_end`` are annealing temperatures in units of the mean arc length of
    the start plan.
    """
    pb = _Problem(inst)
    tm = pb.tm
    seqs = []
    for k in range(inst.vehicles):
        stops = list(start_routes[k]) if start_routes and k < len(start_routes) else []
        seq = [0, *stops, pb.end]
        if not (capacity_ok(seq, tm) and earliest(seq, tm) is not None):
            seq = [0, pb.end]
        seqs.append(seq)
    cur = _State(pb, seqs)
    for p in _order(pb, rng, sorted(cur.unserved)):
        cur.insert(p, rng, 0.0)
    best, best_obj = cur, cur.objective()
    cur_obj = best_obj
    began = time.monotonic()
    span = max(1e-3, deadline - began)
    arc = max(1e-9, cur.cost() / max(1, 2 * (pb.n - len(cur.unserved)) + inst.vehicles))
    hot, cold = t_start * arc, t_end * arc
    iterations = accepted = 0
    best_at = began
    while (now := time.monotonic()) < deadline:
        if max_iterations is not None and iterations >= max_iterations:
            break
        progress = (now - began) / span if max_iterations is None else iterations / max_iterations
        temp = hot * (cold / hot) ** progress
        st = cur.copy()
        size = rng.randint(2, max(2, min(max_removed, pb.n // 2)))
        removed = _ruin(st, rng, size)
        st.remove(removed)
        for p in _order(pb, rng, sorted(st.unserved)):
            st.insert(p, rng, blink)
        obj = st.objective()
        iterations += 1
        # Threshold acceptance with a random threshold -T ln U (SISR's annealing form).
        if obj < cur_obj - temp * math.log(1.0 - rng.random()):
            cur, cur_obj = st, obj
            accepted += 1
            if obj < best_obj - 1e-9:
                best, best_obj, best_at = st, obj, now
    if stats is not None:
        stats["alns_iterations"] = stats.get("alns_iterations", 0) + iterations
        stats["alns_accepted"] = stats.get("alns_accepted", 0) + accepted
        stats["alns_last_improvement_s"] = round(best_at - began, 2)
        stats["alns_seconds"] = round(time.monotonic() - began, 2)
    return _solution(pb, best)
