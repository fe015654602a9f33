"""Independent feasibility checker for dial-a-ride solutions.

It does not trust the solver: travel times are recomputed from the coordinates in double
precision, and every reported service start is checked against its predecessor
(start_j >= start_i + service_i + travel_ij), its time window, the ride time of its
request and the route duration. The reported cost is ignored; the Euclidean length of
the routes is recomputed and returned.
"""

from __future__ import annotations

from matching.darp.instance import DarpInstance
from matching.darp.solution import DarpSolution

EPS = 1e-6


def check_solution(inst: DarpInstance, sol: DarpSolution) -> tuple[list[str], float]:
    """Return ``(violations, cost)``; an empty list means the solution is feasible."""
    n, end, V = inst.requests, inst.end_depot, inst.vertices
    out: list[str] = []
    cost = 0.0
    seen_vehicles: set[int] = set()
    visited: dict[int, tuple[int, int, float]] = {}  # vertex -> (vehicle, position, start)
    for route in sol.routes:
        k = route.vehicle
        if not 0 <= k < inst.vehicles:
            out.append(f"vehicle {k}: no such vehicle (instance has {inst.vehicles})")
        if k in seen_vehicles:
            out.append(f"vehicle {k}: has more than one route")
        seen_vehicles.add(k)
        stops = route.stops
        if len(stops) < 2 or stops[0].vertex != 0 or stops[-1].vertex != end:
            out.append(f"vehicle {k}: route must start at 0 and end at {end}")
        load = 0
        for pos, s in enumerate(stops):
            v = s.vertex
            if not 0 <= v <= end:
                out.append(f"vehicle {k}: unknown vertex {v}")
                continue
            if v in (0, end) and 0 < pos < len(stops) - 1:
                out.append(f"vehicle {k}: depot {v} in the middle of the route")
            if 1 <= v <= 2 * n:
                if v in visited:
                    out.append(f"vertex {v}: visited more than once")
                visited[v] = (k, pos, s.start)
            vx = V[v]
            if s.start < vx.early - EPS or s.start > vx.late + EPS:
                out.append(
                    f"vehicle {k}: vertex {v} starts at {s.start:.3f}, "
                    f"outside [{vx.early}, {vx.late}]"
                )
            load += vx.load
            if load > inst.capacity:
                out.append(f"vehicle {k}: load {load} > capacity {inst.capacity} at vertex {v}")
            if pos > 0:
                u = stops[pos - 1].vertex
                if 0 <= u <= end:
                    t = inst.dist(u, v)
                    cost += t
                    ready = stops[pos - 1].start + V[u].service + t
                    if s.start < ready - EPS:
                        out.append(
                            f"vehicle {k}: vertex {v} starts at {s.start:.3f} "
                            f"but cannot be reached "
                            f"before {ready:.3f} from vertex {u}"
                        )
        if len(stops) >= 2:
            duration = stops[-1].start - stops[0].start
            if duration > inst.max_route_duration + EPS:
                out.append(
                    f"vehicle {k}: route duration {duration:.3f} > {inst.max_route_duration}"
                )
    for k in range(inst.vehicles):
        if k not in seen_vehicles:
            out.append(f"vehicle {k}: missing route (an unused vehicle is [0, {end}])")
    unserved = set(sol.unserved)
    for u in unserved:
        if not 1 <= u <= n:
            out.append(f"unserved {u}: not a request id (1..{n})")
    for i in range(1, n + 1):
        p, d = visited.get(i), visited.get(n + i)
        if p is None and d is None:
            if i not in unserved:
                out.append(f"request {i}: neither served nor listed as unserved")
            continue
        if i in unserved:
            out.append(f"request {i}: listed as unserved but visited")
        if p is None or d is None:
            out.append(f"request {i}: pickup and delivery must both be visited")
            continue
        if p[0] != d[0]:
            out.append(f"request {i}: pickup on vehicle {p[0]}, delivery on vehicle {d[0]}")
            continue
        if p[1] > d[1]:
            out.append(f"request {i}: delivery before pickup")
            continue
        ride = d[2] - (p[2] + V[i].service)
        if ride > inst.max_ride_time + EPS:
            out.append(f"request {i}: ride time {ride:.3f} > {inst.max_ride_time}")
    return out, cost
