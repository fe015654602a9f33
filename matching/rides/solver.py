"""Solidarity-taxi rides on OR-Tools routing (integer seconds and metres).

The problem and solution types, and the rules derived from them, are in
:mod:`matching.rides.model`."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from matching.rides.model import (
    Driver,
    DriverRoute,
    Leg,
    RideSolution,
    RidesProblem,
    RideStop,
    Unserved,
    hhmm,
    km_matrix,
    legs,
    validate,
)


def _alone_ok(
    p: RidesProblem, km: Sequence[Sequence[float]], leg: Leg, d: int, shift: tuple[int, int]
) -> bool:
    """Can driver ``d`` in ``shift`` serve this leg and nothing else? (minutes, floats)"""
    D, sp = len(p.drivers), p.speed_kmh / 60
    pi, di = D + 2 * leg.index, D + 2 * leg.index + 1
    svc = leg.ride.service_min
    start = shift[0] + km[d][pi] / sp
    lo = max(start, leg.pickup_window[0], leg.dropoff_window[0] - svc - leg.direct_min)
    if lo > leg.pickup_window[1] + 1e-9:
        return False
    drop = max(lo + svc + leg.direct_min, leg.dropoff_window[0])
    if drop > leg.dropoff_window[1] + 1e-9 or drop - lo - svc > leg.max_ride + 1e-9:
        return False
    return drop + svc + km[di][d] / sp <= shift[1] + 1e-9


def solve_rides(problem: RidesProblem, *, time_limit_s: float, seed: int = 0) -> RideSolution:
    """Plan the rides. Always returns a plan; legs left out carry a plain-language reason.

    ``seed`` is accepted for interface symmetry with the other solvers; OR-Tools routing
    has no random seed, so equal inputs and time limits give (nearly) equal plans.
    """
    validate(problem)
    km = km_matrix(problem)
    L = legs(problem, km)
    D, R = len(problem.drivers), len(problem.rides)
    shifts = [(d, s) for d, drv in enumerate(problem.drivers) for s in drv.shifts]
    V = len(shifts)
    by_id = {leg.ride.id: leg for leg in L}
    # Static eligibility (car and range), then a time check on each driver alone.
    car_ok: dict[int, list[int]] = {leg.index: [] for leg in L}
    timed_of: dict[int, set[int]] = {}  # drivers who could drive the leg alone
    reasons: dict[int, str] = {}
    for leg in L:
        r, pi = leg.ride, D + 2 * leg.index
        cars = [d for d, drv in enumerate(problem.drivers) if drv.wheelchair or not r.wheelchair]
        seats = [d for d in cars if problem.drivers[d].seats >= r.passengers]
        ranged = [
            d
            for d in seats
            if _within_range(problem.drivers[d], km[d][pi] + km[pi][pi + 1] + km[pi + 1][d])
        ]
        on_time = [
            v
            for v, (d, s) in enumerate(shifts)
            if d in ranged and _alone_ok(problem, km, leg, d, s)
        ]
        timed = [v for v in on_time if _minutes_left(problem.drivers[shifts[v][0]], leg.busy)]
        timed_of[leg.index] = {shifts[v][0] for v in timed}
        car_ok[leg.index] = [
            v
            for v, (d, _s) in enumerate(shifts)
            if d in ranged and _minutes_left(problem.drivers[d], leg.busy)
        ]
        if not cars:
            reasons[leg.index] = "no wheelchair-accessible car available"
        elif not seats:
            reasons[leg.index] = f"needs {r.passengers} seats; no suitable car has that many"
        elif not ranged:
            reasons[leg.index] = "destination beyond every driver's range"
        elif not _windows_ok(leg):
            reasons[leg.index] = _timing_reason(leg)
        elif not on_time:
            when = r.earliest_pickup if r.earliest_pickup is not None else r.appointment
            assert when is not None  # validate() requires one of the two
            reasons[leg.index] = f"no driver available at {hhmm(when)}"
        elif not timed:
            reasons[leg.index] = (
                f"every driver free then has used up their hours (the leg takes {leg.busy} min)"
            )
    # One driver takes the passenger there and back: the pair needs a driver who could
    # drive each leg and has the minutes for both.
    for leg in L:
        if leg.ride.return_of is None:
            continue
        out = by_id[leg.ride.return_of]
        if leg.index in reasons or out.index in reasons:
            continue
        both = {
            d
            for d in timed_of[leg.index] & timed_of[out.index]
            if _minutes_left(problem.drivers[d], leg.busy + out.busy)
        }
        if not both:
            why = "no single driver can do both the outbound and the return leg"
            reasons[leg.index] = reasons[out.index] = why
        for k in (leg.index, out.index):
            car_ok[k] = [v for v in car_ok[k] if shifts[v][0] in both]
    if V == 0:
        for leg in L:
            reasons.setdefault(leg.index, "no driver available at any time")
        return RideSolution((), _unserved(L, reasons, set(), by_id), 0.0)

    # Nodes: vehicle v start 2v, end 2v+1 (driver home); ride i pickup 2V+2i, dropoff +1.
    loc = [shifts[v][0] for v in range(V) for _ in (0, 1)] + [D + k for k in range(2 * R)]
    svc = [0] * (2 * V) + [L[k // 2].ride.service_min * 60 for k in range(2 * R)]
    dem = [0] * (2 * V) + [
        L[k // 2].ride.passengers * (1 if k % 2 == 0 else -1) for k in range(2 * R)
    ]
    N = len(loc)
    secs = [
        [math.ceil(km[loc[a]][loc[b]] / problem.speed_kmh * 3600 - 1e-9) for b in range(N)]
        for a in range(N)
    ]
    metres = [[math.ceil(km[loc[a]][loc[b]] * 1000 - 1e-9) for b in range(N)] for a in range(N)]
    manager = pywrapcp.RoutingIndexManager(
        N, V, [2 * v for v in range(V)], [2 * v + 1 for v in range(V)]
    )
    routing = pywrapcp.RoutingModel(manager)
    dist_cb = routing.RegisterTransitMatrix(metres)
    routing.SetArcCostEvaluatorOfAllVehicles(dist_cb)
    caps = [_metres_cap(problem.drivers[d]) for d, _s in shifts]
    routing.AddDimensionWithVehicleCapacity(dist_cb, 0, caps, True, "km")
    time_cb = routing.RegisterTransitMatrix(
        [[svc[a] + secs[a][b] for b in range(N)] for a in range(N)]
    )
    horizon = max(s[1] for _d, s in shifts) * 60 + 1
    low = min(0, min(s[0] for _d, s in shifts) * 60)
    routing.AddDimension(time_cb, horizon - low, horizon, False, "time")
    tdim = routing.GetDimensionOrDie("time")
    load_cb = routing.RegisterUnaryTransitVector(dem)
    routing.AddDimensionWithVehicleCapacity(
        load_cb, 0, [problem.drivers[d].seats for d, _s in shifts], True, "load"
    )
    solver = routing.solver()
    limited = [d for d, drv in enumerate(problem.drivers) if drv.max_minutes is not None]
    if limited:
        # Busy minutes: a leg's count at its pickup; per shift a capacity, per driver (who
        # may have several shifts, i.e. vehicles) a sum over their shifts' totals.
        busy = [0] * (2 * V) + [L[k // 2].busy if k % 2 == 0 else 0 for k in range(2 * R)]
        busy_cb = routing.RegisterUnaryTransitVector(busy)
        most = sum(busy) + 1
        routing.AddDimensionWithVehicleCapacity(
            busy_cb,
            0,
            [
                most if problem.drivers[d].max_minutes is None else problem.drivers[d].max_minutes
                for d, _s in shifts
            ],
            True,
            "busy",
        )
        bdim = routing.GetDimensionOrDie("busy")
        for d in limited:
            mine = [v for v, (dd, _s) in enumerate(shifts) if dd == d]
            if len(mine) > 1:
                solver.Add(
                    solver.Sum([bdim.CumulVar(routing.End(v)) for v in mine])
                    <= problem.drivers[d].max_minutes
                )
    for v, (_d, (a, b)) in enumerate(shifts):
        tdim.CumulVar(routing.Start(v)).SetRange(max(0, a * 60), b * 60)
        tdim.CumulVar(routing.End(v)).SetRange(max(0, a * 60), b * 60)
        routing.AddVariableMaximizedByFinalizer(tdim.CumulVar(routing.Start(v)))
        routing.AddVariableMinimizedByFinalizer(tdim.CumulVar(routing.End(v)))
    big = 10 * (sum(max(row) for row in metres) + 1)
    keep = []
    for leg in L:
        p = manager.NodeToIndex(2 * V + 2 * leg.index)
        d = manager.NodeToIndex(2 * V + 2 * leg.index + 1)
        routing.AddPickupAndDelivery(p, d)
        solver.Add(routing.VehicleVar(p) == routing.VehicleVar(d))
        solver.Add(tdim.CumulVar(p) <= tdim.CumulVar(d))
        ride_limit = math.floor((leg.max_ride + leg.ride.service_min) * 60 + 1e-9)
        solver.Add(tdim.CumulVar(d) - tdim.CumulVar(p) <= ride_limit)
        fn = _const(ride_limit)
        tdim.SetPickupToDeliveryLimitFunctionForPair(fn, leg.index)  # pairs added in leg order
        keep.append(fn)
        routing.AddDisjunction([p, d], big * max(1, leg.ride.priority), 2)
        pw = _clip(leg.pickup_window, horizon)
        dw = _clip(leg.dropoff_window, horizon)
        if leg.index in reasons or not car_ok[leg.index] or pw[0] > pw[1] or dw[0] > dw[1]:
            solver.Add(routing.ActiveVar(p) == 0)
            solver.Add(routing.ActiveVar(d) == 0)
            continue
        tdim.CumulVar(p).SetRange(*pw)
        tdim.CumulVar(d).SetRange(*dw)
        _allow(routing, car_ok[leg.index], p)
        _allow(routing, car_ok[leg.index], d)
    for leg in L:
        if leg.ride.return_of is not None:
            out = by_id[leg.ride.return_of]
            a = manager.NodeToIndex(2 * V + 2 * out.index)
            b = manager.NodeToIndex(2 * V + 2 * leg.index)
            solver.Add(routing.ActiveVar(a) == routing.ActiveVar(b))
            # Why soft, on the shift (vehicle): a hard "same driver" constraint leaves
            # the local search no move (it relocates one pickup-delivery pair at a time),
            # and on an 80-leg town day the plan served 25 legs instead of 78
            # (benchmarks/rides_town.py). Splitting a pair costs as much as leaving it out,
            # so plans keep pairs together; the few split between drivers are removed
            # below (a pair split between two shifts of one driver is fine).
            routing.AddSoftSameVehicleConstraint([a, b], big * max(1, leg.ride.priority))

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    assignment = routing.SolveWithParameters(params)
    if assignment is None:  # the search found nothing: an empty plan is always valid
        for leg in L:
            reasons.setdefault(leg.index, "no plan found within the time limit")
        return RideSolution((), _unserved(L, reasons, set(), by_id), 0.0)

    raw = []  # per shift that drives: (driver, shift, start, end, [(leg, kind, time, node)])
    for v, (d, shift) in enumerate(shifts):
        idx = routing.Start(v)
        start = assignment.Value(tdim.CumulVar(idx)) / 60
        stops = []
        idx = assignment.Value(routing.NextVar(idx))
        while not routing.IsEnd(idx):
            node = manager.IndexToNode(idx)
            kind = "pickup" if node % 2 == 0 else "dropoff"
            stops.append((L[(node - 2 * V) // 2], kind, assignment.Value(tdim.CumulVar(idx)), node))
            idx = assignment.Value(routing.NextVar(idx))
        if stops:
            raw.append((d, shift, start, assignment.Value(tdim.CumulVar(idx)) / 60, stops))
    # A pair the search left with two drivers is taken out (both legs: they go together).
    # Removing stops keeps every other time valid when distances obey the triangle
    # inequality (haversine, geodesic, Euclidean matrices).
    driver_of = {leg.index: d for d, _sh, _s, _e, stops in raw for leg, *_ in stops}
    split = set()
    for leg in L:
        if leg.ride.return_of is not None:
            out = by_id[leg.ride.return_of]
            if driver_of.get(leg.index) != driver_of.get(out.index):
                split |= {leg.index, out.index}
    routes, served, total = [], set(), 0.0
    for d, shift, start, end, stops in raw:
        kept = [s for s in stops if s[0].index not in split]
        if not kept:
            continue
        dist, prev = 0.0, d
        for leg, _kind, _time, node in kept:
            dist += km[prev][loc[node]]
            prev = loc[node]
            served.add(leg.index)
        dist += km[prev][d]
        route_stops = tuple(RideStop(leg.ride.id, kind, at / 60) for leg, kind, at, _n in kept)
        routes.append(DriverRoute(problem.drivers[d].id, shift, start, end, route_stops, dist))
        total += dist
    return RideSolution(tuple(routes), _unserved(L, reasons, served, by_id), total)


def _within_range(driver: Driver, trip_km: float) -> bool:
    """Home to pickup to dropoff to home within the driver's range per shift."""
    return driver.max_km is None or trip_km <= driver.max_km


