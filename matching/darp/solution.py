"""Dial-a-ride solutions and their JSON form.

JSON: ``{"instance": name, "cost": float, "routes": [{"vehicle": k, "stops":
[{"vertex": id, "start": t}, ...]}], "unserved": [request ids]}``. Every route starts at
vertex 0 and ends at vertex 2n+1; an unused vehicle is ``[0, 2n+1]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matching.common.errors import InputError


@dataclass(frozen=True)
class Stop:
    vertex: int
    start: float  # start of service


@dataclass(frozen=True)
class Route:
    vehicle: int
    stops: tuple[Stop, ...]


@dataclass(frozen=True)
class DarpSolution:
    instance: str
    cost: float
    routes: tuple[Route, ...]
    unserved: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "instance": self.instance,
            "cost": self.cost,
            "routes": [
                {
                    "vehicle": r.vehicle,
                    "stops": [{"vertex": s.vertex, "start": s.start} for s in r.stops],
                }
                for r in self.routes
            ],
            "unserved": list(self.unserved),
        }

    @classmethod
    def from_json(cls, data: Any) -> DarpSolution:
        """Build a solution from parsed JSON, raising :class:`InputError` on bad shape."""
        if not isinstance(data, dict):
            raise InputError("solution", "must be a JSON object")
        try:
            routes = tuple(
                Route(
                    int(r["vehicle"]),
                    tuple(Stop(int(s["vertex"]), float(s["start"])) for s in r["stops"]),
                )
                for r in data["routes"]
            )
            return cls(
                str(data.get("instance", "")),
                float(data.get("cost", 0.0)),
                routes,
                tuple(int(u) for u in data.get("unserved", [])),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError("solution", f"malformed solution: {exc!r}") from None
