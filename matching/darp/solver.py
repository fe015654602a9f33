"""Dial-a-ride solver on OR-Tools routing (pickup and delivery with time windows).

Model, in integer units of 1/SCALE (SCALE = 1000):
- arc cost = round(distance * SCALE); the reported cost is recomputed in doubles;
- time transit i->j = service_i + ceil(distance_ij * SCALE), so an integer schedule is
  always feasible with exact Euclidean travel times (never optimistic);
- time windows on every vertex, tightened beforehand with the implied bounds (a delivery
  window bounds its pickup through the maximum ride time and vice versa);
- maximum ride time both as a pickup-to-delivery limit (checked inside OR-Tools' fast
  local-search filters) and as a CP constraint on the cumuls (exactness of the final
  schedule);
- route duration via SetSpanUpperBoundForVehicle; capacity as a load dimension;
- each request is one disjunction {pickup, delivery} with a penalty that dominates any
  routing cost, so a plan always exists and unserved requests are explicit.
The search runs a first-solution heuristic then a metaheuristic until the time limit;
``restarts`` > 1 splits the time into independent runs with different seeds and keeps the
best (fewest unserved, then lowest cost).
"""

from __future__ import annotations

import math
import os
import random
import sys
import time

from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util import optional_boolean_pb2

from matching.darp.instance import DarpInstance
from matching.darp.solution import DarpSolution, Route, Stop

SCALE = 1000
RANDOM_SHARE = 1 / 3
LIGHT_REPAIR = None
FSS = routing_enums_pb2.FirstSolutionStrategy
LSM = routing_enums_pb2.LocalSearchMetaheuristic


def _tightened_windows(inst: DarpInstance, travel: list[list[int]]) -> list[tuple[int, int]]:
    n, S = inst.requests, SCALE
    V = inst.vertices
    win = [(round(v.early * S), math.floor(v.late * S)) for v in V]
    e0, lend = win[0][0], win[inst.end_depot][1]
    for i in range(1, n + 1):
        d = i + n
        ride = round((inst.max_ride_time + V[i].service) * S)  # cumul(d) - cumul(p) <= ride
        (ep, lp), (ed, ld) = win[i], win[d]
        ep = max(ep, ed - ride, e0 + travel[0][i])
        lp = min(lp, ld - travel[i][d])
        ed = max(ed, ep + travel[i][d])
        ld = min(ld, lp + ride, lend - travel[d][inst.end_depot])
        win[i], win[d] = (ep, lp), (ed, ld)
    return win


def _build(inst: DarpInstance):
    n, m, end, S = inst.requests, inst.vehicles, inst.end_depot, SCALE
    N = end + 1
    V = inst.vertices
    dist = [[inst.dist(i, j) for j in range(N)] for i in range(N)]
    cost = [[round(dist[i][j] * S) for j in range(N)] for i in range(N)]
    travel = [[math.ceil(dist[i][j] * S - 1e-9) for j in range(N)] for i in range(N)]
    transit = [[round(V[i].service * S) + travel[i][j] for j in range(N)] for i in range(N)]
    manager = pywrapcp.RoutingIndexManager(N, m, [0] * m, [end] * m)
    routing = pywrapcp.RoutingModel(manager)
    cost_cb = routing.RegisterTransitMatrix(cost)
    routing.SetArcCostEvaluatorOfAllVehicles(cost_cb)
    time_cb = routing.RegisterTransitMatrix(transit)
    horizon = max(math.ceil(v.late * S) for v in V) + 1
    routing.AddDimension(time_cb, horizon, horizon, False, "time")
    tdim = routing.GetDimensionOrDie("time")
    load_cb = routing.RegisterUnaryTransitVector([V[i].load for i in range(N)])
    routing.AddDimensionWithVehicleCapacity(load_cb, 0, [inst.capacity] * m, True, "load")
    win = _tightened_windows(inst, travel)
    solver = routing.solver()
    big = 10 * (sum(max(r) for r in cost) + 1)
    ride_limits = []
    keep: list = []
    for i in range(1, n + 1):
        p, d = manager.NodeToIndex(i), manager.NodeToIndex(i + n)
        routing.AddPickupAndDelivery(p, d)
        solver.Add(routing.VehicleVar(p) == routing.VehicleVar(d))
        solver.Add(tdim.CumulVar(p) <= tdim.CumulVar(d))
        ride = round((inst.max_ride_time + V[i].service) * S)
        ride_limits.append(ride)
        # Active only when both are performed; VehicleVar is -1 for an unperformed node.
        solver.Add(tdim.CumulVar(d) - tdim.CumulVar(p) <= ride)
        routing.AddDisjunction([p, d], big, 2)
    for pair, ride in enumerate(ride_limits):
        # The callable must outlive the model, so the routing object keeps a reference.
        fn = _const(ride)
        tdim.SetPickupToDeliveryLimitFunctionForPair(fn, pair)
        keep.append(fn)
    for i in range(1, n + 1):
        p, d = manager.NodeToIndex(i), manager.NodeToIndex(i + n)
        if win[i][0] > win[i][1] or win[i + n][0] > win[i + n][1]:
            # Infeasible on its own (e.g. a window that cannot be reached in time).
            solver.Add(routing.ActiveVar(p) == 0)
            solver.Add(routing.ActiveVar(d) == 0)
            continue
        tdim.CumulVar(p).SetRange(*win[i])
        tdim.CumulVar(d).SetRange(*win[i + n])
    T = round(inst.max_route_duration * S)
    for k in range(m):
        s, e = routing.Start(k), routing.End(k)
        tdim.CumulVar(s).SetRange(win[0][0], win[0][1])
        tdim.CumulVar(e).SetRange(win[end][0], win[end][1])
        tdim.SetSpanUpperBoundForVehicle(T, k)
        routing.AddVariableMaximizedByFinalizer(tdim.CumulVar(s))
        routing.AddVariableMinimizedByFinalizer(tdim.CumulVar(e))
    return manager, routing, tdim, keep


