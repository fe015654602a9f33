"""Independent checker: verifies every hard rule of a visits solution, trusting nothing.

It shares no code with pruning or the model: it recomputes eligibility, exact distances
(injected function or geodesic, never the haversine shortcut), windows, slots, travel-aware
overlaps, minutes and fixed assignments straight from the problem, plus the reported
objective levels and loads. An empty list means the solution is valid.
"""

from __future__ import annotations

import math

from matching.common.geo import geodesic_km
from matching.visits.model import VisitProblem, VisitSolution, fairness_cost


def check_solution(problem: VisitProblem, sol: VisitSolution) -> list[str]:
    """Return one human-readable line per violated rule (empty if valid)."""
    dist = problem.distance_km or geodesic_km
    vols = {u.id: u for u in problem.volunteers}
    visits = {v.id: v for v in problem.visits}
    errors: list[str] = []
    seen: set[str] = set()
    schedule: dict[str, list[tuple[int, int, str]]] = {u: [] for u in vols}

    def travel(a: str, b: str) -> int:
        km = dist(visits[a].point, visits[b].point)
        return max(0, math.ceil(km * 60.0 / problem.speed_kmh - 1e-9))

    for a in sol.assignments:
        v = visits.get(a.visit)
        if v is None:
            errors.append(f"{a.visit}: unknown visit")
            continue
        if a.visit in seen:
            errors.append(f"{a.visit}: assigned twice")
        seen.add(a.visit)
        if len(set(a.volunteers)) != len(a.volunteers):
            errors.append(f"{a.visit}: the same volunteer listed twice")
        if len(a.volunteers) != v.volunteers_needed:
            errors.append(
                f"{a.visit}: needs {v.volunteers_needed} volunteers, got {len(a.volunteers)}"
            )
        end = a.start + v.duration_min
        if a.end != end:
            errors.append(f"{a.visit}: end {a.end} is not start + duration ({end})")
        if not any(ws <= a.start and end <= we for ws, we in v.windows):
            errors.append(f"{a.visit}: not inside any of its windows")
        for uid in a.volunteers:
            u = vols.get(uid)
            if u is None:
                errors.append(f"{a.visit}: unknown volunteer {uid}")
                continue
            schedule[uid].append((a.start, end, a.visit))
            tag = f"{a.visit}/{uid}"
            if not (u.visits and u.approved and u.credentials_ok):
                errors.append(f"{tag}: volunteer not eligible for visits")
            if v.languages and not (v.languages & u.languages):
                errors.append(f"{tag}: no shared language")
            if v.gender and u.gender != v.gender:
                errors.append(f"{tag}: gender preference not met")
            if dist(u.point, v.point) > u.max_km:
                errors.append(f"{tag}: beyond the volunteer's radius")
            if not any(s <= a.start and end <= e for s, e in u.available):
                errors.append(f"{tag}: outside the volunteer's availability")

    for uid, items in schedule.items():
        items.sort()
        for (_, e1, first), (s2, _, second) in zip(items, items[1:], strict=False):
            if e1 + travel(first, second) > s2:
                errors.append(f"{uid}: {first} and {second} overlap once travel is counted")
        load = sum(e - s for s, e, _ in items)
        if load > vols[uid].max_minutes:
            errors.append(f"{uid}: {load} minutes exceed the limit {vols[uid].max_minutes}")
        if sol.loads.get(uid, 0) != load:
            errors.append(f"{uid}: reported load {sol.loads.get(uid)} but actual {load}")

    given = {a.visit: a for a in sol.assignments}
    for f in problem.fixed:
        kept = given.get(f.visit)
        if kept is None or kept.start != f.start or set(kept.volunteers) != set(f.volunteers):
            errors.append(f"{f.visit}: fixed assignment not kept as it was")
    unserved = [u.visit for u in sol.unserved]
    if sorted(unserved + list(seen)) != sorted(visits):
        errors.append("assignments and unserved do not list every visit exactly once")

    served = [visits[a.visit] for a in sol.assignments if a.visit in visits]
    priority = sum(v.priority for v in served)
    continuity = sum(
        1
        for a in sol.assignments
        if a.visit in visits and visits[a.visit].preferred_volunteer in a.volunteers
    )
    fairness = sum(fairness_cost(sum(e - s for s, e, _ in it)) for it in schedule.values())
    obj = sol.objective
    if (obj.priority, obj.continuity, obj.fairness) != (priority, continuity, fairness):
        errors.append(
            f"objective reported {obj} but recomputed priority={priority}, "
            f"continuity={continuity}, fairness={fairness}"
        )
    return errors
