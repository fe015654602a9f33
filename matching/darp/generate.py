"""Deterministic dial-a-ride instances with a planted plan that serves every request.

In the spirit of Cordeau's (2006) "a" set (a 20 x 20 square with the depot at its
centre, service time 3, capacity 3, windows of 15 minutes, half the requests with the
window at the delivery and half at the pickup, Euclidean travel), but larger and built
the other way round, so that a complete plan is known to exist:

1. every vehicle gets about n/m requests and drives them as groups of 1 to Q picked up one
   after the other and then dropped off in a random order (shared rides), with idle time
   spread between groups so that the day is filled;
2. deliveries are drawn no farther than ``reach`` x L from their pickup, and a group is
   redrawn until every ride in it is within L (so the ride limit binds: shared rides
   ride close to it);
3. each request's window (15 minutes, whole numbers) is placed around the planted start at
   its delivery (outbound) or its pickup (inbound); the other end gets [0, 2 x horizon].

The planted plan is returned with the instance: it passes ``check_solution``, so a solver
that leaves a request out on these instances has fallen short, and its cost is an upper
bound to compare with. Same arguments, same instance, on every machine.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass

from matching.darp.instance import DarpInstance, Vertex
from matching.darp.solution import DarpSolution, Route, Stop


@dataclass(frozen=True)
class Spec:
    """What to generate; ``name`` defaults to g<m>-<n>[-L<ride>]."""

    vehicles: int
    requests: int
    seed: int = 0
    ride: float = 30.0  # L
    horizon: float = 720.0  # T, and the depot's window
    capacity: int = 3
    service: float = 3.0
    window: int = 15
    reach: float = 0.7  # a delivery lies within reach * L of its pickup
    half_side: float = 10.0

    @property
    def name(self) -> str:
        base = f"g{self.vehicles}-{self.requests}"
        return base if self.ride == 30.0 else f"{base}-L{self.ride:g}"


def _point(rng: random.Random, h: float) -> tuple[float, float]:
    return round(rng.uniform(-h, h), 3), round(rng.uniform(-h, h), 3)


def _near(rng: random.Random, p: tuple[float, float], r: float, h: float) -> tuple[float, float]:
    """A point of the square within distance r of p (rejection sampling)."""
    while True:
        q = _point(rng, h)
        if math.dist(p, q) <= r:
            return q


def _group(
    rng: random.Random, spec: Spec, size: int, at: tuple[float, float]
) -> tuple[list[tuple[int, tuple[float, float]]], float]:
    """Stops (request j of the group as +j at its pickup, -j at its delivery) and the time
    the group takes from ``at``; redrawn until every ride is within L, one passenger fewer
    after every 100 draws (a single ride is always within L)."""
    s, L, h = spec.service, spec.ride, spec.half_side
    for attempt in itertools.count():
        size = max(1, size - (attempt > 0 and attempt % 100 == 0))
        picks = [_point(rng, h) for _ in range(size)]
        drops = [_near(rng, p, spec.reach * L, h) for p in picks]
        order = list(range(size))
        rng.shuffle(order)
        stops = [(j + 1, picks[j]) for j in range(size)] + [(-(j + 1), drops[j]) for j in order]
        t, here = 0.0, at
        left: dict[int, float] = {}
        for tag, place in stops:
            t += math.dist(here, place)
            if tag < 0 and t - left[-tag] > L:
                break
            left[tag] = t + s  # pickups: end of service; deliveries unused
            t += s
            here = place
        else:
            return stops, t
    raise AssertionError("unreachable")


def generate(spec: Spec) -> tuple[DarpInstance, DarpSolution]:
    """The instance and its planted plan (feasible, serves every request)."""
    rng = random.Random(f"darp-{spec.seed}-{spec.vehicles}-{spec.requests}-{spec.ride}")
    m, n, s = spec.vehicles, spec.requests, spec.service
    depot = (0.0, 0.0)
    places: list[tuple[tuple[float, float], tuple[float, float]]] = []  # per request
    driven: list[list[list[tuple[int, bool]]]] = []  # vehicle -> groups -> (request, pickup)
    for k in range(m):
        groups, left, here = [], n // m + (k < n % m), depot
        while left:
            size = min(left, spec.capacity, rng.choice((1, 2, 2, 3, 3)))
            drawn, _ = _group(rng, spec, size, here)
            size = len(drawn) // 2
            first = len(places)
            pairs = dict(drawn)
            places += [(pairs[j], pairs[-j]) for j in range(1, size + 1)]
            groups.append([(first + abs(tag) - 1, tag > 0) for tag, _ in drawn])
            here, left = drawn[-1][1], left - size
        driven.append(groups)
    ids = list(range(1, n + 1))
    rng.shuffle(ids)  # request numbers say nothing of the planted routes
    xy = [depot] * (2 * n + 2)
    for r, (p, d) in enumerate(places):
        xy[ids[r]], xy[ids[r] + n] = p, d
    end = 2 * n + 1

    def leg(u: int, v: int) -> float:  # service at u, then travel to v
        return (s if u not in (0, end) else 0.0) + math.dist(xy[u], xy[v])

    times: dict[int, float] = {}
    routes = []
    for k, groups in enumerate(driven):
        seq = [0] + [ids[r] + (0 if up else n) for g in groups for r, up in g] + [end]
        busy = sum(leg(u, v) for u, v in itertools.pairwise(seq))
        cuts = sorted(rng.uniform(0, max(0.0, spec.horizon - busy - 1.0)) for _ in groups)
        gaps = [b - a for a, b in zip([0.0, *cuts], cuts, strict=False)]
        # Idle before each group's first stop (the car is empty then); before the first
        # group, at the depot, so that the car leaves just in time.
        idle = {1 + sum(len(g) for g in groups[:i]): gap for i, gap in enumerate(gaps) if i}
        t = gaps[0] if gaps else 0.0
        stops = []
        for pos, v in enumerate(seq):
            if pos:
                t += leg(seq[pos - 1], v) + idle.get(pos, 0.0)
            stops.append(Stop(v, t))
            times[v] = t
        routes.append(Route(k, tuple(stops)))
    outbound = set(rng.sample(range(1, n + 1), n // 2))  # window at the delivery
    windows: dict[int, tuple[float, float]] = {}
    for i in range(1, n + 1):
        tight = i + n if i in outbound else i
        e = float(max(0, math.floor(times[tight] - rng.uniform(0, spec.window - 1))))
        windows[tight] = (e, e + spec.window)
    wide = (0.0, 2 * spec.horizon)
    vertices = [Vertex(0, 0.0, 0.0, 0.0, 0, 0.0, spec.horizon)]
    for v in range(1, 2 * n + 1):
        e, late = windows.get(v, wide)
        vertices.append(Vertex(v, xy[v][0], xy[v][1], s, 1 if v <= n else -1, e, late))
    vertices.append(Vertex(end, 0.0, 0.0, 0.0, 0, 0.0, spec.horizon))
    inst = DarpInstance(spec.name, m, n, spec.horizon, spec.capacity, spec.ride, tuple(vertices))
    legs = (itertools.pairwise(r.stops) for r in routes)
    cost = sum(inst.dist(a.vertex, b.vertex) for pairs in legs for a, b in pairs)
    return inst, DarpSolution(inst.name, cost, tuple(routes), ())