def _const(value: int):
    return lambda _a, _b: value


def _params(time_limit_s: float, seed: int, first: str, meta: str, lns: bool, ils: bool = False):
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(FSS, first)
    params.local_search_metaheuristic = getattr(LSM, meta)
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    params.use_full_propagation = False
    if lns:
        ops = params.local_search_operators
        for name in ("use_relocate_neighbors", "use_cross_exchange", "use_path_lns",
                     "use_inactive_lns", "use_global_cheapest_insertion_expensive_chain_lns",
                     "use_local_cheapest_insertion_expensive_chain_lns",
                     "use_global_cheapest_insertion_close_nodes_lns",
                     "use_local_cheapest_insertion_close_nodes_lns"):
            setattr(ops, name, optional_boolean_pb2.BOOL_TRUE)
    if LIGHT_REPAIR is not None and meta == "GREEDY_DESCENT":
        ops = params.local_search_operators
        for f in ops.DESCRIPTOR.fields:
            on = f.name in LIGHT_REPAIR
            setattr(ops, f.name, optional_boolean_pb2.BOOL_TRUE if on else optional_boolean_pb2.BOOL_FALSE)
    if ils:
        # Iterated local search: SISR ruin (string removals) + cheapest reinsertion,
        # simulated-annealing acceptance of the reference solution.
        params.use_iterated_local_search = True
        ilsp = params.iterated_local_search_parameters
        rr = ilsp.ruin_recreate_parameters
        del rr.ruin_strategies[:]
        sisr = rr.ruin_strategies.add().sisr
        sisr.max_removed_sequence_size = 10  # SISR paper defaults (Christiaens, Vanden Berghe)
        sisr.avg_num_removed_visits = 10
        sisr.bypass_factor = 0.01
        sa = ilsp.reference_solution_acceptance_strategy.simulated_annealing
        sa.automatic_temperatures = True
    # OR-Tools' randomness is seeded through the LNS/perturbation RNG.
    if hasattr(params, "random_seed"):
        params.random_seed = seed
    return params


def _extract(inst, manager, routing, tdim, assignment) -> DarpSolution:
    n, end = inst.requests, inst.end_depot
    routes, served = [], set()
    for k in range(inst.vehicles):
        idx, stops = routing.Start(k), []
        while True:
            node = manager.IndexToNode(idx)
            stops.append(Stop(node, assignment.Value(tdim.CumulVar(idx)) / SCALE))
            if 1 <= node <= n:
                served.add(node)
            if routing.IsEnd(idx):
                break
            idx = assignment.Value(routing.NextVar(idx))
        routes.append(Route(k, tuple(stops)))
    cost = sum(
        inst.dist(a.vertex, b.vertex) for r in routes for a, b in zip(r.stops, r.stops[1:])
    )
    unserved = tuple(i for i in range(1, n + 1) if i not in served)
    assert stops[-1].vertex == end
    return DarpSolution(inst.name, cost, tuple(routes), unserved)


def _routes(routing, manager, assignment, vehicles: int) -> list[list[int]]:
    out = []
    for k in range(vehicles):
        idx, route = assignment.Value(routing.NextVar(routing.Start(k))), []
        while not routing.IsEnd(idx):
            route.append(manager.IndexToNode(idx))
            idx = assignment.Value(routing.NextVar(idx))
        out.append(route)
    return out


