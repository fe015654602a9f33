"""Single-request timings of the daily pages on the city data (benchmarks/city_data.py).

For each page: the median and the slowest of several requests through the Flask test
client (routing, queries, template, no network), the median CPU time of this process (the
figure a loaded machine moves least), and the SQL statements one request sends.
The board is timed for several volunteers (a short and a long radius, visits and rides).
Read-only: the database is left as it is. Usage:

    .venv/bin/python benchmarks/city_pages.py DATABASE_URL [--runs 7] [--only desk,week]
        [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import statistics
import sys
import time as clock
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402

from benchmarks.city_data import PASSWORD  # noqa: E402
from tests.helpers import FreshRequestClient, login  # noqa: E402
from tests.querycount import counting  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.auth.models import Role, User  # noqa: E402
from webapp.config import TestConfig  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.people.models import Person, VolunteerProfile, VolunteerStatus  # noqa: E402
from webapp.shifts.board import open_board  # noqa: E402
from webapp.shifts.models import Assignment, Shift, ShiftStatus  # noqa: E402


def pick_users() -> dict[str, str]:
    """E-mails of the logins the pages are opened as (the same on every run of the data)."""
    vols = db.session.execute(
        sa.select(User.email, VolunteerProfile)
        .join(Person, User.person_id == Person.id)
        .join(VolunteerProfile, VolunteerProfile.person_id == Person.id)
        .where(VolunteerProfile.status == VolunteerStatus.APPROVED)
        .order_by(Person.id)
    ).all()
    both = [e for e, v in vols if v.offers_visits and v.offers_driving]
    far = [e for e, v in vols if v.offers_visits and v.max_km >= 10]
    near = [e for e, v in vols if v.offers_visits and v.max_km <= 3]
    coord = db.session.scalar(sa.select(User.email).where(User.role == Role.COORDINATOR))
    resident = db.session.scalar(
        sa.select(User.email).where(User.email.like("res%")).order_by(User.id)
    )
    return {
        "volunteer": both[0],
        "volunteer_10km": far[0],
        "volunteer_3km": near[0],
        "coordinator": coord or "",
        "resident": resident or "",
    }


def city_app(url: str) -> tuple[Flask, dict[str, str]]:
    """The app on the city data at ``url`` (its test client starts each request afresh,
    as a server would) and the e-mails of the logins pages are opened as."""

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    app.test_client_class = FreshRequestClient
    with app.app_context():
        users = pick_users()
    return app, users


def signed_in(app: Flask, email: str) -> FlaskClient:
    """A test client of ``app`` logged in as ``email`` (the city data's password)."""
    client = app.test_client()
    assert login(client, email, PASSWORD).status_code == 302, email
    return client


def alternate(
    url: str,
    pages: list[tuple[str, str]],
    requests: int,
    flip: Callable[[bool], None],
    sides: tuple[str, str],
) -> None:
    """Print what each page costs with ``flip(False)`` and with ``flip(True)``: the page is
    requested alternately one way and the other, in one process (the Flask test client),
    and the CPU time of each request added to its side. The two sides share the machine's
    drift, which on a shared 2-core machine moves a page's cost by a third from one run to
    the next, far more than the changes measured this way. Read-only."""
    app, users = city_app(url)
    clients = {who: signed_in(app, users[who]) for who, _path in pages}
    with app.app_context():
        checkin = pick_checkin(users["volunteer"])
    gc.freeze()  # as the served app does (wsgi.py)
    print(f"{'page':28} {sides[0]:>9} {sides[1]:>9} {'saved':>9}   CPU a request, {requests} each")
    try:
        for who, path in pages:
            path = path.format(checkin=checkin)
            for _ in range(5):
                clients[who].get(path)  # compiled, planned, cached
            spent = [0.0, 0.0]
            for i in range(2 * requests):
                flip(bool(i % 2))
                started = clock.process_time()
                answer = clients[who].get(path)
                spent[i % 2] += clock.process_time() - started
                assert answer.status_code == 200, (path, answer.status_code)
            before, after = (side / requests * 1000 for side in spent)
            print(f"{path:28} {before:7.3f}ms {after:7.3f}ms {before - after:7.3f}ms")
    finally:
        flip(True)


# A daily page of each role, for what every signed-in page pays (its frame, its login).
SIGNED_IN_PAGES = [
    ("volunteer", "/shifts/board"),
    ("volunteer", "/timebank/"),
    ("resident", "/requests/mine"),
    ("coordinator", "/desk/"),
    ("coordinator", "/desk/find?q=Rossi"),
]


def alternate_signed_in(
    description: str, flip: Callable[[bool], None], sides: tuple[str, str]
) -> None:
    """A benchmark's command line (the database, ``--requests``) and :func:`alternate` over
    :data:`SIGNED_IN_PAGES`."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("url", help="SQLAlchemy URL of a database holding the city data")
    parser.add_argument("--requests", type=int, default=400, help="of each side")
    args = parser.parse_args()
    alternate(args.url, SIGNED_IN_PAGES, args.requests, flip, sides)


def pick_checkin(email: str) -> int:
    """The shift whose check-in form is opened: the volunteer's latest completed one (as
    benchmarks/load_pages.py picks it)."""
    shift_id = db.session.scalar(
        sa.select(Shift.id)
        .join(Assignment, Assignment.shift_id == Shift.id)
        .join(User, User.person_id == Assignment.volunteer_id)
        .where(User.email == email, Shift.status == ShiftStatus.COMPLETED)
        .order_by(Shift.starts_at.desc())
        .limit(1)
    )
    assert shift_id is not None, "the volunteer has no completed shift: not the city data?"
    return int(shift_id)


def time_page(
    client: FreshRequestClient, url: str, runs: int
) -> tuple[float, float, float, int, int]:
    """Median and slowest wall time, median CPU time of this process (what the load of a
    shared machine moves least), statements, bytes."""
    client.get(url)  # warm the caches a worker would have warm
    timings, cpu = [], []
    for _ in range(runs):
        t0, c0 = clock.perf_counter(), clock.process_time()
        resp = client.get(url)
        timings.append(clock.perf_counter() - t0)
        cpu.append(clock.process_time() - c0)
        assert resp.status_code == 200, (url, resp.status_code)
    with counting() as queries:
        client.get(url)
    return (statistics.median(timings), max(timings), statistics.median(cpu), len(queries),
            len(resp.data))  # fmt: skip


def profile_page(client: FreshRequestClient, url: str, runs: int = 1) -> None:
    """Where a warm request's time goes: the 25 costliest functions (cumulative, over
    `runs` requests), the SQL statements one request sent (the same statement counted
    together: an N+1 stands out) and the slowest of them with their time in the database.
    The page is opened once first, as a worker would have: a cold view's profile is the
    templates' compiling and the catalogues' loading, not the page."""
    client.get(url)
    profiler = cProfile.Profile()
    timed: list[tuple[float, str]] = []
    started: list[float] = []

    def before(*_args: object) -> None:
        started.append(clock.perf_counter())

    def after(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        timed.append((clock.perf_counter() - started.pop(), statement))

    sa.event.listen(db.engine, "before_cursor_execute", before)
    sa.event.listen(db.engine, "after_cursor_execute", after)
    try:
        with counting() as queries:
            profiler.enable()
            client.get(url)
            profiler.disable()
        profiler.enable()
        for _ in range(runs - 1):
            client.get(url)
        profiler.disable()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
        sa.event.remove(db.engine, "after_cursor_execute", after)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
    for statement, n in Counter(" ".join(q.split())[:200] for q in queries).most_common(15):
        print(f"  {n:5} x {statement}")
    for seconds, statement in sorted(timed, reverse=True)[:8]:
        print(f"  {seconds * 1000:7.1f} ms {' '.join(statement.split())[:300]}")


def main(url: str, runs: int, only: str = "", profile: bool = False) -> None:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    with app.app_context():
        users = pick_users()
        shifts = db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("shift")))
        print(
            f"{db.engine.dialect.name}, {shifts} shifts; load average "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        # Today may be a quiet day (a Sunday, or within the booking notice); ten days on
        # the data's month of future shifts is a full one.
        checkin = pick_checkin(users["volunteer"])
        ahead = (date.today() + timedelta(days=10)).isoformat()
        pages = [
            ("volunteer", "/shifts/board", "board (visits + rides)"),
            ("volunteer_10km", "/shifts/board", "board (visits, 10 km)"),
            ("volunteer_3km", "/shifts/board", "board (visits, 3 km)"),
            ("volunteer", "/shifts/mine", "volunteer's schedule"),
            ("volunteer", f"/shifts/{checkin}/checkin", "volunteer's check-in form"),
            ("coordinator", "/shifts/day", "coordinator's day (today)"),
            ("coordinator", f"/shifts/day?date={ahead}", "coordinator's day (in 10 days)"),
            ("coordinator", "/shifts/week", "coordinator's week"),
            ("coordinator", "/desk/", "desk home"),
            ("coordinator", "/desk/find?q=Rossi", "person search (a common surname)"),
            ("coordinator", "/desk/find?q=0865 0012", "person search (a phone)"),
            ("resident", "/requests/mine", "resident's home"),
            ("volunteer", "/timebank/", "volunteer's time bank"),
            ("resident", "/timebank/", "resident's time bank"),
            ("coordinator", "/timebank/coordinator", "coordinator's time bank"),
        ]
        clients: dict[str, FreshRequestClient] = {}
        print(f"{'page':34} {'median':>9} {'max':>9} {'CPU':>9} {'SQL':>5} {'KB':>5}  board groups")
        for who, path, label in pages:
            if only and not any(o in path or o in label for o in only.split(",")):
                continue
            if who not in clients:
                app.test_client_class = FreshRequestClient
                clients[who] = app.test_client()
                assert login(clients[who], users[who], PASSWORD).status_code == 302, who
            if profile:
                profile_page(clients[who], path, runs)
            median, worst, cpu, n_sql, size = time_page(clients[who], path, runs)
            extra = ""
            if path == "/shifts/board":
                person = db.session.scalar(
                    sa.select(Person)
                    .join(User, User.person_id == Person.id)
                    .where(User.email == users[who])
                )
                extra = str(len(open_board(person)))
                db.session.rollback()
            print(
                f"{label:34} {median * 1000:7.1f}ms {worst * 1000:7.1f}ms "
                f"{cpu * 1000:7.1f}ms {n_sql:5} {size / 1024:5.0f}  {extra}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", default="", help="comma-separated parts of paths or labels")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile --runs warm requests a page"
    )
    args = parser.parse_args()
    main(args.url, args.runs, args.only, args.profile)
