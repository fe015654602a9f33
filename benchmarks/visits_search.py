"""Benchmark: the ruin-and-recreate visits search alone (no CP-SAT), by time or by work.

    python benchmarks/visits_search.py --sizes 200x50,1000x200,2000x400 --seconds 9
    python benchmarks/visits_search.py --sizes 2000x400 --work 2000000 --seeds 0,1
    python benchmarks/visits_search.py --engine compiled --sizes 2000x400 --work 12000000

Prints per size and seed: pruning and set-up seconds, moves made, position tests (the
deterministic work count), the priority served and whether the checker accepts the plan.
Counting work instead of seconds compares search variants independently of machine load.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.town_week import town_week  # noqa: E402
from matching.common.geo import Geo  # noqa: E402
from matching.visits.check import check_solution  # noqa: E402
from matching.visits.prune import prune  # noqa: E402
from matching.visits.scenario_io import parse_scenario  # noqa: E402
from matching.visits.search import fast_search  # noqa: E402
from matching.visits.search.ruin_recreate import Runner  # noqa: E402
from matching.visits.solution import assemble  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="200x50,1000x200,2000x400")
    ap.add_argument("--seconds", type=float, default=None, help="wall-clock limit per run")
    ap.add_argument("--work", type=int, default=None, help="position tests per run")
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--fixed-share", type=float, default=0.03)
    ap.add_argument(
        "--engine",
        choices=("python", "compiled"),
        default="python",
        help="ruin_recreate (the reference) or fast_search (numba, what solve_visits uses)",
    )
    args = ap.parse_args()
    if args.seconds is None and args.work is None:
        ap.error("give --seconds or --work")
    print(f"load {os.getloadavg()[0]:.2f}")
    for size in args.sizes.split(","):
        n_visits, n_vols = (int(x) for x in size.lower().split("x"))
        problem, _ = parse_scenario(town_week(n_visits, n_vols, 0, args.fixed_share))
        geo = Geo(problem.speed_kmh)
        t0 = time.perf_counter()
        pruned = prune(problem, geo)
        t_prune = time.perf_counter() - t0
        for seed in (int(s) for s in args.seeds.split(",")):
            t0 = time.perf_counter()
            if args.engine == "compiled":
                fast_search.warm()  # compiled or loaded from the cache: not part of the run
                t0 = time.perf_counter()
                t_state = 0.0  # inside the search's own seconds
                deadline = time.perf_counter() + args.seconds if args.seconds else None
                plan, stats = fast_search.search(
                    problem, geo, pruned, seed=seed, max_work=args.work, deadline=deadline
                )
            else:
                runner = Runner(problem, geo, pruned)
                t_state = time.perf_counter() - t0
                deadline = time.perf_counter() + args.seconds if args.seconds else None
                plan, stats = runner.run(seed, max_work=args.work, deadline=deadline)
                plan = runner.finish(plan)
            t_run = time.perf_counter() - t0 - t_state
            sol = assemble(problem, pruned, geo, plan, status="FEASIBLE", seconds=t_run)
            ok = "OK" if not check_solution(problem, sol) else "FAILED"
            print(
                f"{size} seed {seed}: prune {t_prune:.2f}s  state {t_state:.2f}s  "
                f"search {t_run:.2f}s  moves {stats['iterations']}  work {stats['work']}  "
                f"priority {sol.objective.priority} (start {stats['start']})  "
                f"continuity {sol.objective.continuity}  km {sol.objective.travel_km:.0f}  "
                f"checker {ok}",
                flush=True,
            )
    print(f"load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
