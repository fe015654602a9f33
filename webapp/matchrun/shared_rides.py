"""Shared rides in a match run: the solver's routes that carry several passengers at
once, as units booked whole, and the maximum ride time each passenger allows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from matching.rides.model import RideSolution
from webapp.shifts.models import Shift


@dataclass
class Unit:
    """A shared ride the solver planned: one driver, several passengers' ride groups, the
    stops in order with their times (``{"shift_id", "kind", "at"}``) and the route's km."""

    person_id: int
    groups: list[list[Shift]]
    stops: list[dict[str, Any]]
    km: float

    @property
    def legs(self) -> list[Shift]:
        return sorted((leg for g in self.groups for leg in g), key=lambda x: (x.starts_at, x.id))


def max_ride_for(req: Any, org_minutes: int | None) -> int | None:
    """The organisation's maximum ride time, tightened by the request's own."""
    limits = [m for m in (org_minutes, getattr(req, "max_ride_minutes", None)) if m]
    return min(limits) if limits else None


def shared_units(
    groups: list[list[Shift]],
    sol: RideSolution,
    at: Callable[[float], datetime],
    pinned: set[str],
) -> list[Unit]:
    """The solver's routes that carry several passengers at once, as units to book
    whole: every ride group in them complete (both legs in the route) and none pinned or
    split out by the coordinator (``pinned``: first leg ids as strings)."""
    group_of_leg = {str(leg.id): g for g in groups for leg in g}
    out = []
    for route in sol.routes:
        seen: dict[int, list[Shift]] = {}
        aboard, shared = 0, False
        for stop in route.stops:
            g = group_of_leg.get(stop.ride_id)
            if g is None:
                break
            seen.setdefault(g[0].id, g)
            aboard += 1 if stop.kind == "pickup" else -1
            shared = shared or aboard > 1
        else:
            legs = {str(leg.id) for g in seen.values() for leg in g}
            in_route = {s.ride_id for s in route.stops}
            if shared and legs == in_route and not any(str(k) in pinned for k in seen):
                stops = [
                    {"shift_id": int(s.ride_id), "kind": s.kind, "at": at(s.time).isoformat()}
                    for s in route.stops
                ]
                out.append(
                    Unit(int(route.driver_id.split("@")[0]), list(seen.values()), stops, route.km)
                )
    return out
