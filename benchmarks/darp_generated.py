"""The dial-a-ride solver on large generated instances (150-240 requests, 10-16 vehicles).

    python benchmarks/darp_generated.py --time-limit 30            # clock-limited (default)
    python benchmarks/darp_generated.py --iterations 3000          # work-limited, repeatable
        [--only g10-150,g13-160-L20] [--seed N] [--gls] [--relaxed] [--write DIR]

Instances come from :mod:`matching.darp.generate` (deterministic, each with a planted plan
that serves every request, so a plan leaving a request out has fallen short). Every plan
is verified by the independent checker (`matching/darp/check.py`). Printed per instance:
requests served, checked cost, the planted plan's cost (an upper bound), the assignment
lower bound (`matching/darp/bound.py`), how many rides end within 0.01 of the limit L,
wall-clock and processor seconds, and ruin-and-recreate moves. ``--gls`` adds the
textbook OR-Tools model for the same time limit; ``--relaxed`` solves the same instance
with the ride limit lifted (same budget), to show what the limit costs; ``--write DIR``
writes the instances in the Cordeau format. The load average is printed before and after each run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matching.darp.bound import assignment_bound  # noqa: E402
from matching.darp.check import check_solution  # noqa: E402
from matching.darp.generate import Spec, generate  # noqa: E402
from matching.darp.instance import DarpInstance, format_cordeau  # noqa: E402
from matching.darp.solution import DarpSolution  # noqa: E402
from matching.darp.solver import solve_darp  # noqa: E402

SPECS = [
    Spec(10, 150),
    Spec(12, 200),
    Spec(13, 160, ride=20.0),
    Spec(16, 240),
]


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _rides_at_limit(inst: DarpInstance, sol: DarpSolution) -> int:
    start = {s.vertex: s.start for r in sol.routes for s in r.stops}
    n, V = inst.requests, inst.vertices
    return sum(
        1
        for i in range(1, n + 1)
        if i in start and start[i + n] - start[i] - V[i].service >= inst.max_ride_time - 0.01
    )


def _run(inst: DarpInstance, args: argparse.Namespace, method: str = "alns") -> str:
    stats: dict[str, object] = {}
    before = _load()
    t0, c0 = time.monotonic(), time.process_time()
    sol = solve_darp(
        inst,
        time_limit_s=args.time_limit,
        seed=args.seed,
        method=method,
        iterations=args.iterations if method == "alns" else None,
        stats=stats,
    )
    secs, cpu = time.monotonic() - t0, time.process_time() - c0
    violations, cost = check_solution(inst, sol)
    served = inst.requests - len(sol.unserved)
    moves = stats.get("alns_iterations", "-")
    line = (
        f"{served:>3}/{inst.requests:<3} {cost:9.2f} "
        f"{'yes' if not violations else 'NO':>4} {_rides_at_limit(inst, sol):>5} "
        f"{secs:6.1f} {cpu:6.1f} {moves!s:>6}  load {before} -> {_load()}"
    )
    for v in violations[:5]:
        line += f"\n    violation: {v}"
    return line


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--iterations", type=int, help="work limit (moves); time limit still caps")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", help="comma-separated instance names")
    ap.add_argument("--gls", action="store_true", help="also run the textbook OR-Tools model")
    ap.add_argument("--relaxed", action="store_true", help="also solve with no ride limit")
    ap.add_argument("--write", help="directory to write the instances to (Cordeau format)")
    args = ap.parse_args(argv)
    specs = SPECS
    if args.only:
        wanted = set(args.only.split(","))
        specs = [s for s in SPECS if s.name in wanted]
    limit = f"iterations={args.iterations} (cap {args.time_limit}s)" if args.iterations else ""
    print(f"# time_limit={args.time_limit}s {limit} seed={args.seed} cpus={os.cpu_count()}")
    print(
        f"{'instance':12} {'run':8} {'served':>7} {'cost':>9} feas. at-L   secs    cpu  moves"
        f"  (planted plan: cost, rides at L)"
    )
    feasible_all = True
    for spec in specs:
        inst, planted = generate(spec)
        assert check_solution(inst, planted)[0] == [], "the planted plan must be feasible"
        if args.write:
            out = Path(args.write)
            out.mkdir(parents=True, exist_ok=True)
            (out / f"{inst.name}.txt").write_text(format_cordeau(inst), encoding="utf-8")
        print(
            f"{inst.name:12} {'planted':8} {inst.requests:>3}/{inst.requests:<3} "
            f"{planted.cost:9.2f}  yes {_rides_at_limit(inst, planted):>5}\n"
            f"{inst.name:12} {'bound':8} {'':7} {assignment_bound(inst):9.2f}  "
            f"(assignment lower bound, matching/darp/bound.py)",
            flush=True,
        )
        runs = [("alns", inst, "alns")]
        if args.gls:
            runs.append(("gls", inst, "gls"))
        if args.relaxed:
            lifted = replace(inst, max_ride_time=inst.max_route_duration)
            runs.append(("no-L", lifted, "alns"))
        for label, which, method in runs:
            line = _run(which, args, method)
            feasible_all &= " NO " not in line
            print(f"{inst.name:12} {label:8} {line}", flush=True)
    print(f"# all feasible: {'yes' if feasible_all else 'NO'}")
    return 0 if feasible_all else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
