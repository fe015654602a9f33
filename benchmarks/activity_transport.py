"""Transport to group activities on a generated town day: shared rides against one by one.

    python benchmarks/activity_transport.py [--time-limit 20] [--iterations N] [--seed 0]

A town of 10 x 10 km with the association's base at its centre (where the drivers start
and end: the dial-a-ride model has one depot). Three activities (a museum morning at
10:00, a workshop at 10:30, a garden afternoon at 15:00, each two hours) at places in
town; each brings ``--per`` participants (default 8) who need a ride there (arriving in
the half hour before the start) and home (picked up in the half hour after the end),
from homes anywhere in town. Travel at 30 km/h: one unit of the instance is one minute,
half a kilometre. Boarding takes 3 minutes; a passenger rides at most 45 minutes (the
organisation's default); a driver's day is at most 10 hours.

The same day is solved twice by ``matching.darp`` (the dial-a-ride engine the rides
planner uses): with 3 free seats per car (shared) and with 1 (one passenger at a time),
12 cars available. Both plans are verified by the independent checker
(``matching/darp/check.py``), which recomputes distances and every time; it also gives
the kilometres. Printed: requests served, drivers used, kilometres, whether the checker
passed, seconds. The load average is printed too: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matching.darp.check import check_solution  # noqa: E402
from matching.darp.instance import DarpInstance, Vertex  # noqa: E402
from matching.darp.solver import solve_darp  # noqa: E402

UNIT_KM = 0.5  # one minute at 30 km/h
SERVICE, RIDE, DAY = 3.0, 45.0, 600.0
ACTIVITIES = [(-4.0, 6.0, 600.0), (5.0, -3.0, 630.0), (7.0, 7.0, 900.0)]  # x, y, start
LENGTH, WINDOW = 120.0, 30.0
START, END = 420.0, 1140.0  # the day: 07:00 to 19:00, minutes since midnight


def town_day(per: int, seed: int, capacity: int, vehicles: int = 12) -> DarpInstance:
    """Outbound requests (window at the activity) and return requests (window at the
    activity's door), homes uniform in a 20 x 20 square (10 x 10 km)."""
    rng = random.Random(seed)
    trips: list[tuple[tuple[float, float], tuple[float, float], float, float, bool]] = []
    for ax, ay, start in ACTIVITIES:
        for _ in range(per):
            home = (rng.uniform(-10, 10), rng.uniform(-10, 10))
            trips.append((home, (ax, ay), start - WINDOW, start, True))
            trips.append(((ax, ay), home, start + LENGTH, start + LENGTH + WINDOW, False))
    n = len(trips)
    pickups, deliveries = [], []
    for i, (a, b, early, late, outbound) in enumerate(trips, start=1):
        direct = ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5
        if outbound:  # the window is at the activity; the pickup follows from it
            pe, pl = max(START, early - RIDE - SERVICE), late - direct - SERVICE
            de, dl = early, late
        else:
            pe, pl = early, late
            de, dl = early + direct + SERVICE, late + RIDE + SERVICE
        pickups.append(Vertex(i, a[0], a[1], SERVICE, 1, pe, pl))
        deliveries.append(Vertex(i + n, b[0], b[1], SERVICE, -1, de, dl))
    vertices = (
        Vertex(0, 0.0, 0.0, 0.0, 0, START, END),
        *pickups,
        *deliveries,
        Vertex(2 * n + 1, 0.0, 0.0, 0.0, 0, START, END),
    )
    return DarpInstance(f"town-day-{per}x3-Q{capacity}", vehicles, n, DAY, capacity, RIDE,
                        vertices)  # fmt: skip


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def run(per: int, seed: int, capacity: int, args: argparse.Namespace) -> str:
    inst = town_day(per, seed, capacity)
    before = _load()
    t0 = time.monotonic()
    sol = solve_darp(inst, time_limit_s=args.time_limit, seed=seed, iterations=args.iterations)
    secs = time.monotonic() - t0
    violations, cost = check_solution(inst, sol)
    drivers = sum(1 for r in sol.routes if len(r.stops) > 2)
    served = inst.requests - len(sol.unserved)
    ok = "yes" if not violations else "NO: " + "; ".join(violations[:3])
    return (
        f"{inst.name:<18} {served:>3}/{inst.requests:<3} {drivers:>7} "
        f"{cost * UNIT_KM:8.1f} {ok:>7} {secs:6.1f}  load {before} -> {_load()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--iterations", type=int, default=None)
    parser.add_argument("--per", type=int, default=8, help="participants per activity")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"{'instance':<18} {'served':>7} {'drivers':>7} {'km':>8} {'checked':>7} {'secs':>6}")
    for capacity in (3, 1):
        print(run(args.per, args.seed, capacity, args))


if __name__ == "__main__":
    main()
