"""Rides in a match run: rows -> ``matching.rides`` dataclasses, solve, back to proposals.

Adapter decisions (the rides solver plans legs; Ponte books ride *groups*):
- A ride with a return is two shifts sharing ``group_key`` and one volunteer drives both
  (the driver waits and brings the passenger home, DOMAIN.md); the solver keeps the two
  legs with one driver.
- A volunteer's limit is weekly (``hours_per_week``): each person is one solver driver per
  calendar week of the range (id ``"<person>@<monday>"``), with that week's shifts and
  the minutes left that week after the shifts they already hold (visits included) and
  after the visits proposed to them earlier in the same run (scope *Both*: ``planned``),
  whose times are cut out of their availability too. A leg counts its shift's length
  (``busy_min``), as the app and the time bank do.
- Every group the solver serves is re-checked against the app's own rules
  (``shifts.eligibility``: radius from home, seats, wheelchair, credentials, absences)
  and against the driver's other proposals (rides and the run's visits), held shifts and
  hours left that week; a group that fails goes to the next driver that fits, first
  come, else it is unserved with the reason.
- The first-come baseline is the same greedy without the solver's choice, counting the
  visits first come would have made (``baseline_planned``) instead of the proposals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from matching.rides.check import check_rides
from matching.rides.solver import solve_rides
from webapp.core.timeutil import monday_of, travel
from webapp.matchrun.hours import (
    Planned,
    busy_minutes,
    by_person,
)
from webapp.matchrun.priority import ride_priority
from webapp.matchrun.ride_inputs import ride_inputs, weekly_left
from webapp.matchrun.shared_rides import Unit, shared_units
from webapp.people.models import Person
from webapp.places.geocoding import distance_km, located
from webapp.shifts.eligibility import conflict, ineligibility, volunteer_distance
from webapp.shifts.models import Shift

# Group leader id -> (driver, how they were chosen) or (None, why nobody was, if known).
RidePlan = dict[int, tuple[Person | None, str | None]]


class _Book:
    """Per driver: legs proposed in this run, and the run's visits (``planned``), for
    the overlap and weekly-hours checks between proposals."""

    def __init__(self, speed: float, planned: Sequence[Planned] = ()) -> None:
        self.speed = speed
        self.legs: dict[int, list[Shift]] = {}
        self.planned = by_person(planned)
        self._left: dict[tuple[int, date], int] = {}  # one query per person and week

    def why_not(self, person: Person, group: list[Shift]) -> str | None:
        for leg in group:
            reason = ineligibility(person, leg)
            if reason:
                return str(reason)
        for leg in group:
            for visit in self.planned.get(person.id, []):
                if not (_after(visit, leg, self.speed) or _after(leg, visit, self.speed)):
                    return "already proposed for a visit at that time"
            for other in self.legs.get(person.id, []):
                if not (_after(other, leg, self.speed) or _after(leg, other, self.speed)):
                    return "already proposed for another ride at that time"
        reason = conflict(person, group, self.speed)
        if reason:
            return str(reason)
        monday = monday_of(group[0].occurrence_date)
        mine: list[Shift | Planned] = [
            *self.legs.get(person.id, []),
            *self.planned.get(person.id, []),
        ]
        booked = busy_minutes(x for x in mine if monday_of(x.occurrence_date) == monday)
        if (person.id, monday) not in self._left:
            self._left[person.id, monday] = weekly_left(person, monday)
        if booked + busy_minutes(group) > self._left[person.id, monday]:
            return "the driver has no hours left this week"
        return None

    def book(self, person: Person, group: list[Shift]) -> None:
        self.legs.setdefault(person.id, []).extend(group)


def _after(a: Shift | Planned, b: Shift | Planned, speed: float) -> bool:
    # Ride legs are on the map (_groups) and so are the visits a run plans.
    km = distance_km(
        located(a.end_lat, a.end_lon, f"shift {a.id}"),
        located(b.start_lat, b.start_lon, f"shift {b.id}"),
    )
    return b.starts_at >= a.ends_at + travel(km, speed)


def solve_rides_range(
    org_id: int,
    first: date,
    last: date,
    *,
    pins: dict[str, dict[str, Any]],
    seed: int,
    time_limit_s: float,
    say: Callable[[float, str], None],
    lo: float = 0.0,
    hi: float = 1.0,
    planned: Sequence[Planned] = (),
    baseline_planned: Sequence[Planned] = (),
    no_share: set[int] | frozenset[int] = frozenset(),
) -> dict[str, Any]:
    """Plan the open ride groups of ``first..last``; pins name the driver of a group.

    ``planned``: visits proposed earlier in the same run (scope *Both*), which take the
    driver's time and weekly minutes like held shifts; ``baseline_planned``: the visits
    first come would have made, for the first-come baseline; ``no_share``: ride groups
    (first leg ids) the coordinator split out of a shared ride."""
    say(lo, f"rides:{first.isoformat()}:converting")
    inputs = ride_inputs(org_id, first, last, planned)
    groups, people, problem, speed = inputs.groups, inputs.people, inputs.problem, inputs.speed
    rides = problem.rides
    say(lo + 0.1 * (hi - lo), f"rides:{first.isoformat()}:solving")
    sol = solve_rides(problem, time_limit_s=time_limit_s, seed=seed) if rides else None
    say(lo + 0.9 * (hi - lo), f"rides:{first.isoformat()}:checking")
    driver_of = {
        s.ride_id: r.driver_id.split("@")[0] for r in (sol.routes if sol else ()) for s in r.stops
    }
    reason_of = {u.ride_id: u.reason for u in (sol.unserved if sol else ())}
    by_id = {p.id: p for p in people}
    pins = {k: v for k, v in pins.items() if v.get("kind") == "ride"}
    keep_apart = set(pins) | {str(x) for x in no_share}
    units = shared_units(groups, sol, inputs.at, keep_apart) if sol else []
    plan, booked_units = _assign(
        groups, people, speed, pins, lambda g: driver_of.get(str(g[0].id)), by_id, planned,
        units=units,
    )  # fmt: skip
    baseline, _none = _assign(groups, people, speed, {}, lambda g: None, by_id, baseline_planned)
    solved = sol is not None
    result = _result(groups, plan, baseline, reason_of, pins, inputs.tz, solved, booked_units)
    result["check_errors"] = [str(e) for e in check_rides(problem, sol)] if sol else []
    return result


def _assign(
    groups: list[list[Shift]],
    people: list[Person],
    speed: float,
    pins: dict[str, dict[str, Any]],
    choice: Callable[[list[Shift]], str | None],
    by_id: dict[int, Person],
    planned: Sequence[Planned],
    *,
    units: Sequence[Unit] = (),
) -> tuple[RidePlan, list[Unit]]:
    """Group leader id -> (person, note). Pins first, then the solver's shared rides
    (``units``) booked whole if their driver passes every rule for all their legs, then
    the solver's driver if they still pass every rule, else the first driver that does
    (first come). ``planned``: the run's visits, which the drivers' time and hours must
    leave room for. Returns the plan and the units booked."""
    book = _Book(speed, planned)
    out: RidePlan = {}
    booked_units = []
    for g in groups:
        pin = pins.get(str(g[0].id))
        person = by_id.get(int(pin["people"][0])) if pin else None
        if pin and person is not None and book.why_not(person, g) is None:
            book.book(person, g)
            out[g[0].id] = (person, "pinned")
    for unit in units:
        person = by_id.get(unit.person_id)
        if person is None or any(g[0].id in out for g in unit.groups):
            continue
        if book.why_not(person, unit.legs) is None:
            book.book(person, unit.legs)
            booked_units.append(unit)
            for g in unit.groups:
                out[g[0].id] = (person, "shared")
    order = sorted(groups, key=lambda g: (str(g[0].id) not in pins, g[0].starts_at, g[0].id))
    for g in order:
        if g[0].id in out:
            continue
        pin = pins.get(str(g[0].id))
        wanted = choice(g)
        if pin:
            tries = [by_id.get(int(pin["people"][0]))]
        else:
            tries = [by_id.get(int(wanted))] if wanted else []
            tries += people
        reasons = []
        for p in [x for x in tries if x is not None]:
            why = book.why_not(p, g)
            if why is None:
                book.book(p, g)
                out[g[0].id] = (
                    p,
                    "pinned"
                    if pin
                    else "solver"
                    if wanted and int(wanted) == p.id
                    else "repaired"
                    if wanted
                    else "first_come",
                )
                break
            reasons.append(why)
            if pin:
                break  # a pin names its driver: no one else is tried
        if g[0].id not in out:
            out[g[0].id] = (None, reasons[0] if pin and reasons else None)
    return out, booked_units


def _result(
    groups: list[list[Shift]],
    plan: RidePlan,
    baseline: RidePlan,
    reason_of: dict[str, str],
    pins: dict[str, dict[str, Any]],
    tz: ZoneInfo,
    solved: bool,
    units: Sequence[Unit] = (),
) -> dict[str, Any]:
    """Proposals (the driver's load that week is added by the worker once the whole run is
    planned: ``hours.count_loads``), unserved groups with the reason, both summaries. A
    shared ride is one proposal (kind ``route``) under its earliest leg."""
    proposals, unserved = [], []
    in_unit = {g[0].id for u in units for g in u.groups}
    for u in units:
        person = plan[u.groups[0][0].id][0]
        if person is None:  # not reached: a unit is booked with its driver
            continue
        legs = u.legs
        first = legs[0]
        proposals.append(
            {
                "shift_id": first.id,
                "kind": "route",
                "legs": [x.id for x in legs],
                "groups": [g[0].id for g in u.groups],
                "stops": u.stops,
                "km_route": round(u.km, 2),
                "start": u.stops[0]["at"],
                "end": u.stops[-1]["at"],
                "fixed": False,
                "pinned": False,
                "source": "shared",
                "volunteers": [
                    {
                        "person_id": person.id,
                        "km": round(volunteer_distance(person, first) or 0.0, 2),
                        "slot": None,
                        "continuity": False,
                    }
                ],
            }
        )
    for g in groups:
        if g[0].id in in_unit:
            continue
        person, note = plan[g[0].id]
        if person is None:
            reason = (
                note
                or reason_of.get(str(g[0].id))
                or (
                    "no driver passes the checks for this ride" if solved else "no driver available"
                )
            )
            unserved.append({"shift_id": g[0].id, "reason": reason})
            continue
        km = volunteer_distance(person, g[0])
        slot = next(
            (
                (s.start, s.end)
                for s in person.slots
                if s.weekday == g[0].occurrence_date.weekday()
                and s.start <= g[0].starts_at.astimezone(tz).time()
            ),
            None,
        )
        proposals.append(
            {
                "shift_id": g[0].id,
                "kind": "ride",
                "legs": [x.id for x in g],
                "start": g[0].starts_at.isoformat(),
                "end": g[-1].ends_at.isoformat(),
                "fixed": False,
                "pinned": str(g[0].id) in pins,
                "source": note,
                "volunteers": [
                    {
                        "person_id": person.id,
                        "km": round(km or 0.0, 2),
                        "slot": [
                            datetime.combine(g[0].occurrence_date, slot[0], tzinfo=tz).isoformat(),
                            datetime.combine(g[0].occurrence_date, slot[1], tzinfo=tz).isoformat(),
                        ]
                        if slot
                        else None,
                        "continuity": g[0].request.preferred_volunteer_id == person.id,
                    }
                ],
            }
        )

    def summary(p: RidePlan) -> dict[str, Any]:
        drivers = [(g, p[g[0].id][0]) for g in groups]
        served = [(g, person) for g, person in drivers if person is not None]
        return {
            "served": len(served),
            "drivers": len({person.id for _g, person in served}),
            "priority": sum(ride_priority(g[0].request) for g, _ in served),
            "km": round(sum(volunteer_distance(person, g[0]) or 0 for g, person in served), 2),
            "continuity": sum(
                1 for g, person in served if g[0].request.preferred_volunteer_id == person.id
            ),
        }

    base = summary(baseline)
    base["unserved"] = [g[0].id for g in groups if baseline[g[0].id][0] is None]
    return {
        "proposals": proposals,
        "unserved": unserved,
        "solver": summary(plan),
        "baseline": base,
        "rides_total": len(groups),
    }
