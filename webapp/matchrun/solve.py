"""Run the solvers for a match run and turn their answers into the run's JSON results.

Pure of web concerns: called by the worker process (``worker.py``) with a ``say(fraction,
code)`` callback that records progress. The JSON keeps ids and numbers only; names are
looked up when the page is shown, so nothing personal is copied into the run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from matching.visits.baseline import first_come
from matching.visits.check import check_solution
from matching.visits.model import VisitSolution
from matching.visits.solve import solve_visits
from webapp.matchrun.convert import WeekInput, visit_week, weeks
from webapp.matchrun.hours import Planned

Say = Callable[[float, str], None]


def _summary(sol: VisitSolution) -> dict[str, Any]:
    return {
        "served": len(sol.assignments),
        "priority": sol.objective.priority,
        "km": round(sol.objective.travel_km, 2),
        "continuity": sol.objective.continuity,
    }


def _proposals(w: WeekInput, sol: VisitSolution, pinned: set[str]) -> list[dict[str, Any]]:
    """The week's proposals; each volunteer's load that week is added by the worker once
    the whole run is planned (``hours.count_loads``: rides proposed later included)."""
    out = []
    for a in sol.assignments:
        out.append(
            {
                "shift_id": int(a.visit),
                "kind": "visit",
                "start": w.at(a.start).isoformat(),
                "end": w.at(a.end).isoformat(),
                "fixed": a.fixed and a.visit not in pinned,
                "pinned": a.visit in pinned,
                "volunteers": [
                    {
                        "person_id": int(d.volunteer),
                        "km": d.distance_km,
                        "slot": [w.at(d.slot[0]).isoformat(), w.at(d.slot[1]).isoformat()],
                        "continuity": d.continuity,
                    }
                    for d in a.details
                ],
            }
        )
    return out


def _plan(w: WeekInput, sol: VisitSolution, pinned: set[str]) -> list[dict[str, Any]]:
    """Who first come would send when: ids and times only. The rides part of a *Both*
    run counts them, so that its own first-come baseline follows this one."""
    return [
        {
            "shift_id": int(a.visit),
            "start": w.at(a.start).isoformat(),
            "end": w.at(a.end).isoformat(),
            "fixed": a.fixed and a.visit not in pinned,
            "volunteers": [{"person_id": int(u)} for u in a.volunteers],
        }
        for a in sol.assignments
    ]


def solve_visits_range(
    org_id: int,
    first: date,
    last: date,
    *,
    pins: dict[str, dict[str, Any]],
    seed: int,
    time_limit_s: float,
    say: Say,
    lo: float = 0.0,
    hi: float = 1.0,
    planned: Sequence[Planned] = (),
) -> dict[str, Any]:
    """Solve ``first..last`` week by week; progress runs from ``lo`` to ``hi``.

    ``planned`` is other work of the same run (rides pinned to a driver): it takes the
    volunteer's time and weekly minutes like a shift they hold."""
    spans = weeks(first, last)
    result: dict[str, Any] = {
        "proposals": [],
        "unserved": [],
        "dropped_pins": [],
        "check_errors": [],
        "solver": {
            "served": 0,
            "priority": 0,
            "km": 0.0,
            "continuity": 0,
            "seconds": 0.0,
            "status": [],
        },
        "baseline": {
            "served": 0,
            "priority": 0,
            "km": 0.0,
            "continuity": 0,
            "unserved": [],
            "proposals": [],
        },
        "visits_total": 0,
    }
    step = (hi - lo) / max(1, len(spans))
    for k, (monday, a, b) in enumerate(spans):
        base = lo + k * step
        say(base, f"converting:{monday.isoformat()}")
        w = visit_week(org_id, monday, a, b, pins, planned=planned)
        pinned = {f.visit for f in w.problem.fixed if f.visit in pins}
        say(base + 0.05 * step, f"solving:{monday.isoformat()}:start")

        def progress(stage: str, frac: float, base: float = base, monday: date = monday) -> None:
            say(base + (0.05 + 0.85 * frac) * step, f"solving:{monday.isoformat()}:{stage}")

        sol = solve_visits(w.problem, time_limit_s=time_limit_s, seed=seed, progress=progress)
        say(base + 0.92 * step, f"baseline:{monday.isoformat()}")
        greedy = first_come(w.problem)
        result["check_errors"] += check_solution(w.problem, sol)
        result["proposals"] += _proposals(w, sol, pinned)
        result["unserved"] += [{"shift_id": int(u.visit), "reason": u.reason} for u in sol.unserved]
        result["unserved"] += [{"shift_id": int(s), "reason": r} for s, r in w.skipped]
        result["dropped_pins"] += [{"shift_id": int(s), "reason": r} for s, r in w.dropped_pins]
        result["visits_total"] += len(w.problem.visits) + len(w.skipped)
        for key, value in _summary(sol).items():
            result["solver"][key] += value
        result["solver"]["seconds"] += sol.seconds
        result["solver"]["status"].append(sol.status)
        for key, value in _summary(greedy).items():
            result["baseline"][key] += value
        result["baseline"]["unserved"] += [int(u.visit) for u in greedy.unserved]
        result["baseline"]["unserved"] += [int(s) for s, _ in w.skipped]
        result["baseline"]["proposals"] += _plan(w, greedy, pinned)
    for part in ("solver", "baseline"):
        result[part]["km"] = round(result[part]["km"], 2)
    result["solver"]["seconds"] = round(result["solver"]["seconds"], 2)
    return result
