"""The JSON ``rides`` extension of the scenario (docs/rides.md, docs/rides.schema.json).

Times are local ISO 8601 without offset, to the minute; inside the model they are minutes
from midnight of the earliest date in the rides part of the scenario. Every error is an
:class:`InputError` naming the field (``rides[2].appointment``).
"""

from __future__ import annotations

from typing import Any

from matching.common.errors import InputError
from matching.common.json_fields import MinuteClock, get_field
from matching.rides.model import Driver, Ride, RideSolution, RidesProblem, validate
from matching.rides.solver import solve_rides


def _get(obj: dict[str, Any], key: str, path: str, default: Any = ..., kind: str = "any") -> Any:
    # In the rides part an explicit null means "not given".
    return get_field(obj, key, path, default, kind, none_is_missing=True)


Clock = MinuteClock  # the rides part's clock: same origin rule as the visits'


def _stamps(data: dict[str, Any]) -> list[Any]:
    out: list[Any] = []
    for key in ("drivers", "volunteers"):
        for d in data.get(key) or []:
            if isinstance(d, dict):
                for k in ("available", "shifts"):
                    for pair in d.get(k) or []:
                        if isinstance(pair, list):
                            out += pair
    for r in data.get("rides") or []:
        if isinstance(r, dict):
            out += [r.get("earliest_pickup"), r.get("appointment")]
    return out


def _point(obj: Any, path: str) -> tuple[float, float]:
    if not isinstance(obj, dict):
        raise InputError(path, "must be an object with lat and lon")
    lat, lon = _get(obj, "lat", path, kind="number"), _get(obj, "lon", path, kind="number")
    if not -90 <= lat <= 90:
        raise InputError(f"{path}.lat", "must be between -90 and 90")
    if not -180 <= lon <= 180:
        raise InputError(f"{path}.lon", "must be between -180 and 180")
    return float(lat), float(lon)


def _positive(obj: dict[str, Any], key: str, path: str, kind: str, default: Any = ...) -> Any:
    value = _get(obj, key, path, default, kind=kind)
    if value is not None and value <= 0:
        raise InputError(f"{path}.{key}".lstrip("."), "must be positive")
    return value


def _nonneg(obj: dict[str, Any], key: str, path: str, kind: str, default: Any) -> Any:
    value = _get(obj, key, path, default, kind=kind)
    if value is not None and value < 0:
        raise InputError(f"{path}.{key}".lstrip("."), "must not be negative")
    return value


def _driver(obj: Any, path: str, clock: Clock, limited: bool = True) -> Driver:
    """``limited``: read ``max_minutes`` (a ``volunteers[]`` entry's is for visits)."""
    if not isinstance(obj, dict):
        raise InputError(path, "must be an object")
    lat, lon = _point(obj, path)
    key = "shifts" if "shifts" in obj else "available"
    windows = []
    for k, pair in enumerate(_get(obj, key, path, kind="list")):
        f = f"{path}.{key}[{k}]"
        if not isinstance(pair, list) or len(pair) != 2:
            raise InputError(f, "must be a pair [start, end]")
        s, e = clock.minutes(pair[0], f + "[0]"), clock.minutes(pair[1], f + "[1]")
        if e <= s:
            raise InputError(f, "end before start" if e < s else "empty (end equals start)")
        windows.append((s, e))
    max_km = _positive(obj, "max_km", path, "number", None)
    return Driver(
        id=_get(obj, "id", path, kind="str"),
        lat=lat,
        lon=lon,
        shifts=tuple(windows),
        seats=_positive(obj, "seats", path, "int", 3),
        wheelchair=_get(obj, "wheelchair", path, False, kind="bool"),
        max_km=None if max_km is None else float(max_km),
        max_minutes=_nonneg(obj, "max_minutes", path, "int", None) if limited else None,
    )


