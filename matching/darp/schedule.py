"""Exact feasibility of one dial-a-ride route, and its earliest and latest schedules.

For a fixed order of stops every DARP constraint on the service starts B is a difference
constraint ``B_j - B_i <= c``: travel (B_next >= B_prev + service + distance), time windows
(bounds), ride time (B_delivery - B_pickup <= service_pickup + L) and route duration
(B_end - B_start <= T). Such a system is feasible exactly when it has a least solution,
which is a longest-path problem: sweep the route forward (earliest starts), then raise
each pickup (and the depot departure) that its delivery (the route end) pulls up, and
sweep again from the first raised stop. A feasible system settles within one sweep per
backward constraint plus one (Bellman-Ford); a window overrun or no settling means
infeasible. This is exact, unlike one-pass forward-slack tests, at O(stops) per sweep;
routes here need one to three sweeps.

The latest schedule (greatest solution) is the mirror image. Both bound every feasible
schedule of any route that contains this one's stops in the same order (inserting a stop
only adds constraints, by the triangle inequality), which is what makes them useful as
cheap filters for insertions (:mod:`matching.darp.alns`).
"""

from __future__ import annotations

from dataclasses import dataclass

from matching.darp.instance import DarpInstance

# Raises smaller than this are rounding noise (the checker tolerates 1e-6).
_TOL = 1e-9


@dataclass(frozen=True)
class Timing:
    """Per-vertex data as plain lists: scalar loops in Python are fastest on lists."""

    n: int
    end: int
    early: list[float]
    late: list[float]
    service: list[float]
    load: list[int]
    dist: list[list[float]]
    capacity: int
    ride: float  # L
    duration: float  # T

    @classmethod
    def of(cls, inst: DarpInstance) -> Timing:
        V = inst.vertices
        N = inst.end_depot + 1
        return cls(
            inst.requests,
            inst.end_depot,
            [v.early for v in V],
            [v.late for v in V],
            [v.service for v in V],
            [v.load for v in V],
            [[inst.dist(i, j) for j in range(N)] for i in range(N)],
            inst.capacity,
            inst.max_ride_time,
            inst.max_route_duration,
        )


def rides_of(seq: list[int], tm: Timing) -> list[tuple[int, int, float]] | None:
    """(pickup position, delivery position, service at pickup + L) per request on seq."""
    n, s, L = tm.n, tm.service, tm.ride
    where: dict[int, int] = {}
    out = []
    for x, v in enumerate(seq):
        if 1 <= v <= n:
            where[v] = x
        elif n < v <= 2 * n:
            y = where.get(v - n)
            if y is None:  # delivery without an earlier pickup on this route
                return None
            out.append((y, x, s[v - n] + L))
    if len(out) != len(where):  # pickup without its delivery
        return None
    return out


def capacity_ok(seq: list[int], tm: Timing) -> bool:
    load, q, Q = 0, tm.load, tm.capacity
    for v in seq:
        load += q[v]
        if load > Q:
            return False
    return True


def earliest(
    seq: list[int],
    tm: Timing,
    rides: list[tuple[int, int, float]] | None = None,
    low: list[float] | None = None,
    start: int = 0,
) -> list[float] | None:
    """Least feasible service starts along ``seq`` (depot to depot), or None if infeasible.

    Checks windows, ride times, route duration and pairing/precedence; not capacity
    (see :func:`capacity_ok`; insertions test it beforehand). ``rides`` is
    :func:`rides_of` for ``seq``, passed by callers that already have it.

    ``low`` (taken over, not copied) may give lower bounds on the answer, and ``start``
    a position before which ``low`` already is a consistent forward sweep: after an
    insertion, the old route's earliest starts are such bounds (the new route's least
    schedule is never earlier), which usually saves the sweeps that raise pickups.
    """
    if rides is None:
        rides = rides_of(seq, tm)
        if rides is None:
            return None
    e, late, s, D, T = tm.early, tm.late, tm.service, tm.dist, tm.duration
    k = len(seq)
    if low is None:
        low, start = [e[v] for v in seq], 0
    B = low[:]
    first = start
    for _ in range(len(rides) + 2):
        if first == 0:
            t = low[0]
            if t > late[seq[0]]:
                return None
            B[0] = t
            first = 1
        t = B[first - 1]
        prev = seq[first - 1]
        for x in range(first, k):
            v = seq[x]
            t += s[prev] + D[prev][v]
            if t < low[x]:
                t = low[x]
            if t > late[v]:
                return None
            B[x] = t
            prev = v
        first = k
        for y, x, limit in rides:
            need = B[x] - limit
            if need > B[y] + _TOL:
                low[y] = need
                if y < first:
                    first = y
        need = B[k - 1] - T
        if need > B[0] + _TOL:
            low[0] = need
            first = 0
        if first == k:
            return B
        # Otherwise sweep again from the first raised stop; earlier starts stand.
    return None


def latest(
    seq: list[int], tm: Timing, rides: list[tuple[int, int, float]] | None = None
) -> list[float] | None:
    """Greatest feasible service starts along ``seq``, or None if infeasible."""
    if rides is None:
        rides = rides_of(seq, tm)
        if rides is None:
            return None
    e, late, s, D, T = tm.early, tm.late, tm.service, tm.dist, tm.duration
    k = len(seq)
    high = [late[v] for v in seq]
    B = [0.0] * k
    last = k - 1
    for _ in range(len(rides) + 2):
        if last == k - 1:
            t = high[k - 1]
            if t < e[seq[k - 1]]:
                return None
            B[k - 1] = t
            last = k - 2
        t = B[last + 1]
        nxt = seq[last + 1]
        for x in range(last, -1, -1):
            v = seq[x]
            t -= s[v] + D[v][nxt]
            if t > high[x]:
                t = high[x]
            if t < e[v]:
                return None
            B[x] = t
            nxt = v
        last = -1
        for y, x, limit in rides:
            cap = B[y] + limit
            if cap < B[x] - _TOL:
                high[x] = cap
                if x > last:
                    last = x
        cap = B[0] + T
        if cap < B[k - 1] - _TOL:
            high[k - 1] = cap
            last = k - 1
        if last == -1:
            return B
    return None


def feasible(seq: list[int], tm: Timing) -> bool:
    """Every DARP constraint of one route (``seq`` runs from depot 0 to depot 2n+1)."""
    return (
        len(seq) >= 2
        and seq[0] == 0
        and seq[-1] == tm.end
        and capacity_ok(seq, tm)
        and earliest(seq, tm) is not None
    )
