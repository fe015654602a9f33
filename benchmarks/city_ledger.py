"""The city data's ledger: an account for everyone and a year of transfers, written in
bulk with the keys and amounts the operations write (part of benchmarks/city_data.py)."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from webapp.extensions import db
from webapp.people.models import Person
from webapp.timebank.models import Account, AccountKind, LedgerPolicy, Transfer

BATCH = 2000


def write_ledger(
    rng: random.Random,
    org_id: int,
    people: dict[str, list[Person]],
    done: list,
    now: datetime,
) -> int:
    """Accounts for everyone and a year of transfers: each completed visit or ride paid
    (the resident pays while within their limit, else the chest), opening balances and
    donations between neighbours. Balances are the sums of the rows."""
    policy = db.session.get(LedgerPolicy, org_id) or LedgerPolicy(organisation_id=org_id)
    policy.chest_limit = -10_000_000  # a city underwrites its residents' visits
    db.session.add(policy)
    lower = {"resident": LedgerPolicy.DEFAULTS["resident_limit"], "member": 0}
    everyone = [p for group in people.values() for p in group]
    rows = [
        dict(
            organisation_id=org_id,
            person_id=p.id,
            kind=AccountKind.MEMBER,
            balance=0,
            lower_limit=lower["resident" if p.is_resident or p.is_neighbour else "member"],
        )
        for p in everyone
    ]
    rows += [
        dict(
            organisation_id=org_id,
            person_id=None,
            kind=k,
            balance=0,
            lower_limit=policy.chest_limit if k == AccountKind.CHEST else None,
        )
        for k in (AccountKind.CHEST, AccountKind.ADJUSTMENTS)
    ]
    acc_ids = db.session.scalars(
        sa.insert(Account).returning(Account.id, sort_by_parameter_order=True), rows
    ).all()
    account = {p.id: a for p, a in zip(everyone, acc_ids, strict=False)}
    chest, adjustments = acc_ids[-2], acc_ids[-1]
    limit = {a: r["lower_limit"] for a, r in zip(acc_ids, rows, strict=True)}
    balance: dict[int, int] = defaultdict(int)
    given: dict[int, int] = defaultdict(int)  # the accounts' service figures (no reversals)
    received: dict[int, int] = defaultdict(int)
    transfers = []

    def add(
        key: str,
        debit: int,
        credit: int,
        minutes: int,
        kind: str,
        day: date,
        shift_id: int | None = None,
    ) -> None:
        if limit[debit] is not None and balance[debit] - minutes < limit[debit]:
            if kind not in ("visit", "ride"):
                return
            debit = chest
        balance[debit] -= minutes
        balance[credit] += minutes
        if kind in ("visit", "ride"):
            given[credit] += minutes
            received[debit] += minutes
        at = datetime.combine(day, time(18), UTC)
        transfers.append(
            dict(
                key=key,
                organisation_id=org_id,
                debit_account_id=debit,
                credit_account_id=credit,
                amount=minutes,
                kind=kind,
                service_date=day,
                recorded_at=at,
                created_by_id=None,
                shift_id=shift_id,
            )
        )

    year_ago = now.date() - timedelta(days=365)
    for p in people["neighbours"][::3]:
        add(
            f"city:open:{p.id}",
            adjustments,
            account[p.id],
            rng.choice([60, 120, 240]),
            "adjustment",
            year_ago,
        )
    for sid, row, req, vol in done:
        if row["kind"].value == "ride_back":
            continue  # a ride is paid once, under its first leg, door to door
        minutes = round((row["ends_at"] - row["starts_at"]).total_seconds() / 60)
        if row["kind"].value == "ride_out":
            minutes += 60 + 30  # the stay and the way back
        add(
            f"shift:{sid}:person:{vol.id}",
            account[req.resident_id],
            account[vol.id],
            minutes,
            "visit" if row["kind"].value == "visit" else "ride",
            row["occurrence_date"],
            sid,
        )
    nbs = people["neighbours"]
    for n in range(5000):
        a, b = rng.sample(nbs, 2)
        day = year_ago + timedelta(days=rng.randrange(365))
        add(
            f"city:gift:{n}",
            account[a.id],
            account[b.id],
            rng.choice([15, 30, 60]),
            "donation",
            day,
        )
    transfers.sort(key=lambda t: t["recorded_at"])
    for i in range(0, len(transfers), BATCH):
        db.session.execute(sa.insert(Transfer), transfers[i : i + BATCH])
    # ORM bulk UPDATE by primary key: one executemany, not one round trip per account.
    db.session.execute(
        sa.update(Account),
        [
            {"id": a, "balance": v, "service_given": given[a], "service_received": received[a]}
            for a, v in balance.items()
        ],
    )
    return len(transfers)
