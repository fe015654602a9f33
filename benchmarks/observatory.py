"""How fast the observatory renders a year of a town.

A town of 3,000 residents and 600 volunteers in 8 neighbourhoods: a year of weekly or
fortnightly visits and monthly rides (about 40,000 services, 50,000 shift rows), their
volunteers, 1,500 alerts and a ledger payment per completed service. Rows are bulk
inserted (the operations' rules are not what is measured) and, on PostgreSQL, analysed
(as autovacuum would). Then times, as the median of
several runs: every indicator computed (``overview.sections``) and the whole page served
to a logged-in coordinator, for the year by month, by quarter, one neighbourhood and
one service; plus each source query alone; first live, then with the monthly summary
(``observatory/summary.py``) as the nightly job leaves it, every month stored or the
last one still live. Usage:

    .venv/bin/python benchmarks/observatory.py [DATABASE_URL]

Without an argument a temporary SQLite file is used. The database is emptied first.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time as clock
from datetime import UTC, date, datetime, time, timedelta

sys.path.insert(0, ".")

import sqlalchemy as sa  # noqa: E402

from tests.factories import PASSWORD, make_coordinator, make_org  # noqa: E402
from tests.helpers import login  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.config import TestConfig  # noqa: E402
from webapp.desk.models import Alert  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.observatory import monthly, summary  # noqa: E402
from webapp.observatory.facts import SOURCES  # noqa: E402
from webapp.observatory.monthly import Filters, month_number  # noqa: E402
from webapp.observatory.overview import sections  # noqa: E402
from webapp.observatory.scope import Scope  # noqa: E402
from webapp.orgs.models import Organisation  # noqa: E402
from webapp.people.models import Person, VolunteerProfile  # noqa: E402
from webapp.places.models import GazetteerEntry  # noqa: E402
from webapp.requests.models import Request  # noqa: E402
from webapp.shifts.models import Assignment, Shift  # noqa: E402
from webapp.timebank.models import Account, Transfer  # noqa: E402

HOODS = [
    "Centro",
    "San Lazzaro",
    "Le Piane",
    "San Leucio",
    "Fragnete",
    "Castagna",
    "Santo Spirito",
    "Borgo",
]
RESIDENTS, VOLUNTEERS = 3000, 600
END = date(2026, 11, 30)
START = date(2025, 12, 1)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def build(rng: random.Random) -> int:
    org = make_org("Comune di Prova")
    oid = org.id
    centre = {
        h: (41.59 + rng.uniform(-0.02, 0.02), 14.23 + rng.uniform(-0.02, 0.02)) for h in HOODS
    }
    db.session.execute(
        sa.insert(GazetteerEntry),
        [
            {
                "organisation_id": oid,
                "key": f"{h} {i}",
                "address": f"{h} {i}",
                "lat": centre[h][0] + rng.gauss(0, 0.002),
                "lon": centre[h][1] + rng.gauss(0, 0.002),
                "neighbourhood": h,
            }
            for h in HOODS
            for i in range(40)
        ],
    )

    def person(i: int, resident: bool) -> dict[str, object]:
        hood = rng.choice(HOODS)
        return {
            "organisation_id": oid,
            "first_name": f"P{i}",
            "last_name": "Rossi",
            "address": f"{hood} {i}",
            "lat": centre[hood][0],
            "lon": centre[hood][1],
            "neighbourhood": hood,
            "is_resident": resident,
            "is_volunteer": not resident,
            "languages": [],
            "interests": [],
            "created_at": _at(START - timedelta(days=rng.randint(-330, 900)), 9),
        }

    db.session.execute(sa.insert(Person), [person(i, True) for i in range(RESIDENTS)])
    db.session.execute(sa.insert(Person), [person(i, False) for i in range(VOLUNTEERS)])
    ids = db.session.execute(sa.select(Person.id, Person.is_resident).order_by(Person.id)).all()
    residents = [i for i, r in ids if r]
    volunteers = [i for i, r in ids if not r]
    db.session.execute(
        sa.insert(VolunteerProfile),
        [
            {"person_id": v, "offers_visits": True, "offers_driving": True, "status": "approved"}
            for v in volunteers
        ],
    )
    db.session.execute(
        sa.insert(Account), [{"organisation_id": oid, "person_id": p} for p, _r in ids]
    )
    account = dict(db.session.execute(sa.select(Account.person_id, Account.id)).all())
    requests = []
    for n, r in enumerate(residents):
        first = START + timedelta(days=rng.randint(-60, 300))
        kind = "visit" if n % 5 else "ride"
        requests.append(
            {
                "organisation_id": oid,
                "resident_id": r,
                "kind": kind,
                "status": "active",
                "start_date": first,
                "created_at": _at(first - timedelta(days=rng.randint(1, 30)), 10),
                "languages": [],
                "interests": [],
            }
        )
    db.session.execute(sa.insert(Request), requests)
    reqs = db.session.execute(
        sa.select(Request.id, Request.resident_id, Request.kind, Request.start_date)
    ).all()
    hood_of = dict(db.session.execute(sa.select(Person.id, Person.neighbourhood)).all())
    shifts, plan = [], []
    for rid, resident, kind, first in reqs:
        regular = rng.choice(volunteers)
        step = 28 if kind.value == "ride" else rng.choice([7, 14])
        day = max(first, START - timedelta(days=31))
        while day <= END:
            roll = rng.random()
            status = (
                "completed"
                if roll < 0.85
                else "cancelled"
                if roll < 0.92
                else "unfilled"
                if roll < 0.97
                else "no_show"
            )
            vol = regular if rng.random() < 0.8 else rng.choice(volunteers)
            legs = ["visit"] if kind.value == "visit" else ["ride_out", "ride_back"]
            for n, leg in enumerate(legs):
                start = _at(day, 9 + 3 * n)
                shifts.append(
                    {
                        "organisation_id": oid,
                        "request_id": rid,
                        "group_key": f"{rid}:{day}",
                        "occurrence_date": day,
                        "kind": leg,
                        "status": status,
                        "starts_at": start,
                        "ends_at": start + timedelta(minutes=60 if leg == "visit" else 40),
                        "start_address": "a",
                        "end_address": "b",
                        "neighbourhood": hood_of[resident],
                        "no_show_side": "volunteer" if status == "no_show" else None,
                        "updated_at": start,
                    }
                )
                plan.append((status, vol, resident))
            day += timedelta(days=step)
    db.session.execute(sa.insert(Shift), shifts)
    shift_ids = db.session.scalars(sa.select(Shift.id).order_by(Shift.id)).all()
    assignments, transfers = [], []
    for sid, row, (status, vol, resident) in zip(shift_ids, shifts, plan, strict=True):
        if status in ("completed", "no_show"):
            assignments.append(
                {"shift_id": sid, "volunteer_id": vol, "seat": 1, "created_at": row["starts_at"]}
            )
        if status == "completed":
            transfers.append(
                {
                    "key": f"s{sid}",
                    "organisation_id": oid,
                    "debit_account_id": account[resident],
                    "credit_account_id": account[vol],
                    "amount": 60,
                    "kind": "visit" if row["kind"] == "visit" else "ride",
                    "service_date": row["occurrence_date"],
                    "shift_id": sid,
                    "recorded_at": row["starts_at"],
                }
            )
    db.session.execute(sa.insert(Assignment), assignments)
    db.session.execute(sa.insert(Transfer), transfers)
    alerts = []
    for _ in range(1500):
        raised = _at(START + timedelta(days=rng.randint(0, 364)), rng.randint(9, 18))
        handled = (
            raised + timedelta(hours=rng.choice([1, 2, 4, 8, 30])) if rng.random() < 0.95 else None
        )
        alerts.append(
            {
                "organisation_id": oid,
                "person_id": rng.choice(residents),
                "reason": "worried",
                "raised_at": raised,
                "due_at": raised + timedelta(hours=4),
                "handled_at": handled,
            }
        )
    db.session.execute(sa.insert(Alert), alerts)
    db.session.commit()
    groups = len({s["group_key"] for s in shifts})
    print(
        f"town: {RESIDENTS} residents, {VOLUNTEERS} volunteers, {groups} services "
        f"({len(shifts)} shift rows), {len(assignments)} assignments, "
        f"{len(transfers)} ledger payments, {len(alerts)} alerts"
    )
    return oid


def median_ms(fn, runs: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        db.session.expire_all()
        t0 = clock.perf_counter()
        fn()
        times.append(clock.perf_counter() - t0)
    return statistics.median(times) * 1000


def median_cpu_ms(fn, runs: int = 5) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Wall-clock and this process's CPU time (medians): on a shared machine the CPU
    time says what the code costs whatever the load (SQLite works inside the process;
    PostgreSQL's own work is in the wall-clock figure only)."""
    walls, cpus = [], []
    for _ in range(runs):
        db.session.expire_all()
        t0, c0 = clock.perf_counter(), clock.process_time()
        fn()
        walls.append(clock.perf_counter() - t0)
        cpus.append(clock.process_time() - c0)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def analyse() -> None:
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does soon after a bulk load on a real server: without
        # statistics the planner takes each fresh table for a handful of rows and
        # nests loops over tens of thousands (21 s instead of 8 s, first version).
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def timed(cases: dict[str, Scope]) -> None:
    for name, scope in cases.items():
        wall, cpu = median_cpu_ms(lambda s=scope: sections(s))
        print(f"  {name:18s} {wall:7.0f} ms (process CPU {cpu:5.0f} ms)")