def _metres_cap(driver: Driver) -> int:
    """The driver's range per shift in metres (10**12: no limit)."""
    return math.floor(driver.max_km * 1000) if driver.max_km else 10**12


def _minutes_left(driver: Driver, minutes: int) -> bool:
    return driver.max_minutes is None or minutes <= driver.max_minutes


def _windows_ok(leg: Leg) -> bool:
    svc = leg.ride.service_min
    lo = max(leg.pickup_window[0], leg.dropoff_window[0] - svc - leg.direct_min)
    if lo > leg.pickup_window[1] + 1e-9:
        return False
    drop = max(lo + svc + leg.direct_min, leg.dropoff_window[0])
    return drop <= leg.dropoff_window[1] + 1e-9 and drop - lo - svc <= leg.max_ride + 1e-9


def _timing_reason(leg: Leg) -> str:
    r = leg.ride
    if leg.direct_min > leg.max_ride + 1e-9:
        return (
            f"the direct trip takes {leg.direct_min:.0f} min, more than the maximum ride "
            f"time of {leg.max_ride:.0f} min"
        )
    if r.earliest_pickup is not None and r.appointment is not None:
        return (
            f"the appointment at {hhmm(r.appointment)} cannot be reached from a pickup at "
            f"{hhmm(r.earliest_pickup)} or later"
        )
    return "its time window is too narrow for the trip"


