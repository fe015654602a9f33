"""Paying for shifts: each volunteer is credited the minutes they gave.

Called by the listener on the shifts feature's ``shift_completed`` signal (see
``listeners.py``), inside the shift operation's transaction; written against plain values
(ids, minutes), so the ledger's rules can be tested on their own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from webapp.core.locks import begin_write
from webapp.extensions import db
from webapp.people.models import Person
from webapp.timebank.accounts import account_for, chest, lock_accounts, policy_for
from webapp.timebank.errors import LedgerError, LimitExceeded, _
from webapp.timebank.models import Account, Transfer, TransferKind
from webapp.timebank.operations import (
    MAX_SHIFT_MINUTES,
    by_key,
    check_amount,
    record,
    short_of,
)


def pay_for_shift(
    *,
    shift_id: int,
    organisation_id: int,
    kind: str,
    service_date: date,
    resident_person_id: int | None,
    volunteers: Sequence[tuple[int, int]],
    actor_id: int | None,
) -> list[Transfer]:
    """Credit each volunteer the minutes they gave on a completed shift.

    ``volunteers`` holds ``(person_id, minutes)``; for a ride, the driver's time door to
    door including waiting. The resident pays, or the chest when the organisation's
    policy says so, the resident is at their limit or was erased (``None``). Idempotent:
    a second call for the same shift returns the first payments (the database refuses a
    second payment too).
    """
    begin_write(Account)
    if kind not in (TransferKind.VISIT, TransferKind.RIDE):
        raise LedgerError("kind", _("Only visits and rides are paid from shifts."))
    resident = None
    if resident_person_id is not None:
        resident = db.session.get(Person, resident_person_id)
        if resident is None or resident.organisation_id != organisation_id:
            raise LedgerError("resident", _("The resident is not in this organisation."))
    people: list[tuple[Person, int]] = []
    for person_id, minutes in volunteers:
        person = db.session.get(Person, person_id)
        if person is None or person.organisation_id != organisation_id:
            raise LedgerError("volunteer", _("The volunteer is not in this organisation."))
        if person.id == resident_person_id or person in [p for p, _m in people]:
            raise LedgerError("volunteer", _("Each volunteer is paid once per shift."))
        people.append((person, check_amount(minutes, "minutes", MAX_SHIFT_MINUTES)))
    policy = policy_for(organisation_id)
    the_chest = chest(organisation_id)
    payer_own = account_for(resident) if resident is not None else the_chest
    payees = [(account_for(p), m) for p, m in people]
    locked = lock_accounts([payer_own.id, the_chest.id, *[a.id for a, _m in payees]])
    paid = []
    # All or nothing: if the second volunteer cannot be paid, the first is not either,
    # even for a caller that catches the error and carries on with the transaction.
    with db.session.begin_nested():
        for account, minutes in payees:
            volunteer, resident_account = locked[account.id], locked[payer_own.id]
            key = f"shift:{shift_id}:person:{volunteer.person_id}"
            payer = resident_account
            if policy.chest_pays_for_residents or short_of(resident_account, minutes):
                payer = locked[the_chest.id]
            if short_of(payer, minutes) and by_key(key) is None:
                raise LimitExceeded(
                    "minutes",
                    _(
                        "Neither the resident nor the community chest has enough time left to pay "
                        "this shift. Ask a coordinator to raise the chest's limit."
                    ),
                )
            outcome = record(
                key=key,
                debit=payer,
                credit=volunteer,
                amount=minutes,
                kind=TransferKind(kind),
                service_date=service_date,
                actor_id=actor_id,
                shift_id=shift_id,
                limit_field="minutes",
                same=_same_payment(volunteer, minutes, shift_id),
            )
            paid.append(outcome.transfer)
    return paid


def _same_payment(volunteer: Account, minutes: int, shift_id: int) -> Callable[[Transfer], bool]:
    """A retry may find the resident able to pay where the chest paid before: the payment
    is the same if the volunteer, minutes and shift match."""

    def same(t: Transfer) -> bool:
        return (
            t.credit_account_id == volunteer.id and t.amount == minutes and t.shift_id == shift_id
        )

    return same
