"""Time-bank throughput: transfers per second with 1, 4 and 16 concurrent clients.

Each client is a thread with its own database connection running the real operation
(``webapp.timebank.operations.transfer``: lock two accounts in id order, check the limit,
insert, update both cached balances, commit) among ten accounts of a fresh organisation,
some of them volunteers whose transfers are refused at their limit. After each run the
ledger is audited (balances sum to zero, cached == recomputed, nobody past a limit) and
the number of transfers must equal the number of accepted requests; any failure exits 1.

    python benchmarks/ledger_tps.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ponte_ledger --seconds 10

The schema is created if missing; each run adds a new organisation and leaves its rows
(transfers are append-only), so point it at a scratch or test database.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from webapp import create_app  # noqa: E402
from webapp.config import Config  # noqa: E402
from webapp.extensions import db  # noqa: E402


def _app(url: str, clients: int):  # type: ignore[no-untyped-def]
    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = url
        SQLALCHEMY_ENGINE_OPTIONS = {"pool_size": clients + 2, "max_overflow": 4}

    return create_app(BenchConfig)


def _bank(accounts: int) -> tuple[int, list[int]]:
    from webapp.orgs.models import Organisation
    from webapp.people.models import Person
    from webapp.timebank.accounts import account_for

    tag = uuid.uuid4().hex[:10]
    org = Organisation(name=f"Bench {tag}", slug=f"bench-{tag}")
    db.session.add(org)
    db.session.flush()
    ids = []
    for n in range(accounts):
        # Every third person is a volunteer (limit 0): many of their payments are refused.
        person = Person(
            organisation_id=org.id,
            first_name=f"P{n}",
            last_name="Bench",
            address="-",
            is_volunteer=n % 3 == 0,
            is_resident=n % 3 != 0,
        )
        db.session.add(person)
        db.session.flush()
        ids.append(account_for(person).id)
    org_id = org.id
    db.session.commit()
    return org_id, ids


def run(app, clients: int, seconds: float, accounts: int) -> dict[str, object]:  # type: ignore[no-untyped-def]
    from webapp.timebank.audit import audit
    from webapp.timebank.errors import LimitExceeded
    from webapp.timebank.models import Transfer, TransferKind
    from webapp.timebank.operations import transfer

    with app.app_context():
        org_id, ids = _bank(accounts)
    counts = {"accepted": 0, "refused": 0, "errors": 0}
    latencies: list[float] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)
    stop_at: list[float] = []

    def client(seed: int) -> None:
        rng = random.Random(seed)
        mine = {"accepted": 0, "refused": 0, "errors": 0}
        lat: list[float] = []
        with app.app_context():
            start_gate.wait()
            while time.monotonic() < stop_at[0]:
                debit, credit = rng.sample(ids, 2)
                began = time.perf_counter()
                try:
                    transfer(
                        key=uuid.uuid4().hex,
                        debit_account_id=debit,
                        credit_account_id=credit,
                        amount=rng.randint(1, 240),
                        kind=TransferKind.DONATION,
                        service_date=date.today(),
                        actor_id=None,
                    )
                    db.session.commit()
                    mine["accepted"] += 1
                except LimitExceeded:
                    db.session.rollback()
                    mine["refused"] += 1
                except Exception as error:  # noqa: BLE001 - counted and reported
                    db.session.rollback()
                    mine["errors"] += 1
                    print(f"error: {error!r}", file=sys.stderr)
                lat.append(time.perf_counter() - began)
            db.session.remove()
        with lock:
            for k, v in mine.items():
                counts[k] += v
            latencies.extend(lat)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    stop_at.append(time.monotonic() + seconds)
    began = time.monotonic()
    start_gate.wait()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    with app.app_context():
        result = audit(org_id)
        stored = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Transfer)
            .where(Transfer.organisation_id == org_id)
        )
        db.session.rollback()
    latencies.sort()
    ok = result.ok and stored == counts["accepted"] and counts["errors"] == 0
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        **counts,
        "tps": round(counts["accepted"] / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1) if latencies else None,
        "invariants": "ok" if ok else f"BROKEN: {result.report()} stored={stored}",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", default="1,4,16", help="comma-separated client counts")
    parser.add_argument("--accounts", type=int, default=10)
    args = parser.parse_args()
    counts = [int(c) for c in args.clients.split(",")]
    app = _app(args.database_url, max(counts))
    with app.app_context():
        db.create_all()
    print(
        "| clients | accepted/s | accepted | refused (limit) | errors | p50 ms | p95 ms "
        "| invariants |"
    )
    print("|---|---|---|---|---|---|---|---|")
    failed = False
    for clients in counts:
        r = run(app, clients, args.seconds, args.accounts)
        failed |= r["invariants"] != "ok"
        print(
            f"| {r['clients']} | {r['tps']} | {r['accepted']} | {r['refused']} | {r['errors']} "
            f"| {r['p50_ms']} | {r['p95_ms']} | {r['invariants']} |",
            flush=True,
        )
    with app.app_context():
        db.engine.dispose()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
