"""An upper bound on level 1 (priority served) from a timing-free relaxation.

Keeps who-serves-what, two-or-none, weekly minutes and the energetic cuts of the full model
but drops start times, slots-as-intervals and travel. Every valid plan is feasible here, so
CP-SAT's proven bound on this model bounds the problem restricted to the SAME candidate
sets: with capped candidates it is not a bound on the real problem. Kept for comparison;
``matching.visits.lp_bound`` bounds the real problem (every feasible pair) and is tighter.
"""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from matching.visits.cpsat_model import MAX_CUT_SPAN
from matching.visits.model import VisitProblem
from matching.visits.prune import Candidate


def relaxation_bound(
    problem: VisitProblem,
    cands: list[tuple[Candidate, ...]],
    time_limit_s: float,
    seed: int = 0,
    hint: dict[int, tuple[int, ...]] | None = None,
) -> tuple[int | None, int]:
    """(proven upper bound or None, best relaxed value) within ``time_limit_s``.

    ``hint`` (visit index -> volunteer indices, e.g. a solver plan) gives CP-SAT a first
    solution, so that a bound is reported even when the search finds nothing better."""
    visits, vols = problem.visits, problem.volunteers
    m = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    served = []
    flags: dict[int, cp_model.IntVar] = {}
    span: dict[tuple[int, int], tuple[int, int]] = {}
    for i, row in enumerate(cands):
        if not row:
            continue
        s = flags[i] = m.new_bool_var(f"v{i}")
        served.append(visits[i].priority * s)
        for c in row:
            x[i, c.vol] = m.new_bool_var(f"x{i}_{c.vol}")
            span[i, c.vol] = (
                min(lo for lo, _ in c.starts),
                max(hi for _, hi in c.starts) + visits[i].duration_min,
            )
        m.add(sum(x[i, c.vol] for c in row) == visits[i].volunteers_needed * s)
    by_vol: dict[int, list[int]] = {}
    for i, j in x:
        by_vol.setdefault(j, []).append(i)
    for j, items in by_vol.items():
        dur = np.array([visits[i].duration_min for i in items])
        m.add(sum(int(d) * x[i, j] for d, i in zip(dur, items, strict=True)) <= vols[j].max_minutes)
        e = np.array([span[i, j][0] for i in items])
        lt = np.array([span[i, j][1] for i in items])
        for a in np.unique(e).tolist():
            inside = e >= a
            for b in np.unique(lt[inside]).tolist():
                group = np.nonzero(inside & (lt <= b))[0]
                if a < b <= a + MAX_CUT_SPAN and len(group) > 1 and dur[group].sum() > b - a:
                    m.add(sum(int(dur[k]) * x[items[k], j] for k in group.tolist()) <= b - a)
    m.maximize(sum(served))
    if hint is not None:
        for (i, j), var in x.items():
            m.add_hint(var, i in hint and j in hint[i])
        for i, var in flags.items():
            m.add_hint(var, i in hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.cp_model_probing_level = 0
    status = solver.solve(m)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return int(solver.best_objective_bound + 1e-6), int(solver.objective_value)
    return None, 0
