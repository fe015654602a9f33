"""Improvement on top of the OR-Tools model: ruin-and-recreate and route decomposition.

- :func:`ruin_and_recreate`: remove a few related requests (Shaw relatedness: place and
  time; sometimes at random), let OR-Tools reinsert them and descend to a local optimum,
  accept if within a shrinking random threshold of the current cost.
- :func:`decompose`: for instances with many vehicles, repeatedly pick a few related
  routes, cut them out as a small instance of their own (same depot, limits and windows),
  improve it with ruin-and-recreate for a short time and put it back if it got cheaper.
  OR-Tools is much stronger on 2-3 vehicle instances than on 8-vehicle ones, and each
  repair is far cheaper on a small model.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from dataclasses import replace
from typing import Any

from matching.darp.instance import DarpInstance
from matching.darp.routing import (
    SCALE,
    build_model,
    extract,
    routes_of,
    search_params,
    tightened_windows,
)
from matching.darp.solution import DarpSolution, Route, Stop


def ruin_and_recreate(
    inst: DarpInstance,
    start_routes: list[list[int]] | None,
    deadline: float,
    rng: random.Random,
    *,
    init_budget: float = 0.0,
    max_removed: int = 10,
    temperature: float = 0.02,
    random_share: float = 1 / 3,
    stats: dict[str, Any] | None = None,
) -> DarpSolution | None:
    """Improve from ``start_routes`` (or from a GLS run of ``init_budget`` s) until ``deadline``."""
    began = time.monotonic()
    best = None
    if start_routes is None:
        manager, routing, tdim, _keep = build_model(inst)
        budget = init_budget or max(0.1, (deadline - began) / 5)
        first = routing.SolveWithParameters(search_params(budget))
        if first is None:
            return None
        best = extract(inst, manager, routing, tdim, first)
        start_routes = routes_of(routing, manager, first, inst.vehicles)
    # Repairs run on a second model closed with a lighter operator set: about twice as
    # many repairs per second for nearly the same result (measured on a7-70).
    manager, routing, tdim, _keep = build_model(inst)
    routing.CloseModelWithParameters(search_params(1.0, meta="GREEDY_DESCENT", light=True))
    next_vars = [routing.NextVar(i) for i in range(routing.Size())]
    start = routing.solver().Assignment()
    start.Add(next_vars)
    assignment = None
    if routing.RoutesToAssignment(start_routes, True, False, start):
        params = search_params(max(0.05, deadline - time.monotonic()), meta="GREEDY_DESCENT")
        assignment = routing.SolveFromAssignmentWithParameters(start, params)
    if assignment is None:
        return best
    if best is None or assignment.ObjectiveValue() <= _objective(best):
        best = extract(inst, manager, routing, tdim, assignment)
    n = inst.requests
    if n < 2:
        return best
    related = _related(inst)
    cur = routes_of(routing, manager, assignment, inst.vehicles)
    cur_obj = best_obj = assignment.ObjectiveValue()
    if _objective(best) < best_obj:  # the first plan stays best until beaten
        best_obj = _objective(best)
    span = max(1e-3, deadline - began)
    while (remaining := deadline - time.monotonic()) > 0.02:
        served = {v for route in cur for v in route}
        missing = [i for i in range(1, n + 1) if i not in served]
        # While a request is unserved, clear room around it (two-phase in spirit: the
        # penalty makes serving it worth more than any distance saved).
        start_at = rng.choice(missing) if missing else None
        removed = _ruin(rng, related, n, max_removed, random_share, start_at)
        gone = removed | {r + n for r in removed}
        partial = [[v for v in route if v not in gone] for route in cur]
        start = routing.solver().Assignment()
        start.Add(next_vars)
        if not routing.RoutesToAssignment(partial, True, False, start):
            continue
        found = routing.SolveFromAssignmentWithParameters(
            start, search_params(remaining, meta="GREEDY_DESCENT")
        )
        if stats is not None:
            stats["iterations"] = stats.get("iterations", 0) + 1
        if found is None:
            continue
        obj = found.ObjectiveValue()
        threshold = temperature * (1 - (time.monotonic() - began) / span)
        if obj < cur_obj or obj < cur_obj * (1 + threshold * rng.random()):
            cur, cur_obj = routes_of(routing, manager, found, inst.vehicles), obj
            if obj < best_obj:
                best, best_obj = extract(inst, manager, routing, tdim, found), obj
    return best


def _objective(sol: DarpSolution) -> float:
    """Scaled cost as OR-Tools counts it, for comparisons with ObjectiveValue()."""
    return math.inf if sol.unserved else sol.cost * SCALE


def _related(inst: DarpInstance) -> list[list[int]]:
    """For each request, the other requests by Shaw relatedness (closest first)."""
    n, scale = inst.requests, SCALE
    N = inst.end_depot + 1
    travel = [[math.ceil(inst.dist(i, j) * scale - 1e-9) for j in range(N)] for i in range(N)]
    win = tightened_windows(inst, travel)
    rel: list[list[int]] = [[]]
    for i in range(1, n + 1):

        def score(j: int, i: int = i) -> float:
            space = inst.dist(i, j) + inst.dist(i + n, j + n)
            when = (abs(win[i][0] - win[j][0]) + abs(win[i + n][0] - win[j + n][0])) / scale
            return space + when

        rel.append(sorted((j for j in range(1, n + 1) if j != i), key=score))
    return rel


def _ruin(
    rng: random.Random,
    related: list[list[int]],
    n: int,
    max_removed: int,
    random_share: float,
    start_at: int | None = None,
) -> set[int]:
    q = rng.randint(1, max(1, min(max_removed, n // 2)))
    if start_at is None and rng.random() < random_share:
        return set(rng.sample(range(1, n + 1), q))
    removed = [start_at or rng.randint(1, n)]
    while len(removed) < q:
        base = rng.choice(removed)
        pool = [j for j in related[base] if j not in removed]
        removed.append(pool[int(len(pool) * rng.random() ** 4)])
    return set(removed)


def sub_instance(inst: DarpInstance, requests: list[int], vehicles: int) -> DarpInstance:
    """The instance restricted to ``requests`` (renumbered 1..k) and ``vehicles`` vehicles."""
    n, k, V = inst.requests, len(requests), inst.vertices
    verts = [V[0]]
    verts += [replace(V[r], id=j + 1) for j, r in enumerate(requests)]
    verts += [replace(V[r + n], id=k + j + 1) for j, r in enumerate(requests)]
    verts.append(replace(V[inst.end_depot], id=2 * k + 1))
    return replace(
        inst, name=f"{inst.name}-sub", vehicles=vehicles, requests=k, vertices=tuple(verts)
    )


def _route_cost(inst: DarpInstance, route: Route) -> float:
    return sum(inst.dist(a.vertex, b.vertex) for a, b in itertools.pairwise(route.stops))


def _closeness(inst: DarpInstance, a: Route, b: Route) -> float:
    """Mean over a's stops of the nearest of b's stops, in distance plus time apart."""
    sa = [s for s in a.stops[1:-1]] or list(a.stops)
    sb = [s for s in b.stops[1:-1]] or list(b.stops)
    total = 0.0
    for s in sa:
        total += min(inst.dist(s.vertex, t.vertex) + abs(s.start - t.start) for t in sb)
    return total / len(sa)


def decompose(
    inst: DarpInstance,
    sol: DarpSolution,
    deadline: float,
    rng: random.Random,
    *,
    group: int = 3,
    budget: float = 1.5,
    stats: dict[str, Any] | None = None,
) -> DarpSolution:
    """Improve ``sol`` by re-optimising groups of related routes as small instances."""
    n, end = inst.requests, inst.end_depot
    routes = {r.vehicle: r for r in sol.routes}
    m = inst.vehicles
    group = max(2, min(group, m))
    while deadline - time.monotonic() > 0.3:
        k0 = rng.randrange(m)
        others = sorted(
            (k for k in range(m) if k != k0), key=lambda k: _closeness(inst, routes[k0], routes[k])
        )
        chosen = [k0]
        while len(chosen) < group:
            pool = [k for k in others if k not in chosen]
            chosen.append(pool[int(len(pool) * rng.random() ** 2)])
        requests = [s.vertex for k in chosen for s in routes[k].stops if 1 <= s.vertex <= n]
        if not requests:
            continue
        sub = sub_instance(inst, requests, len(chosen))
        fwd = {0: 0, end: 2 * len(requests) + 1}
        for j, r in enumerate(requests):
            fwd[r], fwd[r + n] = j + 1, len(requests) + j + 1
        back = {v: k for k, v in fwd.items()}
        start = [[fwd[s.vertex] for s in routes[k].stops[1:-1]] for k in chosen]
        until = min(deadline, time.monotonic() + budget)
        better = ruin_and_recreate(sub, start, until, rng, max_removed=8, stats=stats)
        if stats is not None:
            stats["subproblems"] = stats.get("subproblems", 0) + 1
        if better is None or better.unserved:
            continue
        old = sum(_route_cost(inst, routes[k]) for k in chosen)
        if better.cost < old - 1e-7:
            for k, route in zip(chosen, better.routes, strict=True):
                routes[k] = Route(k, tuple(Stop(back[s.vertex], s.start) for s in route.stops))
            if stats is not None:
                stats["improved"] = stats.get("improved", 0) + 1
    ordered = tuple(routes[k] for k in range(m))
    cost = sum(_route_cost(inst, r) for r in ordered)
    return DarpSolution(inst.name, cost, ordered, sol.unserved)