def main(url: str) -> None:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    with app.app_context():
        db.drop_all()
        db.create_all()
        with app.test_request_context():
            t0 = clock.perf_counter()
            oid = build(random.Random(19))
            coordinator = make_coordinator(db.session.get(Organisation, oid))
            db.session.commit()
            analyse()
            print(f"built in {clock.perf_counter() - t0:.0f} s")
            cases = {
                "year by month": Scope(oid, START, END, "month"),
                "year by quarter": Scope(oid, START, END, "quarter"),
                "one neighbourhood": Scope(oid, START, END, "month", "Centro"),
                "visits only": Scope(oid, START, END, "month", None, "visit"),
            }
            print(f"{db.engine.dialect.name}: indicators computed live, no summary (median of 5):")
            timed(cases)
            scope = cases["year by month"]
            print("  each source alone, year by month:")
            for name, fn in SOURCES.items():
                print(f"    {name:16s} {median_ms(lambda f=fn: f(scope)):7.0f} ms")
            f = Filters(oid)
            live = median_ms(lambda: monthly.live(f, START, END, month_number(START), None))
            print(f"    {'month facts':16s} {live:7.0f} ms")
            # The summary as the nightly job leaves it: every month stored (refreshed
            # in December), or November still live (refreshed on 15 November).
            t0 = clock.perf_counter()
            summary.refresh(oid, END + timedelta(days=6), datetime.now(UTC))
            db.session.commit()
            print(f"  summary refreshed in {clock.perf_counter() - t0:.1f} s")
            analyse()
            print("  with the summary, every month stored:")
            timed(cases)
            stored = summary.state(oid)
            base = month_number(START)
            read = median_ms(lambda: summary.month_facts(f, START, END, base, stored))
            print(f"    {'month facts':16s} {read:7.0f} ms")
            summary.refresh(oid, date(2026, 11, 15), datetime.now(UTC))
            db.session.commit()
            analyse()
            print("  with the summary, November live:")
            timed(cases)
            summary.refresh(oid, END + timedelta(days=6), datetime.now(UTC))
            db.session.commit()
            analyse()
        client = app.test_client()
        assert login(client, coordinator.email, PASSWORD).status_code == 302
        query = f"/observatory/?start={START}&end={END}&grain=month"
        page = median_ms(lambda: client.get(query).status_code == 200 or sys.exit("page failed"))
        pdf = median_ms(lambda: client.get(query.replace("/?", "/report.pdf?")), runs=3)
        xlsx = median_ms(lambda: client.get(query.replace("/?", "/export.xlsx?")), runs=3)
        print(
            f"  the whole page, year by month, with the summary: {page:.0f} ms; "
            f"PDF {pdf:.0f} ms; XLSX {xlsx:.0f} ms"
        )
        db.session.remove()
        db.drop_all()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(sys.argv[1])
    else:
        with tempfile.TemporaryDirectory() as tmp:
            main(f"sqlite:///{tmp}/bench.db")
