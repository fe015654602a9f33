"""Run the dial-a-ride solver on every Cordeau instance of a directory and compare to BKS.

    python benchmarks/darp_cordeau.py [DIR] --time-limit 30 [--method alns|ils|gls]
        [--only a2-16,a5-40] [--seed N]

DIR defaults to ../shared/data/darp/cordeau-2006-a (relative to the repository, or to its
parent directory for a worktree) and must
hold the instance files and bks.csv. Every plan is verified by the independent checker;
the gap is computed on the checker's recomputed Euclidean cost. "cpu" is the processor
time the solve got: on a loaded machine, far less than its wall-clock limit.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matching.darp.check import check_solution  # noqa: E402
from matching.darp.instance import load_cordeau  # noqa: E402
from matching.darp.solver import solve_darp  # noqa: E402

# The shared data sit beside the repository (../shared), or beside the worktrees'
# parent for a worktree kept in a folder beside the repository (../../shared).
_SHARED = [p / "shared" / "data" / "darp" / "cordeau-2006-a" for p in ROOT.parents[:2]]
DEFAULT_DIR = next((d for d in _SHARED if d.is_dir()), _SHARED[0])


def _order(path: Path) -> tuple[int, int]:
    m, n = path.stem[1:].split("-")
    return int(m), int(n)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("directory", nargs="?", default=str(DEFAULT_DIR))
    ap.add_argument("--time-limit", type=float, default=5.0)
    ap.add_argument("--method", default="alns", choices=["alns", "ils", "gls"])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", help="comma-separated instance names")
    args = ap.parse_args(argv)
    directory = Path(args.directory)
    if not directory.is_dir():
        print(f"error: directory: {directory} does not exist", file=sys.stderr)
        return 2
    with (directory / "bks.csv").open(encoding="utf-8") as fh:
        bks = {r["instance"]: float(r["bks_cost"]) for r in csv.DictReader(fh)}
    files = sorted(directory.glob("a*-*.txt"), key=_order)
    if args.only:
        wanted = set(args.only.split(","))
        files = [f for f in files if f.stem in wanted]
    print(f"# method={args.method} time_limit={args.time_limit}s seed={args.seed}")
    print(f"{'instance':9} {'served':>7} {'cost':>9} {'BKS':>9} {'gap %':>7} feasible  secs   cpu")
    gaps, complete, feasible_all = [], 0, True
    for f in files:
        inst = load_cordeau(f)
        t0, c0 = time.monotonic(), time.process_time()
        sol = solve_darp(inst, time_limit_s=args.time_limit, seed=args.seed, method=args.method)
        secs, cpu = time.monotonic() - t0, time.process_time() - c0
        violations, cost = check_solution(inst, sol)
        served = inst.requests - len(sol.unserved)
        ref = bks.get(f.stem)
        full = served == inst.requests
        complete += full
        feasible_all &= not violations
        gap = 100 * (cost / ref - 1) if ref and full else None
        if gap is not None:
            gaps.append(gap)
        gap_s = f"{gap:7.2f}" if gap is not None else "    n/a"
        print(
            f"{f.stem:9} {served:>3}/{inst.requests:<3} {cost:9.2f} {ref or 0:9.2f} {gap_s} "
            f"{'yes' if not violations else 'NO':8} {secs:5.1f} {cpu:5.1f}",
            flush=True,
        )
        for v in violations[:5]:
            print(f"    violation: {v}")
    print(
        f"# complete plans: {complete}/{len(files)}; "
        f"all feasible: {'yes' if feasible_all else 'NO'}"
    )
    if gaps:
        print(
            f"# gap over complete plans: mean {sum(gaps) / len(gaps):.2f}%, worst {max(gaps):.2f}%"
        )
    return 0 if feasible_all else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
