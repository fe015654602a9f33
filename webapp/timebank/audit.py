"""Recompute the ledger from its transfers and compare with what is cached.

``audit()`` is read-only and safe to run at any time (the scheduler runs it nightly;
``flask ledger audit`` runs it by hand). It checks that:

- every cached balance equals credits minus debits of the account's transfers;
- every account's cached service figures equal the visits and rides it was paid for
  and paid, not reversed;
- the balances of each organisation sum to zero (every minute came from somewhere);
- no account is past its lower limit;
- every transfer stays inside one organisation;
- every reversal mirrors its original (same amount, accounts swapped);
- the organisation's figures kept for the coordinator's page (``figures.py``) equal
  those counted from the accounts and the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.timebank import figures
from webapp.timebank.models import SHIFT_KINDS, Account, Transfer


@dataclass
class AuditResult:
    accounts: int = 0
    transfers: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def report(self) -> str:
        head = f"{self.accounts} accounts, {self.transfers} transfers: "
        if self.ok:
            return head + "the ledger balances."
        return (
            head + f"{len(self.problems)} problem(s)\n" + "\n".join(f"- {p}" for p in self.problems)
        )


def _recomputed(organisation_id: int | None) -> dict[int, int]:
    credits = sa.select(
        Transfer.credit_account_id.label("account_id"), Transfer.amount.label("delta")
    )
    debits = sa.select(Transfer.debit_account_id, -Transfer.amount)
    if organisation_id is not None:
        credits = credits.where(Transfer.organisation_id == organisation_id)
        debits = debits.where(Transfer.organisation_id == organisation_id)
    moves = sa.union_all(credits, debits).subquery()
    rows = db.session.execute(
        sa.select(moves.c.account_id, sa.func.sum(moves.c.delta)).group_by(moves.c.account_id)
    )
    return {account_id: int(total) for account_id, total in rows}


def _recomputed_service(organisation_id: int | None) -> dict[int, list[int]]:
    """{account id: [minutes given, minutes received]} of visits and rides not reversed."""
    reversal = aliased(Transfer)
    served = sa.select(Transfer).where(
        Transfer.kind.in_(SHIFT_KINDS), ~sa.exists().where(reversal.reversal_of_id == Transfer.id)
    )
    if organisation_id is not None:
        served = served.where(Transfer.organisation_id == organisation_id)
    served_sq = served.subquery()
    figures: dict[int, list[int]] = {}
    for side, index in ((served_sq.c.credit_account_id, 0), (served_sq.c.debit_account_id, 1)):
        rows = db.session.execute(sa.select(side, sa.func.sum(served_sq.c.amount)).group_by(side))
        for account_id, total in rows:
            figures.setdefault(account_id, [0, 0])[index] = int(total)
    return figures


def audit(organisation_id: int | None = None) -> AuditResult:
    """Check the whole ledger (or one organisation's part of it)."""
    result = AuditResult()
    if not db.session().in_transaction() and db.session.get_bind().dialect.name == "postgresql":
        # One snapshot for every query, so transfers committed meanwhile cannot show up
        # as a false difference between the cached and the recomputed balances.
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    query = sa.select(Account).order_by(Account.id)
    count = sa.select(sa.func.count()).select_from(Transfer)
    if organisation_id is not None:
        query = query.where(Account.organisation_id == organisation_id)
        count = count.where(Transfer.organisation_id == organisation_id)
    accounts = db.session.scalars(query).all()
    result.accounts = len(accounts)
    result.transfers = db.session.scalar(count) or 0
    recomputed = _recomputed(organisation_id)
    service = _recomputed_service(organisation_id)
    totals: dict[int, int] = {}
    for account in accounts:
        given, received = service.get(account.id, (0, 0))
        if (account.service_given, account.service_received) != (given, received):
            result.problems.append(
                f"account {account.id}: cached service given/received "
                f"{account.service_given}/{account.service_received} != {given}/{received} "
                "recomputed from transfers"
            )
        expected = recomputed.pop(account.id, 0)
        totals[account.organisation_id] = totals.get(account.organisation_id, 0) + account.balance
        if account.balance != expected:
            result.problems.append(
                f"account {account.id}: cached balance {account.balance} != {expected} "
                "recomputed from transfers"
            )
        if account.lower_limit is not None and expected < account.lower_limit:
            result.problems.append(
                f"account {account.id}: balance {expected} is past its limit {account.lower_limit}"
            )
    for account_id in recomputed:  # transfers pointing at another organisation's account
        result.problems.append(f"account {account_id}: has transfers of another organisation")
    for org_id, total in sorted(totals.items()):
        if total != 0:
            result.problems.append(f"organisation {org_id}: balances sum to {total}, not 0")
    _check_transfers(result, organisation_id)
    result.problems.extend(figures.problems(organisation_id))
    return result


def _check_transfers(result: AuditResult, organisation_id: int | None) -> None:
    debit, credit = aliased(Account), aliased(Account)
    crossing = (
        sa.select(Transfer.id)
        .join(debit, debit.id == Transfer.debit_account_id)
        .join(credit, credit.id == Transfer.credit_account_id)
        .where(
            sa.or_(
                debit.organisation_id != Transfer.organisation_id,
                credit.organisation_id != Transfer.organisation_id,
            )
        )
    )
    original = aliased(Transfer)
    mirrored = (
        sa.select(Transfer.id)
        .join(original, original.id == Transfer.reversal_of_id)
        .where(
            sa.or_(
                Transfer.amount != original.amount,
                Transfer.debit_account_id != original.credit_account_id,
                Transfer.credit_account_id != original.debit_account_id,
            )
        )
    )
    if organisation_id is not None:
        crossing = crossing.where(Transfer.organisation_id == organisation_id)
        mirrored = mirrored.where(Transfer.organisation_id == organisation_id)
    for transfer_id in db.session.scalars(crossing):
        result.problems.append(f"transfer {transfer_id}: crosses organisations")
    for transfer_id in db.session.scalars(mirrored):
        result.problems.append(f"transfer {transfer_id}: does not mirror the transfer it reverses")
