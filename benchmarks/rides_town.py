"""Benchmark: the rides planner on a town day (solidarity taxi), served rides and km.

    python benchmarks/rides_town.py --rides 20,40,80 --drivers 5,10,20 --time-limit 5

A generated weekday around Isernia (homes as in ``town_week``; destinations: the
hospital, two clinics, the pharmacy and the town hall): appointments 08:30-16:30, 60% of
rides with a return leg 45-120 min after the appointment, 10% wheelchair users; drivers
free 08:00-13:00, 13:00-18:00, all day, or 08:00-12:00 and 14:00-18:00 as two shifts (a
quarter each), 1-3 seats, 15% with a wheelchair-accessible car, two in three with weekly
minutes left (``max_minutes``) of 60-300.
Prints, per size: legs served (of all), pairs kept with one driver, km, seconds, and
whether the independent checker accepts the plan. Deterministic generator for a seed.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.town_week import CENTRE, _home  # noqa: E402
from matching.rides.check import check_rides  # noqa: E402
from matching.rides.model import Driver, Ride, RidesProblem  # noqa: E402
from matching.rides.solver import solve_rides  # noqa: E402

DESTINATIONS = [
    (41.5868, 14.2302),  # hospital
    (41.5960, 14.2251),
    (41.6005, 14.2400),
    CENTRE,
    (41.5905, 14.2388),
]


def town_day(n_rides: int, n_drivers: int, seed: int = 0) -> RidesProblem:
    rng = random.Random(seed)
    drivers = []
    for k in range(n_drivers):
        lat, lon = _home(rng)
        shifts = rng.choice(
            [
                ((8 * 60, 13 * 60),),
                ((13 * 60, 18 * 60),),
                ((8 * 60, 18 * 60),),
                ((8 * 60, 12 * 60), (14 * 60, 18 * 60)),  # home for lunch: two shifts
            ]
        )
        drivers.append(
            Driver(
                f"d{k}",
                lat,
                lon,
                shifts,
                seats=rng.choice([1, 2, 3]),
                wheelchair=rng.random() < 0.15,
                max_minutes=rng.choice([None, None, 60, 120, 180, 300]),
            )
        )
    rides = []
    k = 0
    while len(rides) < n_rides:
        home = _home(rng)
        there = rng.choice(DESTINATIONS)
        at = rng.randrange(8 * 60 + 30, 16 * 60 + 31, 15)
        common = dict(wheelchair=rng.random() < 0.1, priority=rng.choice([1, 1, 2, 3]))
        rides.append(Ride(f"r{k}", *home, *there, appointment=at, **common))
        if rng.random() < 0.6 and len(rides) < n_rides:
            back = at + rng.choice([45, 60, 90, 120])
            rides.append(
                Ride(f"r{k}b", *there, *home, earliest_pickup=back, return_of=f"r{k}", **common)
            )
        k += 1
    return RidesProblem(tuple(drivers), tuple(rides), speed_kmh=30.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rides", default="20,40,80")
    ap.add_argument("--drivers", default="5,10,20")
    ap.add_argument("--time-limit", type=float, default=5.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(f"load {os.getloadavg()[0]:.2f}")
    for n_rides, n_drivers in zip(
        (int(x) for x in args.rides.split(",")),
        (int(x) for x in args.drivers.split(",")),
        strict=True,
    ):
        problem = town_day(n_rides, n_drivers, args.seed)
        t0 = time.perf_counter()
        sol = solve_rides(problem, time_limit_s=args.time_limit, seed=args.seed)
        seconds = time.perf_counter() - t0
        driver_of = {s.ride_id: r.driver_id for r in sol.routes for s in r.stops}
        pairs = [r for r in problem.rides if r.return_of is not None and r.id in driver_of]
        one = sum(driver_of[r.id] == driver_of[r.return_of] for r in pairs)
        errors = check_rides(problem, sol)
        print(
            f"{n_rides} legs x {n_drivers} drivers: served {len(driver_of)}/{n_rides}  "
            f"pairs served {len(pairs)} (one driver: {one})  km {sol.cost_km:.1f}  "
            f"{seconds:.1f}s  checker {'OK' if not errors else errors[:2]}",
            flush=True,
        )
    print(f"load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
