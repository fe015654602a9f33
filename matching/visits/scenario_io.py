"""The JSON scenario format (docs/scenario.schema.json): parse, validate, serialise.

Validation is hand-written rather than delegated to jsonschema so that every error is an
``InputError`` naming the exact field (``visits[3].windows[0]``) in plain words. Times are
local ISO 8601 without offset, to the minute; inside the model they become integer minutes
from ``origin`` = midnight of the earliest date that appears in the scenario.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matching.common.errors import InputError
from matching.common.json_fields import MinuteClock
from matching.common.json_fields import get_field as _get
from matching.visits.model import FixedAssignment, Visit, VisitProblem, VisitSolution, Volunteer


class _Clock(MinuteClock):
    """The origin is midnight of the earliest date anywhere in the scenario."""

    def __init__(self, data: dict[str, Any]) -> None:
        stamps = []
        for key, sub in (("volunteers", "available"), ("visits", "windows")):
            for item in data.get(key) or []:
                if isinstance(item, dict) and isinstance(item.get(sub), list):
                    stamps += [s for pair in item[sub] if isinstance(pair, list) for s in pair]
        for f in data.get("fixed") or []:
            if isinstance(f, dict):
                stamps.append(f.get("start"))
        super().__init__(stamps)

    def intervals(self, value: Any, field: str, allow_empty: bool) -> tuple[tuple[int, int], ...]:
        if not isinstance(value, list) or (not value and not allow_empty):
            raise InputError(field, "must be a non-empty list of [start, end]")
        out = []
        for k, pair in enumerate(value):
            f = f"{field}[{k}]"
            if not isinstance(pair, list) or len(pair) != 2:
                raise InputError(f, "must be a pair [start, end]")
            s, e = self.minutes(pair[0], f + "[0]"), self.minutes(pair[1], f + "[1]")
            if e <= s:
                raise InputError(f, "end before start" if e < s else "empty (end equals start)")
            out.append((s, e))
        return tuple(out)


def _point(obj: dict[str, Any], path: str) -> tuple[float, float]:
    lat, lon = _get(obj, "lat", path, kind="number"), _get(obj, "lon", path, kind="number")
    if not -90 <= lat <= 90:
        raise InputError(f"{path}.lat", "must be between -90 and 90")
    if not -180 <= lon <= 180:
        raise InputError(f"{path}.lon", "must be between -180 and 180")
    return float(lat), float(lon)


def _languages(obj: dict[str, Any], path: str) -> frozenset[str]:
    langs = _get(obj, "languages", path, [], kind="list")
    if not all(isinstance(code, str) and code for code in langs):
        raise InputError(f"{path}.languages", "must be a list of language codes")
    return frozenset(langs)


def _nonneg(obj: dict[str, Any], key: str, path: str, kind: str, default: Any = ...) -> Any:
    value = _get(obj, key, path, default, kind=kind)
    if value < 0:
        raise InputError(f"{path}.{key}", "must not be negative")
    return value


def _volunteer(obj: Any, path: str, clock: _Clock) -> Volunteer:
    if not isinstance(obj, dict):
        raise InputError(path, "must be an object")
    lat, lon = _point(obj, path)
    return Volunteer(
        id=_get(obj, "id", path, kind="str"),
        lat=lat,
        lon=lon,
        max_km=float(_nonneg(obj, "max_km", path, "number")),
        available=clock.intervals(_get(obj, "available", path), f"{path}.available", True),
        max_minutes=_nonneg(obj, "max_minutes", path, "int"),
        languages=_languages(obj, path),
        gender=_get(obj, "gender", path, None, kind="optstr"),
        visits=_get(obj, "visits", path, True, kind="bool"),
        drives=_get(obj, "drives", path, False, kind="bool"),
        approved=_get(obj, "approved", path, True, kind="bool"),
        credentials_ok=_get(obj, "credentials_ok", path, True, kind="bool"),
    )


def _visit(obj: Any, path: str, clock: _Clock, vol_ids: set[str]) -> Visit:
    if not isinstance(obj, dict):
        raise InputError(path, "must be an object")
    lat, lon = _point(obj, path)
    duration = _get(obj, "duration_min", path, kind="int")
    if duration <= 0:
        raise InputError(f"{path}.duration_min", "must be a positive number of minutes")
    needed = _get(obj, "volunteers_needed", path, 1, kind="int")
    if needed not in (1, 2):
        raise InputError(f"{path}.volunteers_needed", "must be 1 or 2")
    preferred = _get(obj, "preferred_volunteer", path, None, kind="optstr")
    if preferred is not None and preferred not in vol_ids:
        raise InputError(f"{path}.preferred_volunteer", f"unknown volunteer id {preferred!r}")
    return Visit(
        id=_get(obj, "id", path, kind="str"),
        lat=lat,
        lon=lon,
        duration_min=duration,
        windows=clock.intervals(_get(obj, "windows", path), f"{path}.windows", False),
        priority=_nonneg(obj, "priority", path, "int", 1),
        languages=_languages(obj, path),
        gender=_get(obj, "gender", path, None, kind="optstr"),
        volunteers_needed=needed,
        preferred_volunteer=preferred,
    )


def _unique(items: Sequence[Volunteer | Visit], key: str) -> set[str]:
    seen: set[str] = set()
    for k, item in enumerate(items):
        if item.id in seen:
            raise InputError(f"{key}[{k}].id", f"duplicate id {item.id!r}")
        seen.add(item.id)
    return seen


def _fixed(
    obj: Any, path: str, clock: _Clock, visits: dict[str, Visit], vol_ids: set[str]
) -> FixedAssignment:
    if not isinstance(obj, dict):
        raise InputError(path, "must be an object")
    vid = _get(obj, "visit", path, kind="str")
    if vid not in visits:
        raise InputError(f"{path}.visit", f"unknown visit id {vid!r}")
    vols = _get(obj, "volunteers", path, kind="list")
    for k, u in enumerate(vols):
        if u not in vol_ids:
            raise InputError(f"{path}.volunteers[{k}]", f"unknown volunteer id {u!r}")
    if len(set(vols)) != len(vols) or len(vols) != visits[vid].volunteers_needed:
        raise InputError(
            f"{path}.volunteers", f"needs {visits[vid].volunteers_needed} distinct volunteer(s)"
        )
    return FixedAssignment(
        vid, tuple(vols), clock.minutes(_get(obj, "start", path), f"{path}.start")
    )


def parse_scenario(data: Any) -> tuple[VisitProblem, _Clock]:
    """Validate a decoded scenario; return the problem and the clock to print times back.

    Raises ``InputError`` naming the first bad field.
    """
    if not isinstance(data, dict):
        raise InputError("scenario", "must be a JSON object")
    speed = _get(data, "speed_kmh", "", kind="number")
    if speed <= 0:
        raise InputError("speed_kmh", "must be positive")
    clock = _Clock(data)
    raw_vols = _get(data, "volunteers", "", [] if "rides" in data else ..., kind="list")
    vols = [_volunteer(o, f"volunteers[{k}]", clock) for k, o in enumerate(raw_vols)]
    vol_ids = _unique(vols, "volunteers")
    raw_visits = _get(data, "visits", "", [] if "rides" in data else ..., kind="list")
    visits = [_visit(o, f"visits[{k}]", clock, vol_ids) for k, o in enumerate(raw_visits)]
    _unique(visits, "visits")
    by_id = {v.id: v for v in visits}
    fixed = [
        _fixed(o, f"fixed[{k}]", clock, by_id, vol_ids)
        for k, o in enumerate(_get(data, "fixed", "", [], kind="list"))
    ]
    seen: set[str] = set()
    for k, f in enumerate(fixed):
        if f.visit in seen:
            raise InputError(f"fixed[{k}].visit", f"visit {f.visit!r} is fixed twice")
        seen.add(f.visit)
    return VisitProblem(tuple(vols), tuple(visits), float(speed), tuple(fixed)), clock


def solution_to_json(sol: VisitSolution, clock: _Clock) -> dict[str, Any]:
    """The documented output shape (see docs/matching.md)."""
    return {
        "status": sol.status,
        "level_status": list(sol.level_status),
        "seconds": sol.seconds,
        "objective": {
            "priority": sol.objective.priority,
            "continuity": sol.objective.continuity,
            "travel_km": sol.objective.travel_km,
            "fairness": sol.objective.fairness,
        },
        "priority_upper_bound": sol.priority_bound,
        "assignments": [
            {
                "visit": a.visit,
                "volunteers": list(a.volunteers),
                "start": clock.iso(a.start),
                "end": clock.iso(a.end),
                "fixed": a.fixed,
                "details": [
                    {
                        "volunteer": d.volunteer,
                        "distance_km": d.distance_km,
                        "slot": [clock.iso(d.slot[0]), clock.iso(d.slot[1])],
                        "continuity": d.continuity,
                    }
                    for d in a.details
                ],
            }
            for a in sol.assignments
        ],
        "unserved": [{"visit": u.visit, "reason": u.reason} for u in sol.unserved],
        "loads": dict(sol.loads),
    }
