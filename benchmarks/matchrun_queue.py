"""What the task queue does with a morning of match runs: 1 worker against 2.

Builds ORGS organisations (VISITS weekly visit requests, VOLUNTEERS volunteers each, homes
around Isernia), then, for each number of workers, starts that many ``flask worker
solve`` processes, queues RUNS runs per organisation at once (as a scheduler morning or
many coordinators would) and waits for all of them. Prints, per round: wall time,
throughput, time from queueing to start (median and max) and solve time. Usage:

    .venv/bin/python benchmarks/matchrun_queue.py POSTGRESQL_URL [ORGS RUNS VISITS VOLUNTEERS]

The database is emptied first (use a scratch one). Defaults: 4 organisations, 3 runs
each, 40 visits and 12 volunteers per organisation, 1 then 2 workers.
"""

from __future__ import annotations

import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time as clock
from datetime import date, time, timedelta
from pathlib import Path

sys.path.insert(0, ".")

import sqlalchemy as sa  # noqa: E402

from tests.factories import make_coordinator, make_org, make_resident, make_volunteer  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.auth.models import User  # noqa: E402
from webapp.config import TestConfig  # noqa: E402
from webapp.core import taskqueue  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.matchrun import operations as ops  # noqa: E402
from webapp.matchrun.launch import launch  # noqa: E402
from webapp.matchrun.models import MatchRun, RunScope  # noqa: E402
from webapp.requests.models import RequestKind  # noqa: E402
from webapp.requests.operations import Draft, create_request  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def next_monday() -> date:
    today = date.today()
    return today + timedelta(days=14 - today.weekday())


def build_org(rng: random.Random, monday: date, visits: int, volunteers: int):  # type: ignore[no-untyped-def]
    org = make_org()
    coord = make_coordinator(org)
    centres = [(41.5936 + rng.gauss(0, 0.03), 14.2325 + rng.gauss(0, 0.03)) for _ in range(4)]

    def near() -> tuple[float, float]:
        c = rng.choice(centres)
        return c[0] + rng.gauss(0, 0.006), c[1] + rng.gauss(0, 0.006)

    for _ in range(volunteers):
        lat, lon = near()
        make_volunteer(org, lat=lat, lon=lon, max_km=rng.choice([3, 5, 8]), with_user=False)
    for _ in range(visits):
        lat, lon = near()
        day = monday + timedelta(days=rng.randrange(6))
        h = rng.choice([9, 10, 15, 16])
        create_request(
            make_resident(org, lat=lat, lon=lon),
            Draft(kind=RequestKind.VISIT, start_date=day, duration_minutes=rng.choice([45, 60]),
                  windows=[(day.weekday(), time(h), time(h + 2))]),
            coord,
        )
    return coord


def start_workers(n: int, url: str, logs: Path) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "DATABASE_URL": url, "PONTE_MATCHRUN_QUEUE": "procrastinate",
           "PYTHONUNBUFFERED": "1"}
    procs = []
    for k in range(n):
        with (logs / f"w{k}.log").open("w") as out:
            procs.append(subprocess.Popen(  # noqa: S603 - fixed argv
                [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "solve"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT))
    deadline = clock.monotonic() + 300
    while not all("Starting worker" in (logs / f"w{k}.log").read_text() for k in range(n)):
        if clock.monotonic() > deadline:
            raise SystemExit("workers did not start: see " + str(logs))
        clock.sleep(0.2)
    return procs


def one_round(app, coords: list[int], runs: int, workers: int, url: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.delete(MatchRun))
        taskqueue.drop_schema(conn.connection.driver_connection)
        taskqueue.create_schema(conn.connection.driver_connection)
    logs = Path(tempfile.mkdtemp())
    procs = start_workers(workers, url, logs)
    try:
        with app.app_context(), app.test_request_context():
            app.config["MATCH_RUNS_PER_ORGANISATION"] = 99  # queue them all at once...
            ids = []
            monday = next_monday()
            for _ in range(runs):
                for user_id in coords:
                    coord = db.session.get(User, user_id)
                    ids.append(ops.start_run(coord, monday, monday + timedelta(days=6),
                                             RunScope.VISITS, time_limit_s=5).id)
            db.session.commit()
            app.config["MATCH_RUNS_PER_ORGANISATION"] = 1  # ...solved one per org at a time
            t0 = clock.perf_counter()
            for run_id in ids:
                launch(run_id)
            while True:
                db.session.rollback()
                rows = db.session.scalars(sa.select(MatchRun).where(MatchRun.id.in_(ids))).all()
                if all(r.finished for r in rows):
                    break
                clock.sleep(0.2)
            wall = clock.perf_counter() - t0
            waits = [(r.started_at - r.created_at).total_seconds() for r in rows]
            solves = [(r.finished_at - r.started_at).total_seconds() for r in rows]
            failed = sum(r.status != "done" for r in rows)
            queue = app.extensions.pop("procrastinate", None)
            if queue is not None:
                queue.close()
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=120)
    return {"runs": len(ids), "wall": wall, "per_min": 60 * len(ids) / wall,
            "wait_min": min(waits), "wait_p50": statistics.median(waits), "wait_max": max(waits),
            "solve_mean": statistics.mean(solves), "failed": failed}


def main(url: str, orgs: int, runs: int, visits: int, volunteers: int) -> None:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        MATCHRUN_QUEUE = "procrastinate"

    app = create_app(Config)
    rng = random.Random(7)
    with app.app_context(), app.test_request_context():
        db.drop_all()
        db.create_all()
        coords = [build_org(rng, next_monday(), visits, volunteers).id for _ in range(orgs)]
        db.session.commit()
    print(f"{orgs} organisations x {runs} runs ({visits} visits, {volunteers} volunteers, "
          f"one week, time limit 5 s), queued at once; at most one solve per organisation")
    print("workers | runs | wall s | runs/min | start wait min / p50 / max s | solve mean s"
          " | failed")
    for workers in (1, 2):
        r = one_round(app, coords, runs, workers, url)
        print(f"{workers:7} | {r['runs']:4} | {r['wall']:6.1f} | {r['per_min']:8.1f} | "
              f"{r['wait_min']:5.2f} / {r['wait_p50']:5.1f} / {r['wait_max']:5.1f}     | "
              f"{r['solve_mean']:12.1f} | "
              f"{r['failed']:.0f}")
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    if len(sys.argv) < 2 or not sys.argv[1].startswith("postgresql"):
        raise SystemExit(__doc__)
    numbers = [int(a) for a in sys.argv[2:6]]
    defaults = [4, 3, 40, 12]
    main(sys.argv[1], *(numbers + defaults[len(numbers):]))
