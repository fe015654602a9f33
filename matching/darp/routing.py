"""The dial-a-ride model on OR-Tools routing (pickup and delivery with time windows).

In integer units of 1/SCALE (SCALE = 1000):
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
Used by :func:`matching.darp.solver.solve_darp` (first plans) and :mod:`matching.darp.lns`
(repairs by OR-Tools).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.constraint_solver.routing_parameters_pb2 import RoutingSearchParameters
from ortools.util.optional_boolean_pb2 import BOOL_FALSE, BOOL_TRUE

from matching.darp.instance import DarpInstance
from matching.darp.solution import DarpSolution, Route, Stop

SCALE = 1000
FIRST = "PARALLEL_CHEAPEST_INSERTION"
META = "GUIDED_LOCAL_SEARCH"
FSS = routing_enums_pb2.FirstSolutionStrategy
LSM = routing_enums_pb2.LocalSearchMetaheuristic
# What build_model returns: the index manager, the model, its time dimension, and the
# callables that must outlive the model.
Model = tuple[
    pywrapcp.RoutingIndexManager,
    pywrapcp.RoutingModel,
    pywrapcp.RoutingDimension,
    list[Callable[[int, int], int]],
]


def tightened_windows(inst: DarpInstance, travel: list[list[int]]) -> list[tuple[int, int]]:
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


def build_model(inst: DarpInstance) -> Model:
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
    win = tightened_windows(inst, travel)
    solver = routing.solver()
    big = 10 * (sum(max(r) for r in cost) + 1)
    ride_limits = []
    keep: list[Callable[[int, int], int]] = []
    for i in range(1, n + 1):
        p, d = manager.NodeToIndex(i), manager.NodeToIndex(i + n)
        routing.AddPickupAndDelivery(p, d)
        solver.Add(routing.VehicleVar(p) == routing.VehicleVar(d))
        solver.Add(tdim.CumulVar(p) <= tdim.CumulVar(d))
        ride = round((inst.max_ride_time + V[i].service) * S)
        ride_limits.append(ride)
        # Active only when both are performed; VehicleVar is -1 for an unperformed node.
        # Needed as well as the pickup-to-delivery limit below: without it the filter
        # accepts the right routes but the final cumuls may break the ride time (measured).
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
        # Tidy reported times: leave the depot as late and return as early as possible.
        routing.AddVariableMaximizedByFinalizer(tdim.CumulVar(s))
        routing.AddVariableMinimizedByFinalizer(tdim.CumulVar(e))
    return manager, routing, tdim, keep


def _const(value: int) -> Callable[[int, int], int]:
    return lambda _a, _b: value


# Local-search operators for ruin-and-recreate repairs (everything else off).
REPAIR_OPERATORS = frozenset(
    {
        "use_make_active",
        "use_relocate_pair",
        "use_light_relocate_pair",
        "use_exchange_pair",
        "use_relocate",
        "use_exchange",
        "use_or_opt",
        "use_two_opt",
        "use_cross",
        "use_relocate_subtrip",
        "use_exchange_subtrip",
    }
)


def search_params(
    time_limit_s: float, first: str = FIRST, meta: str = META, light: bool = False
) -> RoutingSearchParameters:
    """Search parameters. Operators only take effect when the model is closed."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(FSS, first)
    params.local_search_metaheuristic = getattr(LSM, meta)
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    if light:
        ops = params.local_search_operators
        for field in ops.DESCRIPTOR.fields:
            on = field.name in REPAIR_OPERATORS
            setattr(ops, field.name, BOOL_TRUE if on else BOOL_FALSE)
    return params


def extract(
    inst: DarpInstance,
    manager: pywrapcp.RoutingIndexManager,
    routing: pywrapcp.RoutingModel,
    tdim: pywrapcp.RoutingDimension,
    assignment: pywrapcp.Assignment,
) -> DarpSolution:
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
    pairs = (pair for r in routes for pair in itertools.pairwise(r.stops))
    cost = sum(inst.dist(a.vertex, b.vertex) for a, b in pairs)
    unserved = tuple(i for i in range(1, n + 1) if i not in served)
    assert stops[-1].vertex == end
    return DarpSolution(inst.name, cost, tuple(routes), unserved)


def routes_of(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    assignment: pywrapcp.Assignment,
    vehicles: int,
) -> list[list[int]]:
    out = []
    for k in range(vehicles):
        idx, route = assignment.Value(routing.NextVar(routing.Start(k))), []
        while not routing.IsEnd(idx):
            route.append(manager.IndexToNode(idx))
            idx = assignment.Value(routing.NextVar(idx))
        out.append(route)
    return out
