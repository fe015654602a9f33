"""Concurrent clients against the real database (committed data, real threads).

The bank workload in the spirit of Jepsen's: threads move random amounts among ten
accounts for a few seconds, many of them refused for limits. Afterwards the balances sum
to zero, no account is past its limit, every cached balance equals the recomputed one and
there are exactly as many transfers as accepted requests. The same workload run through a
deliberately naive read-then-write transfer (kept here, never in the app) breaks these
invariants, which shows the test can catch the bug it is meant to catch.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import make_org, make_person, make_resident, make_volunteer
from tests.timebank.helpers import real_shift_ids
from webapp.extensions import db
from webapp.timebank import operations as ops
from webapp.timebank.accounts import account_for, chest
from webapp.timebank.audit import audit
from webapp.timebank.errors import LimitExceeded
from webapp.timebank.models import Account, Transfer, TransferKind
from webapp.timebank.payments import pay_for_shift

TODAY = date(2026, 11, 20)
THREADS = 12
SECONDS = 3.0


def _setup_bank() -> tuple[int, list[int]]:
    org = make_org()
    people = [make_volunteer(org, with_user=False) for _ in range(4)]
    people += [make_resident(org) for _ in range(4)]
    people += [make_person(org, is_neighbour=True)]
    ids = [account_for(p).id for p in people] + [chest(org.id).id]
    org_id = org.id
    db.session.commit()  # read nothing after this: a read would pin a snapshot on SQLite
    return org_id, ids


def correct_transfer(debit_id: int, credit_id: int, amount: int, key: str) -> None:
    ops.transfer(
        key=key,
        debit_account_id=debit_id,
        credit_account_id=credit_id,
        amount=amount,
        kind=TransferKind.DONATION,
        service_date=TODAY,
        actor_id=None,
    )


def naive_transfer(debit_id: int, credit_id: int, amount: int, key: str) -> None:
    """The bug we guard against: read the balances, decide, then write what we computed."""
    debit = db.session.get(Account, debit_id)
    credit = db.session.get(Account, credit_id)
    if debit.lower_limit is not None and debit.balance - amount < debit.lower_limit:
        raise LimitExceeded("amount", "not enough")
    time.sleep(0.002)  # the window in which another client reads the same balances
    db.session.add(
        Transfer(
            key=key,
            organisation_id=debit.organisation_id,
            debit_account_id=debit_id,
            credit_account_id=credit_id,
            amount=amount,
            kind=TransferKind.DONATION,
            service_date=TODAY,
        )
    )
    for account_id, value in (
        (debit_id, debit.balance - amount),
        (credit_id, credit.balance + amount),
    ):
        db.session.execute(
            sa.update(Account)
            .where(Account.id == account_id)
            .values(balance=value)
            .execution_options(synchronize_session=False)
        )
    db.session.flush()


def run_workload(
    app,
    account_ids: list[int],
    transfer: Callable,
    seconds: float,  # type: ignore[no-untyped-def]
    threads: int,
) -> dict[str, object]:
    stats = {"accepted": 0, "refused": 0, "errors": []}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        with app.app_context():
            while time.monotonic() < deadline:
                debit_id, credit_id = rng.sample(account_ids, 2)
                try:
                    transfer(debit_id, credit_id, rng.randint(1, 400), uuid.uuid4().hex)
                    db.session.commit()
                    outcome = "accepted"
                except LimitExceeded:
                    db.session.rollback()
                    outcome = "refused"
                except Exception as error:  # noqa: BLE001 - any other failure is a finding
                    db.session.rollback()
                    with lock:
                        stats["errors"].append(repr(error))  # type: ignore[union-attr]
                    continue
                with lock:
                    stats[outcome] += 1  # type: ignore[operator]
            db.session.remove()

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    db.session.rollback()
    return stats


def _transfer_count(org_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Transfer).where(Transfer.organisation_id == org_id)
    )


def test_bank_workload_keeps_every_invariant(app, committed_db):  # type: ignore[no-untyped-def]
    org_id, ids = _setup_bank()
    stats = run_workload(app, ids, correct_transfer, SECONDS, THREADS)
    assert stats["errors"] == []
    assert stats["accepted"] > 50 and stats["refused"] > 0  # limits really were exercised
    db.session.rollback()
    result = audit(org_id)
    assert result.ok, result.report()
    assert _transfer_count(org_id) == stats["accepted"]
    balances = db.session.execute(
        sa.select(Account.balance, Account.lower_limit).where(Account.organisation_id == org_id)
    ).all()
    assert sum(b for b, _limit in balances) == 0
    assert all(limit is None or b >= limit for b, limit in balances)


def test_the_same_workload_catches_a_naive_read_then_write(app, committed_db, postgres_only):  # type: ignore[no-untyped-def]
    found = []
    for _round in range(3):  # a race may, rarely, not happen in one short round
        org_id, ids = _setup_bank()
        stats = run_workload(app, ids, naive_transfer, 1.5, THREADS)
        db.session.rollback()
        result = audit(org_id)
        if not result.ok or _transfer_count(org_id) != stats["accepted"]:
            found = result.problems
            break
    assert found, "the naive transfer kept the invariants: the workload cannot catch the bug"
    assert any("recomputed" in p or "past its limit" in p or "sum to" in p for p in found)


def _concurrently(app, n: int, action: Callable[[], object]) -> list[object]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(n)
    results: list[object] = []
    lock = threading.Lock()

    def worker() -> None:
        with app.app_context():
            barrier.wait()
            try:
                outcome: object = action()
                db.session.commit()
            except Exception as error:  # noqa: BLE001
                db.session.rollback()
                outcome = error
            with lock:
                results.append(outcome)
            db.session.remove()

    pool = [threading.Thread(target=worker) for _ in range(n)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    db.session.rollback()  # look at the database as the threads left it
    return results


def test_twenty_concurrent_retries_create_one_transfer(app, committed_db):  # type: ignore[no-untyped-def]
    org_id, ids = _setup_bank()
    resident, volunteer = ids[4], ids[0]

    def retry() -> tuple[int, bool]:
        out = ops.transfer(
            key="phone-retry-1",
            debit_account_id=resident,
            credit_account_id=volunteer,
            amount=45,
            kind=TransferKind.DONATION,
            service_date=TODAY,
            actor_id=None,
        )
        return out.transfer.id, out.created

    results = _concurrently(app, 20, retry)
    assert all(isinstance(r, tuple) for r in results), results
    assert len({r[0] for r in results}) == 1  # type: ignore[index]
    assert sum(r[1] for r in results) == 1  # type: ignore[index]
    assert _transfer_count(org_id) == 1
    assert db.session.get(Account, volunteer).balance == 45
    assert audit(org_id).ok


def test_paying_a_shift_twice_concurrently_pays_once(app, committed_db):  # type: ignore[no-untyped-def]
    org = make_org()
    resident, v1, v2 = make_resident(org), make_volunteer(org), make_volunteer(org)
    shift_id = real_shift_ids(org)[0]
    args = dict(
        shift_id=shift_id,
        organisation_id=org.id,
        kind="visit",
        service_date=TODAY,
        resident_person_id=resident.id,
        volunteers=[(v1.id, 60), (v2.id, 60)],
        actor_id=None,
    )
    db.session.commit()
    results = _concurrently(app, 2, lambda: [t.id for t in pay_for_shift(**args)])
    assert all(isinstance(r, list) for r in results), results
    assert results[0] == results[1]
    assert _transfer_count(org.id) == 2
    assert account_for(resident).balance == -120
    assert audit(org.id).ok


def test_sqlite_takes_the_write_lock_before_reading_balances(app, committed_db):  # type: ignore[no-untyped-def]
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite locking")
    _org_id, ids = _setup_bank()
    seen: list[str] = []

    def log(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append(" ".join(statement.split()))

    sa.event.listen(db.engine, "before_cursor_execute", log)
    try:
        db.session.remove()
        correct_transfer(ids[4], ids[0], 5, "lock-1")  # fresh transaction: BEGIN IMMEDIATE
        db.session.commit()
        assert seen[0] == "BEGIN IMMEDIATE"
        seen.clear()
        db.session.get(Account, ids[1])  # a read begins a deferred transaction...
        correct_transfer(ids[4], ids[1], 5, "lock-2")
        db.session.commit()
        assert seen[0] == "BEGIN"
        # ...so the write lock is taken by a no-op UPDATE before the balances are read.
        noop = next(i for i, q in enumerate(seen) if q.startswith("UPDATE timebank_account"))
        locked_read = next(
            i
            for i, q in enumerate(seen)
            if q.startswith("SELECT") and "FROM timebank_account" in q and "IN (" in q
        )
        assert noop < locked_read
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", log)


def test_sqlite_stale_read_transaction_starts_over_instead_of_failing(app, committed_db):  # type: ignore[no-untyped-def]
    """A web request reads first (the login), then writes: if another writer committed
    in between, SQLite cannot upgrade the stale read; nothing is written yet, so the
    operation starts again with BEGIN IMMEDIATE instead of failing the request."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite locking")
    _org_id, ids = _setup_bank()
    seen: list[str] = []

    def log(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", log)
    db.session.get(Account, ids[0])  # the request's first read pins a snapshot
    with db.engine.begin() as other:  # another request commits meanwhile
        other.execute(sa.text("UPDATE organisation SET name = name || ' (test)'"))
    try:
        correct_transfer(ids[4], ids[0], 15, "stale-1")
        db.session.commit()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", log)
    assert "BEGIN IMMEDIATE" in seen  # the stale read was dropped and the lock taken first
    assert db.session.get(Account, ids[0]).balance == 15
    assert audit().ok