def _ride(obj: Any, path: str, clock: Clock) -> Ride:
    if not isinstance(obj, dict):
        raise InputError(path, "must be an object")
    pick, drop = (
        _point(obj.get("pickup"), f"{path}.pickup"),
        _point(obj.get("dropoff"), f"{path}.dropoff"),
    )
    ep = obj.get("earliest_pickup")
    ap = obj.get("appointment")
    if ep is None and ap is None:
        raise InputError(f"{path}.appointment", "give an appointment or an earliest_pickup time")
    ret = _get(obj, "return_of", path, None, kind="str")
    return Ride(
        id=_get(obj, "id", path, kind="str"),
        pickup_lat=pick[0],
        pickup_lon=pick[1],
        dropoff_lat=drop[0],
        dropoff_lon=drop[1],
        earliest_pickup=None if ep is None else clock.minutes(ep, f"{path}.earliest_pickup"),
        appointment=None if ap is None else clock.minutes(ap, f"{path}.appointment"),
        passengers=_positive(obj, "passengers", path, "int", 1),
        wheelchair=_get(obj, "wheelchair", path, False, kind="bool"),
        service_min=_nonneg(obj, "service_min", path, "int", 5),
        max_ride_min=_positive(obj, "max_ride_min", path, "int", None),
        flex_min=_nonneg(obj, "flex_min", path, "int", 30),
        busy_min=_nonneg(obj, "busy_min", path, "int", None),
        return_of=ret,
        priority=_positive(obj, "priority", path, "int", 1),
    )


def parse_rides(data: Any) -> tuple[RidesProblem, Clock]:
    """Build a :class:`RidesProblem` from the scenario's rides part."""
    if not isinstance(data, dict):
        raise InputError("scenario", "must be a JSON object")
    clock = Clock(_stamps(data))
    speed = _positive(data, "speed_kmh", "", "number", 30.0)
    drivers = [
        _driver(o, f"drivers[{k}]", clock)
        for k, o in enumerate(_get(data, "drivers", "", [], kind="list"))
    ]
    paths = [f"drivers[{k}]" for k in range(len(drivers))]
    for k, o in enumerate(_get(data, "volunteers", "", [], kind="list")):
        if (
            isinstance(o, dict)
            and o.get("drives") is True
            and o.get("approved", True) is not False
            and o.get("credentials_ok", True) is not False
        ):
            drivers.append(_driver(o, f"volunteers[{k}]", clock, limited=False))
            paths.append(f"volunteers[{k}]")
    seen: set[str] = set()
    for d, path in zip(drivers, paths, strict=True):
        if d.id in seen:
            raise InputError(f"{path}.id", f"duplicate driver id {d.id!r}")
        seen.add(d.id)
    rides = [
        _ride(o, f"rides[{k}]", clock) for k, o in enumerate(_get(data, "rides", "", kind="list"))
    ]
    problem = RidesProblem(tuple(drivers), tuple(rides), speed_kmh=float(speed))
    validate(problem)
    return problem, clock


def rides_solution_to_json(sol: RideSolution, clock: Clock) -> dict[str, Any]:
    return {
        "cost_km": round(sol.cost_km, 3),
        "routes": [
            {
                "driver": r.driver_id,
                "shift": [clock.iso(r.shift[0]), clock.iso(r.shift[1])],
                "leave_home": clock.iso(r.start),
                "back_home": clock.iso(r.end),
                "km": round(r.km, 3),
                "stops": [
                    {"ride": s.ride_id, "kind": s.kind, "time": clock.iso(s.time)} for s in r.stops
                ],
            }
            for r in sol.routes
        ],
        "unserved": [{"ride": u.ride_id, "reason": u.reason} for u in sol.unserved],
    }


def solve_rides_scenario(data: dict[str, Any], time_limit: float, seed: int = 0) -> dict[str, Any]:
    """Parse the rides part of a scenario, solve it and return the JSON-ready plan."""
    problem, clock = parse_rides(data)
    return rides_solution_to_json(solve_rides(problem, time_limit_s=time_limit, seed=seed), clock)
