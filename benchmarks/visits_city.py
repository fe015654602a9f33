"""Benchmark: the visits solver vs first-come on generated town weeks.

    python benchmarks/visits_city.py --sizes 200x50,1000x200,2000x400 --time-limit 10

Prints per size: prune and search seconds, total, status, objective levels, the
level-1 gap to the proven bounds, the checker verdict and the first-come baseline. Bounds:
the solve's own (``priority_bound``: CP-SAT's when no candidate was capped, the LP bound on
small weeks), the LP bound over every feasible pair (``matching.visits.lp_bound``, timed
separately), and optionally the older timing-free CP-SAT relaxation over the CAPPED
candidates, which bounds the capped model only (``--bound-time``, 0 skips it), and
optionally the column-generation bound (``matching.bounds.cg_bound``: timing and travel inside
each slot, then each volunteer's weekly minutes kept whole; ``--cg-bound SECONDS`` caps
both, 0 skips it).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.town_week import town_week  # noqa: E402
from matching.bounds.cg_bound import cg_bound  # noqa: E402
from matching.bounds.relaxation import relaxation_bound  # noqa: E402
from matching.common.geo import Geo  # noqa: E402
from matching.visits.baseline import first_come  # noqa: E402
from matching.visits.check import check_solution  # noqa: E402
from matching.visits.cpsat_model import VisitModel  # noqa: E402
from matching.visits.lp_bound import lp_bound  # noqa: E402
from matching.visits.prune import prune  # noqa: E402
from matching.visits.scenario_io import parse_scenario  # noqa: E402
from matching.visits.solve import solve_visits  # noqa: E402


def run(
    n_visits: int,
    n_vols: int,
    limit: float,
    seed: int,
    workers: int,
    deterministic: bool,
    fixed_share: float,
    relax_s: float,
    cg_s: float = 0.0,
    solve_seed: int | None = None,
) -> None:
    problem, _ = parse_scenario(town_week(n_visits, n_vols, seed, fixed_share))
    marks: dict[str, float] = {}
    t0 = time.perf_counter()
    sol = solve_visits(
        problem,
        time_limit_s=limit,
        seed=seed if solve_seed is None else solve_seed,
        workers=workers,
        deterministic=deterministic,
        progress=lambda stage, _: marks.setdefault(stage, time.perf_counter()),
    )
    total = time.perf_counter() - t0
    searched = marks["searched"] - t0
    base = first_come(problem)
    o, b = sol.objective, base.objective
    bound = sol.priority_bound
    gap = f"{100 * (bound - o.priority) / bound:.2f}%" if bound else "n/a"
    served = len(sol.assignments)
    print(
        f"\n== {n_visits} visits x {n_vols} volunteers (seed {seed}, solve seed "
        f"{seed if solve_seed is None else solve_seed}, workers {workers}, "
        f"limit {limit}s, deterministic={deterministic}, fixed {len(problem.fixed)}, "
        f"load {os.getloadavg()[0]:.1f})"
    )
    print(
        f"  prune {marks['pruned'] - t0:.2f}s  search done at {searched:.2f}s"
        f"  total {total:.2f}s  "
        f"status {sol.status} {list(sol.level_status)}"
    )
    print(
        f"  cp-sat:     served {served:5d}  priority {o.priority:6d}  continuity "
        f"{o.continuity:4d}  km {o.travel_km:9.1f}  fairness {o.fairness}"
    )
    print(
        f"  first-come: served {len(base.assignments):5d}  priority {b.priority:6d}  "
        f"continuity {b.continuity:4d}  km {b.travel_km:9.1f}  fairness {b.fairness}"
    )
    print(
        f"  level-1 bound {bound}  gap {gap}  demand priority "
        f"{sum(v.priority for v in problem.visits)}  unserved {len(sol.unserved)}"
    )
    geo = Geo(problem.speed_kmh)
    pruned = prune(problem, geo)
    t1 = time.perf_counter()
    lb = lp_bound(problem, pruned)
    lgap = f"{100 * (lb - o.priority) / lb:.2f}%" if lb else "n/a"
    print(
        f"  LP bound (all {sum(len(r) for r in pruned.cands)} feasible pairs) {lb} "
        f"({time.perf_counter() - t1:.2f}s, load {os.getloadavg()[0]:.1f})  gap {lgap}"
    )
    if cg_s > 0:
        # A separate, timed measurement too: column generation over (volunteer, slot)
        # sequences, then whole weeks (``cg_week``), reported as min(its bounds, the LP
        # bound); proven at every round.
        t1 = time.perf_counter()
        cg = cg_bound(problem, pruned, cg_s, lp=lb)
        cgap = f"{100 * (cg.bound - o.priority) / cg.bound:.2f}%" if cg.bound else "n/a"
        print(
            f"  CG bound {cg.bound} (column generation alone {cg.cg}, "
            f"best round {cg.history and min(cg.history):.2f}; "
            f"weekly minutes {cg.week}, lagrangian {cg.week_value or 0:.2f}; "
            f"{time.perf_counter() - t1:.1f}s, {cg.rounds} rounds, {cg.columns} columns, "
            f"{'converged' if cg.converged else 'time cap'}, load {os.getloadavg()[0]:.1f})"
            f"  gap {cgap}"
        )
    if relax_s > 0:
        # A separate, timed measurement (not part of the solve): the proven bound of the
        # timing-free relaxation over the same CAPPED candidate sets (capped model only).
        model = VisitModel(problem, geo, pruned, 15)
        t1 = time.perf_counter()
        index = {v.id: i for i, v in enumerate(problem.visits)}
        vindex = {u.id: j for j, u in enumerate(problem.volunteers)}
        hint = {index[a.visit]: tuple(vindex[u] for u in a.volunteers) for a in sol.assignments}
        rb, relaxed = relaxation_bound(problem, model.cands, relax_s, seed, hint)
        rgap = f"{100 * (rb - o.priority) / rb:.2f}%" if rb else "n/a"
        print(
            f"  capped relaxation bound {rb} ({time.perf_counter() - t1:.1f}s)  gap {rgap}  "
            f"(best relaxed plan {relaxed}: an optimistic figure, travel and times ignored)"
        )
    errors = check_solution(problem, sol) + check_solution(problem, base)
    print(f"  checker: {'OK' if not errors else errors[:5]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="200x50,1000x200,2000x400")
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=0, help="the generated week (and the solve)")
    ap.add_argument(
        "--solve-seeds",
        default=None,
        help="solve the same week once per seed given (comma-separated; default --seed)",
    )
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument(
        "--wall-clock",
        action="store_true",
        help="wall-clock time limit instead of the deterministic one",
    )
    ap.add_argument("--fixed-share", type=float, default=0.03)
    ap.add_argument(
        "--bound-time",
        type=float,
        default=0.0,
        help="seconds for the capped-candidate CP-SAT relaxation (0: skip, the default)",
    )
    ap.add_argument(
        "--cg-bound",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="time cap of the column-generation bound (0: skip, the default)",
    )
    args = ap.parse_args()
    for size in args.sizes.split(","):
        n_visits, n_vols = (int(x) for x in size.lower().split("x"))
        seeds = [None] if args.solve_seeds is None else args.solve_seeds.split(",")
        for solve_seed in seeds:
            run(
                n_visits,
                n_vols,
                args.time_limit,
                args.seed,
                args.workers,
                not args.wall_clock,
                args.fixed_share,
                args.bound_time,
                args.cg_bound,
                None if solve_seed is None else int(solve_seed),
            )


if __name__ == "__main__":
    main()