def _clip(w: tuple[float, float], horizon: int) -> tuple[int, int]:
    lo = 0 if w[0] == -math.inf else max(0, math.ceil(w[0] * 60 - 1e-9))
    hi = horizon if w[1] == math.inf else min(horizon, math.floor(w[1] * 60 + 1e-9))
    return lo, hi


def _allow(routing: pywrapcp.RoutingModel, vehicles: list[int], index: int) -> None:
    # OR-Tools 9.15's Python binding rejects every list for SetAllowedVehiclesForIndex
    # (absl::Span typemap); restricting VehicleVar's domain is the documented equivalent.
    try:
        routing.SetAllowedVehiclesForIndex(vehicles, index)
    except TypeError:
        routing.VehicleVar(index).SetValues([-1, *vehicles])


def _const(value: int) -> Callable[[int, int], int]:
    return lambda _a, _b: value


def _unserved(
    L: list[Leg], reasons: dict[int, str], served: set[int], by_id: dict[str, Leg]
) -> tuple[Unserved, ...]:
    out = []
    served_prio = [leg.ride.priority for leg in L if leg.index in served]
    partner = {}
    for leg in L:
        if leg.ride.return_of is not None:
            partner[leg.index] = by_id[leg.ride.return_of]
            partner[by_id[leg.ride.return_of].index] = leg
    for leg in L:
        if leg.index in served:
            continue
        why = reasons.get(leg.index)
        other = partner.get(leg.index)
        if why is None and other is not None and other.index in reasons:
            side = "outbound" if leg.ride.return_of is not None else "return"
            why = f"its {side} leg {other.ride.id} cannot be served: {reasons[other.index]}"
        if why is None:
            higher = any(pr > leg.ride.priority for pr in served_prio)
            why = (
                "conflicts with higher-priority rides"
                if higher
                else "conflicts with other rides: every suitable driver is busy then"
            )
        out.append(Unserved(leg.ride.id, why))
    return tuple(out)