def _related(inst: DarpInstance) -> list[list[int]]:
    """For each request, the other requests by Shaw relatedness (closest first)."""
    n, S = inst.requests, SCALE
    N = inst.end_depot + 1
    travel = [[math.ceil(inst.dist(i, j) * S - 1e-9) for j in range(N)] for i in range(N)]
    win = _tightened_windows(inst, travel)
    rel = [[]]
    for i in range(1, n + 1):
        def score(j: int, i: int = i) -> float:
            space = inst.dist(i, j) + inst.dist(i + n, j + n)
            when = (abs(win[i][0] - win[j][0]) + abs(win[i + n][0] - win[j + n][0])) / S
            return space + when
        rel.append(sorted((j for j in range(1, n + 1) if j != i), key=score))
    return rel


def solve_darp(
    inst: DarpInstance,
    *,
    time_limit_s: float,
    seed: int = 0,
    method: str = "ils",
    init_share: float = 0.2,
    max_removed: int = 10,
    temperature: float = 0.02,
    first: str = "PARALLEL_CHEAPEST_INSERTION",
    meta: str = "GUIDED_LOCAL_SEARCH",
) -> DarpSolution:
    """Solve a Cordeau instance within about ``time_limit_s`` seconds.

    ``method="gls"`` is the textbook model: one OR-Tools search (``first`` then ``meta``)
    for the whole time. ``method="ils"`` (default) runs that search for ``init_share`` of
    the time, then iterates ruin-and-recreate on top of OR-Tools: remove 1..``max_removed``
    related requests (Shaw relatedness: place and time; one time in three at random),
    let OR-Tools reinsert them and descend to a local optimum, and accept the result if it
    is within a random threshold (at most ``temperature``, decreasing to 0) of the current
    cost. ``seed`` drives the removals, so runs are repeatable up to timing effects.

    Always returns a plan (possibly with unserved requests); the schedule is feasible by
    construction and can be verified with :func:`matching.darp.check.check_solution`.
    """
    start_time = time.monotonic()
    deadline = start_time + time_limit_s
    manager, routing, tdim, _keep = _build(inst)
    first_budget = time_limit_s if method == "gls" else time_limit_s * init_share
    assignment = routing.SolveWithParameters(_params(first_budget, seed, first, meta, False))
    if assignment is None:
        return _empty(inst)
    best = _extract(inst, manager, routing, tdim, assignment)
    if method == "gls":
        return best
    n, rng = inst.requests, random.Random(seed)
    related = _related(inst)
    cur = _routes(routing, manager, assignment, inst.vehicles)
    cur_obj = best_obj = assignment.ObjectiveValue()
    next_vars = [routing.NextVar(i) for i in range(routing.Size())]
    iters = accepted = 0
    while (remaining := deadline - time.monotonic()) > 0.05:
        iters += 1
        removed = _ruin(rng, related, n, max_removed)
        gone = removed | {r + n for r in removed}
        partial = [[v for v in route if v not in gone] for route in cur]
        start = routing.solver().Assignment()
        start.Add(next_vars)
        if not routing.RoutesToAssignment(partial, True, False, start):
            continue
        repair = _params(remaining, seed, first, "GREEDY_DESCENT", False)
        found = routing.SolveFromAssignmentWithParameters(start, repair)
        if found is None:
            continue
        obj = found.ObjectiveValue()
        threshold = temperature * (1 - (time.monotonic() - start_time) / time_limit_s)
        if obj < cur_obj * (1 + threshold * rng.random()) or obj < cur_obj:
            cur, cur_obj = _routes(routing, manager, found, inst.vehicles), obj
            accepted += 1
            if obj < best_obj:
                best, best_obj = _extract(inst, manager, routing, tdim, found), obj
    if os.environ.get("DARP_DEBUG"):
        print(f"{inst.name}: {iters} ruin-and-recreate iterations, {accepted} accepted", file=sys.stderr)
    return best


def _ruin(rng: random.Random, related: list[list[int]], n: int, max_removed: int) -> set[int]:
    q = rng.randint(1, max(1, min(max_removed, n // 2)))
    if rng.random() < RANDOM_SHARE:
        return set(rng.sample(range(1, n + 1), q))
    removed = [rng.randint(1, n)]
    while len(removed) < q:
        base = rng.choice(removed)
        pool = [j for j in related[base] if j not in removed]
        removed.append(pool[int(len(pool) * rng.random() ** 4)])
    return set(removed)


def _empty(inst: DarpInstance) -> DarpSolution:
    """Every request unserved: what we return if no plan was found at all."""
    t0 = inst.vertices[0].early
    routes = tuple(Route(k, (Stop(0, t0), Stop(inst.end_depot, t0))) for k in range(inst.vehicles))
    return DarpSolution(inst.name, 0.0, routes, tuple(range(1, inst.requests + 1)))
