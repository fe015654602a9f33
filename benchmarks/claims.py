"""Claims under load: several volunteers claim shifts from their boards at once, each claim
followed by its commit, then give the shift back (withdraw + commit) so the data stays as
it was. Prints p50/p95/p99 of a claim with its commit, of a return with its commit, the
CPU time a claim takes in its own process, and how many claims lost a race (someone
else took the seat: the answer a volunteer sees, not an error). ``--explain`` also prints
each SQL statement of one claim with its time and, on PostgreSQL, its plan (``EXPLAIN
ANALYZE``, rolled back).

Needs the city data (``benchmarks/city_data.py``); every volunteer works in its own
process (its own connection, no shared interpreter lock), as web workers would. Usage:

    .venv/bin/python benchmarks/claims.py DATABASE_URL [--clients 8] [--rounds 40] [--explain]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import sys
import time as clock
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from webapp import create_app  # noqa: E402
from webapp.auth.models import User  # noqa: E402
from webapp.config import TestConfig  # noqa: E402
from webapp.core.errors import FieldError  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.people.models import Person, VolunteerProfile, VolunteerStatus  # noqa: E402
from webapp.shifts import operations as ops  # noqa: E402
from webapp.shifts.board import open_board  # noqa: E402
from webapp.shifts.models import Shift  # noqa: E402


def _app(url: str) -> Any:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    return create_app(Config)


def _volunteers(url: str, n: int) -> list[int]:
    """The first ``n`` approved volunteers (by id) with something on their board."""
    app = _app(url)
    found: list[int] = []
    with app.app_context(), app.test_request_context():
        ids = db.session.scalars(
            sa.select(Person.id)
            .join(VolunteerProfile, VolunteerProfile.person_id == Person.id)
            .join(User, User.person_id == Person.id)
            .where(VolunteerProfile.status == VolunteerStatus.APPROVED)
            .order_by(Person.id)
        ).all()
        for pid in ids:
            if open_board(db.session.get(Person, pid), limit=1):
                found.append(pid)
            if len(found) == n:
                break
        db.session.rollback()
    return found


def _worker(url: str, person_id: int, rounds: int, seed: int, start: Any, out: Any) -> None:
    app = _app(url)
    rng = random.Random(seed)
    claims: list[float] = []
    returns: list[float] = []
    cpu: list[float] = []
    lost = 0
    with app.app_context(), app.test_request_context():
        person = db.session.get(Person, person_id)
        assert person is not None
        user = person.user
        # The board once, before the start: every claim is given back, so it stays true
        # (a shift another volunteer holds for a moment is a lost race, as on the site).
        board = [item.first.id for item in open_board(person, limit=20)]
        db.session.commit()
        start.wait()
        for _ in range(rounds):
            shift = db.session.get(Shift, rng.choice(board))
            assert shift is not None
            t0, c0 = clock.perf_counter(), clock.process_time()
            try:
                ops.claim(shift, person, user)
                db.session.commit()
            except FieldError:
                db.session.rollback()
                lost += 1
                continue
            claims.append(clock.perf_counter() - t0)
            cpu.append(clock.process_time() - c0)
            t0 = clock.perf_counter()
            ops.withdraw(shift, person, user, "benchmark: given back")
            db.session.commit()
            returns.append(clock.perf_counter() - t0)
    out.put((claims, returns, cpu, lost))


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def _explain(url: str, person_id: int) -> None:
    """One claim's statements, each timed; on PostgreSQL each SELECT's plan too."""
    app = _app(url)
    with app.app_context(), app.test_request_context():
        person = db.session.get(Person, person_id)
        assert person is not None
        shift = open_board(person, limit=1)[0].first
        db.session.commit()
        sent: list[tuple[str, Any, float]] = []
        started: dict[int, float] = {}

        def before(conn: Any, cursor: Any, statement: str, params: Any, *_a: Any) -> None:
            started[id(cursor)] = clock.perf_counter()

        def after(conn: Any, cursor: Any, statement: str, params: Any, *_a: Any) -> None:
            sent.append((statement, params, clock.perf_counter() - started.pop(id(cursor))))

        sa.event.listen(db.engine, "before_cursor_execute", before)
        sa.event.listen(db.engine, "after_cursor_execute", after)
        t0 = clock.perf_counter()
        ops.claim(shift, person, person.user)
        db.session.commit()
        total = clock.perf_counter() - t0
        sa.event.remove(db.engine, "before_cursor_execute", before)
        sa.event.remove(db.engine, "after_cursor_execute", after)
        in_db = sum(s[2] for s in sent) * 1000
        print(f"\none claim with its commit: {total * 1000:.1f} ms, {len(sent)} statements, "
              f"{in_db:.1f} ms of them in the database round trips")  # fmt: skip
        postgres = db.engine.dialect.name == "postgresql"
        for statement, params, took in sent:
            print(f"{took * 1000:7.2f} ms  {' '.join(statement.split())[:150]}")
            if postgres and statement.lstrip().upper().startswith("SELECT"):
                with db.engine.connect() as conn:
                    plan = conn.exec_driver_sql("EXPLAIN ANALYZE " + statement, params).all()
                    conn.rollback()
                for (line,) in plan:
                    print(f"             {line}")
        ops.withdraw(shift, person, person.user, "benchmark: given back")
        db.session.commit()


def main(url: str, clients: int, rounds: int, explain: bool) -> None:
    ids = _volunteers(url, clients)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{clients} volunteers claiming at once, {rounds} rounds each; load average {load}")
    ctx = mp.get_context("spawn")
    start, out = ctx.Barrier(len(ids)), ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(url, pid, rounds, i, start, out))
        for i, pid in enumerate(ids)
    ]
    for p in procs:
        p.start()
    claims: list[float] = []
    returns: list[float] = []
    cpu: list[float] = []
    lost = 0
    for _ in procs:
        c, r, u, n = out.get()
        claims += c
        returns += r
        cpu += u
        lost += n
    for p in procs:
        p.join()
    # The claim's own CPU in the volunteer's process (Python, SQLAlchemy, the driver):
    # what the load of a shared machine does not change much, unlike the wall times.
    timed = (("claim + commit", claims), ("withdraw + commit", returns), ("claim, CPU", cpu))
    for label, values in timed:
        print(
            f"{label:18} n={len(values):4}  p50 {_pct(values, 50):6.1f} ms  "
            f"p95 {_pct(values, 95):6.1f} ms  p99 {_pct(values, 99):6.1f} ms  "
            f"max {max(values, default=0) * 1000:6.1f} ms  mean "
            f"{(statistics.mean(values) if values else 0) * 1000:6.1f} ms"
        )
    print(f"claims that lost a race (someone else took it first): {lost}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if explain and ids:
        _explain(url, ids[0])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    main(args.url, args.clients, args.rounds, args.explain)
