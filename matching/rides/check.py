"""Independent checker for ride plans: recomputes distances and travel times itself."""

from __future__ import annotations

from matching.rides.model import RideSolution, RidesProblem, km_matrix, legs

EPS = 1e-6  # minutes / km


def check_rides(problem: RidesProblem, sol: RideSolution) -> list[str]:
    """Return every violated rule; an empty list means the plan is feasible."""
    km = km_matrix(problem)
    L = {leg.ride.id: leg for leg in legs(problem, km)}
    D, sp = len(problem.drivers), problem.speed_kmh / 60
    drivers = {d.id: (i, d) for i, d in enumerate(problem.drivers)}
    out: list[str] = []
    seen: dict[str, str] = {}
    used_shifts = set()
    for route in sol.routes:
        if route.driver_id not in drivers:
            out.append(f"route: unknown driver {route.driver_id!r}")
            continue
        home, drv = drivers[route.driver_id]
        if route.shift not in drv.shifts:
            out.append(f"{drv.id}: shift {route.shift} is not one of theirs")
        if (drv.id, route.shift) in used_shifts:
            out.append(f"{drv.id}: shift {route.shift} used twice")
        used_shifts.add((drv.id, route.shift))
        if route.start < route.shift[0] - EPS or route.end > route.shift[1] + EPS:
            out.append(
                f"{drv.id}: works {route.start:.1f}-{route.end:.1f} outside shift {route.shift}"
            )
        t, here, load, dist, onboard = route.start, home, 0, 0.0, {}
        svc_prev = 0.0
        for s in route.stops:
            leg = L.get(s.ride_id)
            if leg is None:
                out.append(f"{drv.id}: unknown ride {s.ride_id!r}")
                continue
            r = leg.ride
            loc = D + 2 * leg.index + (0 if s.kind == "pickup" else 1)
            dist += km[here][loc]
            ready = t + svc_prev + km[here][loc] / sp
            if s.time < ready - EPS:
                out.append(
                    f"{drv.id}: {r.id} {s.kind} at {s.time:.2f} but reachable only at {ready:.2f}"
                )
            t, here, svc_prev = s.time, loc, r.service_min
            win = leg.pickup_window if s.kind == "pickup" else leg.dropoff_window
            if not win[0] - EPS <= s.time <= win[1] + EPS:
                out.append(f"{drv.id}: {r.id} {s.kind} at {s.time:.2f} outside {win}")
            if r.wheelchair and not drv.wheelchair:
                out.append(f"{drv.id}: {r.id} needs a wheelchair-accessible car")
            if s.kind == "pickup":
                if r.id in seen:
                    out.append(f"{r.id}: picked up twice")
                seen[r.id] = drv.id
                onboard[r.id] = s.time
                load += r.passengers
                if load > drv.seats:
                    out.append(f"{drv.id}: {load} passengers > {drv.seats} seats")
            else:
                if r.id not in onboard:
                    out.append(f"{r.id}: dropped off by {drv.id} without being picked up by them")
                    continue
                ride = s.time - onboard.pop(r.id) - r.service_min
                if ride > leg.max_ride + EPS:
                    out.append(f"{r.id}: ride of {ride:.1f} min > {leg.max_ride:.1f}")
                load -= r.passengers
        for rid in onboard:
            out.append(f"{rid}: picked up by {drv.id} but never dropped off")
        dist += km[here][home]
        back = t + svc_prev + km[here][home] / sp
        if route.end < back - EPS:
            out.append(f"{drv.id}: home at {route.end:.2f} but reachable only at {back:.2f}")
        if drv.max_km is not None and dist > drv.max_km + 1e-3:
            out.append(f"{drv.id}: drives {dist:.2f} km > {drv.max_km}")
        if abs(dist - route.km) > 1e-3:
            out.append(f"{drv.id}: route km {route.km:.3f} but recomputed {dist:.3f}")
    unserved = {u.ride_id: u.reason for u in sol.unserved}
    for rid in L:
        if rid in seen and rid in unserved:
            out.append(f"{rid}: served and listed as unserved")
        elif rid not in seen and rid not in unserved:
            out.append(f"{rid}: neither served nor listed as unserved")
        elif rid in unserved and not unserved[rid].strip():
            out.append(f"{rid}: unserved without a reason")
    for rid, leg in L.items():
        outbound = leg.ride.return_of
        if outbound is not None and (rid in seen) != (outbound in seen):
            out.append(f"{outbound}/{rid}: outbound and return leg must be served together")
        elif outbound is not None and rid in seen and seen[rid] != seen[outbound]:
            out.append(f"{outbound}/{rid}: outbound by {seen[outbound]} but return by {seen[rid]}")
    busy: dict[str, int] = {}
    for rid, drv_id in seen.items():
        busy[drv_id] = busy.get(drv_id, 0) + L[rid].busy
    for _i, drv in drivers.values():
        if drv.max_minutes is not None and busy.get(drv.id, 0) > drv.max_minutes:
            out.append(f"{drv.id}: legs take {busy[drv.id]} min > max_minutes {drv.max_minutes}")
    return out
