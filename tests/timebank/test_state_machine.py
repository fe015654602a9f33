"""Property-based: random sequences of ledger operations keep the invariants.

A model keeps the balances we expect from the operations that were accepted; after every
step the database must agree with it, the audit must pass, no account may be past its
limit and there must be exactly one transfer per accepted operation.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.factories import make_coordinator, make_org, make_person, make_resident, make_volunteer
from tests.timebank.helpers import real_shift_ids
from webapp.extensions import db
from webapp.timebank import operations as ops
from webapp.timebank.accounts import account_for, chest
from webapp.timebank.audit import audit
from webapp.timebank.errors import AlreadyReversed, LedgerError, TransferConflict
from webapp.timebank.models import Account, Transfer
from webapp.timebank.payments import pay_for_shift

TODAY = date(2026, 11, 20)
amounts = st.one_of(st.integers(1, 700), st.sampled_from([0, -3, ops.MAX_AMOUNT + 1]))


class LedgerMachine(RuleBasedStateMachine):
    @initialize()
    def open_bank(self) -> None:
        org = make_org()
        self.org_id = org.id
        self.coord = make_coordinator(org)
        self.people = [
            make_volunteer(org, with_user=False),
            make_volunteer(org, with_user=False),
            make_resident(org),
            make_resident(org),
            make_person(org, is_neighbour=True),
        ]
        self.chest_id = chest(org.id).id
        self.shift_ids = real_shift_ids(org, 6)
        self.expected = {account_for(p).id: 0 for p in self.people} | {self.chest_id: 0}
        self.sent: dict[str, dict] = {}  # key -> arguments of an accepted donation
        self.transfers: list[int] = []
        self.reversed: set[int] = set()
        self.n = 0

    def _key(self) -> str:
        self.n += 1
        return f"sm-{self.org_id}-{self.n}"

    def _apply(self, transfer: Transfer) -> None:
        self.expected[transfer.debit_account_id] -= transfer.amount
        self.expected[transfer.credit_account_id] += transfer.amount
        self.transfers.append(transfer.id)

    @rule(donor=st.integers(0, 4), to=st.integers(0, 5), minutes=amounts)
    def donate(self, donor: int, to: int, minutes: int) -> None:
        recipient = None if to == 5 else self.people[to]
        args = dict(
            key=self._key(),
            donor=self.people[donor],
            recipient=recipient,
            minutes=minutes,
            actor_id=None,
            service_date=TODAY,
        )
        try:
            out = ops.donate(**args)
        except LedgerError:
            return
        assert out.created
        self._apply(out.transfer)
        self.sent[args["key"]] = args

    @precondition(lambda self: self.sent)
    @rule(data=st.data(), change=st.booleans())
    def retry(self, data: st.DataObject, change: bool) -> None:
        key = data.draw(st.sampled_from(sorted(self.sent)))
        args = dict(self.sent[key])
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Transfer))
        if change:
            args["minutes"] += 1
            try:
                ops.donate(**args)
                raise AssertionError("a changed retry was accepted")
            except TransferConflict:
                pass
        else:
            assert not ops.donate(**args).created
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Transfer)) == before

    @rule(to=st.integers(0, 4), minutes=amounts, reason=st.sampled_from(["", "help"]))
    def grant(self, to: int, minutes: int, reason: str) -> None:
        try:
            out = ops.grant(
                key=self._key(),
                recipient=self.people[to],
                minutes=minutes,
                actor_id=self.coord.id,
                service_date=TODAY,
                reason=reason,
            )
        except LedgerError:
            return
        self._apply(out.transfer)

    @rule(who=st.integers(0, 4), minutes=st.integers(-400, 400))
    def adjust(self, who: int, minutes: int) -> None:
        try:
            out = ops.adjust(
                key=self._key(),
                person=self.people[who],
                minutes=minutes,
                actor_id=self.coord.id,
                service_date=TODAY,
                reason="paper ledger",
            )
        except LedgerError:
            return
        self.expected.setdefault(out.transfer.debit_account_id, 0)
        self.expected.setdefault(out.transfer.credit_account_id, 0)
        self._apply(out.transfer)

    @precondition(lambda self: self.transfers)
    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        target = data.draw(st.sampled_from(self.transfers))
        try:
            out = ops.reverse(
                transfer_id=target,
                organisation_id=self.org_id,
                actor_id=self.coord.id,
                reason="mistake",
                service_date=TODAY,
                key=self._key(),
            )
        except AlreadyReversed:
            assert target in self.reversed
            return
        except LedgerError:
            return
        assert target not in self.reversed
        self.reversed.add(target)
        self._apply(out.transfer)

    @rule(
        shift=st.integers(1, 6),
        who=st.sets(st.integers(0, 1), min_size=1),
        minutes=st.integers(1, 300),
        payer=st.integers(2, 4),
    )
    def pay_shift(self, shift: int, who: set[int], minutes: int, payer: int) -> None:
        before = len(self.transfers)
        try:
            paid = pay_for_shift(
                shift_id=self.shift_ids[shift - 1],
                organisation_id=self.org_id,
                kind="visit",
                service_date=TODAY,
                resident_person_id=self.people[payer].id,
                volunteers=[(self.people[i].id, minutes) for i in sorted(who)],
                actor_id=None,
            )
        except LedgerError:
            return
        for t in paid:
            if t.id not in self.transfers:
                self._apply(t)
        assert len(self.transfers) - before <= len(who)

    @invariant()
    def ledger_balances(self) -> None:
        if not hasattr(self, "org_id"):
            return
        rows = db.session.execute(
            sa.select(Account.id, Account.balance, Account.lower_limit).where(
                Account.organisation_id == self.org_id
            )
        ).all()
        for account_id, balance, limit in rows:
            assert balance == self.expected.get(account_id, 0)
            assert limit is None or balance >= limit
        count = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Transfer)
            .where(Transfer.organisation_id == self.org_id)
        )
        assert count == len(self.transfers)
        result = audit(self.org_id)
        assert result.ok, result.report()


def test_random_operations_keep_the_ledger_exact(db_session):  # type: ignore[no-untyped-def]
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=20,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
