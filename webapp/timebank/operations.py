"""Moving minutes. Every operation locks the accounts it touches, checks, writes, flushes.

The caller commits once. The check of the limit and the write happen in the same
transaction, after the two accounts are locked in a fixed order (ascending id):
``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the whole database is the lock, taken
up front (:func:`webapp.core.locks.begin_write`), so two writers never both read the same
balance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from webapp.audit import operations as audit
from webapp.core.locks import begin_write, is_postgres
from webapp.db import utcnow
from webapp.extensions import db
from webapp.people.models import Person
from webapp.timebank import partners
from webapp.timebank.accounts import account_for, chest, lock_accounts, system_account
from webapp.timebank.errors import AlreadyReversed, LedgerError, LimitExceeded, TransferConflict, _
from webapp.timebank.models import SHIFT_KINDS, Account, AccountKind, Transfer, TransferKind

MAX_AMOUNT = 100 * 60  # one transfer never moves more than 100 hours: catches typos
MAX_SHIFT_MINUTES = 24 * 60
KEY_MAX = 100


@dataclass(frozen=True)
class Outcome:
    transfer: Transfer
    created: bool  # False when a retry returned the original


def check_amount(amount: object, field: str = "amount", maximum: int = MAX_AMOUNT) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise LedgerError(field, _("Enter a whole number of minutes."))
    if amount <= 0:
        raise LedgerError(field, _("Enter a number of minutes greater than zero."))
    if amount > maximum:
        raise LedgerError(field, _("At most %(n)s minutes in one go.", n=maximum))
    return amount


def _check_key(key: object) -> str:
    if not isinstance(key, str) or not key.strip():
        raise LedgerError("key", _("A request id is required."))
    key = key.strip()
    if len(key) > KEY_MAX:
        raise LedgerError("key", _("A request id has at most %(n)s characters.", n=KEY_MAX))
    return key


def by_key(key: str) -> Transfer | None:
    return db.session.scalar(sa.select(Transfer).where(Transfer.key == key))


def _same(existing: Transfer, values: dict[str, object]) -> bool:
    """Content that a retry must repeat exactly (the server sets dates and times)."""
    fields = (
        "debit_account_id",
        "credit_account_id",
        "amount",
        "kind",
        "shift_id",
        "reversal_of_id",
        "reason",
    )
    return all(getattr(existing, f) == values.get(f) for f in fields)


def _conflict() -> TransferConflict:
    return TransferConflict("key", _("This request id was already used for a different transfer."))


def short_of(account: Account, amount: int) -> bool:
    return account.lower_limit is not None and account.balance - amount < account.lower_limit


def _limit_error(account: Account, field: str) -> LimitExceeded:
    available = max(0, account.balance - (account.lower_limit or 0))
    return LimitExceeded(
        field,
        _(
            "Not enough time in the account: %(available)s minutes can be spent now.",
            available=available,
        ),
    )


def record(
    *,
    key: str,
    debit: Account,
    credit: Account,
    amount: int,
    kind: TransferKind,
    service_date: date,
    actor_id: int | None,
    reason: str | None = None,
    shift_id: int | None = None,
    reversal_of_id: int | None = None,
    same: Callable[[Transfer], bool] | None = None,
    limit_field: str = "amount",
    reverses_service: bool = False,
) -> Outcome:
    """Write one transfer between two LOCKED accounts (see :func:`lock_accounts`).
    ``reverses_service``: a reversal of a visit or a ride (the service figures go back)."""
    values: dict[str, object] = dict(
        debit_account_id=debit.id,
        credit_account_id=credit.id,
        amount=amount,
        kind=kind,
        shift_id=shift_id,
        reversal_of_id=reversal_of_id,
        reason=reason,
    )
    is_same = same or (lambda t: _same(t, values))
    if debit.organisation_id != credit.organisation_id:
        raise LedgerError("account", _("Both accounts must belong to the same organisation."))
    if debit.id == credit.id:
        raise LedgerError("recipient", _("Choose someone other than the payer."))
    if short_of(debit, amount):
        # A retry of a transfer that went through may now find the payer at the limit:
        # it must still get the original back, not a refusal.
        return _replay(key, is_same, shift_id, reversal_of_id, _limit_error(debit, limit_field))
    row = dict(
        key=key,
        organisation_id=debit.organisation_id,
        service_date=service_date,
        created_by_id=actor_id,
        recorded_at=utcnow(),
        **values,
    )
    # INSERT ... ON CONFLICT DO NOTHING RETURNING: one round trip, and a unique index
    # (the key, a shift already paid, a transfer already reversed) answers "no row"
    # instead of aborting the transaction. On PostgreSQL a concurrent insert of the same
    # key waits for the other transaction and then finds its row.
    dialect = postgresql if is_postgres() else sqlite
    statement = dialect.insert(Transfer).on_conflict_do_nothing().returning(Transfer)
    transfer = db.session.scalars(statement, [row]).first()
    if transfer is None:
        return _replay(key, is_same, shift_id, reversal_of_id, _conflict())
    # Both cached balances (and service figures) in one statement; the CHECK on the
    # account is the backstop.
    given, received = _service_moves(kind, amount, reverses_service)
    db.session.execute(
        sa.update(Account)
        .where(Account.id.in_((debit.id, credit.id)))
        .values(
            balance=Account.balance + sa.case((Account.id == debit.id, -amount), else_=amount),
            service_given=Account.service_given
            + sa.case((Account.id == debit.id, given[0]), else_=given[1]),
            service_received=Account.service_received
            + sa.case((Account.id == debit.id, received[0]), else_=received[1]),
        )
        .execution_options(synchronize_session=False)
    )
    set_committed_value(debit, "balance", debit.balance - amount)
    set_committed_value(credit, "balance", credit.balance + amount)
    set_committed_value(debit, "service_given", debit.service_given + given[0])
    set_committed_value(credit, "service_given", credit.service_given + given[1])
    set_committed_value(debit, "service_received", debit.service_received + received[0])
    set_committed_value(credit, "service_received", credit.service_received + received[1])
    if debit.person_id is not None and credit.person_id is not None:
        partners.note([(debit.person_id, credit.person_id)])  # each other's "give to" list
    return Outcome(transfer, True)


def _service_moves(
    kind: TransferKind, amount: int, reverses_service: bool
) -> tuple[tuple[int, int], tuple[int, int]]:
    """How a transfer moves the accounts' service figures, as ((given of the debit
    account, of the credit account), (received of the debit, of the credit)). A visit or
    a ride pays the volunteer (credit: given) from the resident or the chest (debit:
    received); its reversal runs the other way and takes both back."""
    if kind.value in SHIFT_KINDS:
        return (0, amount), (amount, 0)
    if kind == TransferKind.REVERSAL and reverses_service:
        return (-amount, 0), (0, -amount)
    return (0, 0), (0, 0)


def _replay(
    key: str,
    is_same: Callable[[Transfer], bool],
    shift_id: int | None,
    reversal_of_id: int | None,
    otherwise: LedgerError,
) -> Outcome:
    """The answer when the transfer was not written: the original for a faithful retry,
    a conflict for a reused key or a second payment, else ``otherwise``."""
    existing = by_key(key)
    if existing is not None:
        if is_same(existing):
            return Outcome(existing, False)
        raise _conflict()
    if isinstance(otherwise, TransferConflict) and shift_id is not None:
        raise TransferConflict("shift_id", _("This shift has already been paid."))
    if isinstance(otherwise, TransferConflict) and reversal_of_id is not None:
        raise AlreadyReversed("transfer", _("This transfer was already reversed."))
    raise otherwise


def transfer(
    *,
    key: str,
    debit_account_id: int,
    credit_account_id: int,
    amount: int,
    kind: TransferKind,
    service_date: date,
    actor_id: int | None,
    reason: str | None = None,
    shift_id: int | None = None,
) -> Outcome:
    """Move ``amount`` minutes between two accounts. Retrying with the same ``key`` and the
    same content returns the original; the same key with other content is refused."""
    key = _check_key(key)
    amount = check_amount(amount)
    if kind == TransferKind.REVERSAL:
        raise ValueError("use reverse() for reversals")
    if debit_account_id == credit_account_id:
        raise LedgerError("recipient", _("Choose someone other than the payer."))
    accounts = lock_accounts([debit_account_id, credit_account_id])
    return record(
        key=key,
        debit=accounts[debit_account_id],
        credit=accounts[credit_account_id],
        amount=amount,
        kind=kind,
        service_date=service_date,
        actor_id=actor_id,
        reason=(reason or "").strip() or None,
        shift_id=shift_id,
    )


def donate(
    *,
    key: str,
    donor: Person,
    recipient: Person | None,
    minutes: int,
    actor_id: int | None,
    service_date: date,
    reason: str | None = None,
) -> Outcome:
    """A member gives minutes to another member of the same organisation, or to the
    chest (``recipient=None``)."""
    begin_write(Account)
    if recipient is not None and recipient.organisation_id != donor.organisation_id:
        raise LedgerError("recipient", _("Choose a member of your own organisation."))
    if recipient is not None and recipient.id == donor.id:
        raise LedgerError("recipient", _("You cannot donate to yourself."))
    source = account_for(donor)
    target = account_for(recipient) if recipient is not None else chest(donor.organisation_id)
    return transfer(
        key=key,
        debit_account_id=source.id,
        credit_account_id=target.id,
        amount=minutes,
        kind=TransferKind.DONATION,
        service_date=service_date,
        actor_id=actor_id,
        reason=reason,
    )


def grant(
    *,
    key: str,
    recipient: Person,
    minutes: int,
    actor_id: int | None,
    service_date: date,
    reason: str | None,
) -> Outcome:
    """A coordinator gives minutes from the community chest to a member."""
    if not (reason or "").strip():
        raise LedgerError("reason", _("Say why the chest pays: it is shown in the statement."))
    begin_write(Account)
    outcome = transfer(
        key=key,
        debit_account_id=chest(recipient.organisation_id).id,
        credit_account_id=account_for(recipient).id,
        amount=minutes,
        kind=TransferKind.GRANT,
        service_date=service_date,
        actor_id=actor_id,
        reason=reason,
    )
    _audit("ledger.grant", outcome, actor_id, recipient.id)
    return outcome


def _audit(action: str, outcome: Outcome, actor_id: int | None, person_id: int | None) -> None:
    """A coordinator's grant, reversal or adjustment goes into the audit log once."""
    if not outcome.created:
        return
    t = outcome.transfer
    audit.record(
        action,
        actor_id=actor_id,
        organisation_id=t.organisation_id,
        person_id=person_id,
        target=f"transfer:{t.id}",
        changes={"minutes": [None, t.amount], "reason": [None, t.reason]},
    )


def reverse(
    *,
    transfer_id: int,
    organisation_id: int,
    actor_id: int | None,
    reason: str,
    service_date: date,
    key: str | None = None,
) -> Outcome:
    """Undo a transfer with a new, opposite one that points at it (at most once)."""
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError("reason", _("Say why the transfer is reversed."))
    begin_write(Account)
    original = db.session.get(Transfer, transfer_id)
    if original is None or original.organisation_id != organisation_id:
        raise LedgerError("transfer", _("There is no transfer with this number."))
    if original.kind == TransferKind.REVERSAL:
        raise LedgerError(
            "transfer", _("A reversal cannot be reversed; record a new transfer instead.")
        )
    key = _check_key(key or f"reversal-of:{original.id}")
    accounts = lock_accounts([original.debit_account_id, original.credit_account_id])
    already = db.session.scalar(sa.select(Transfer).where(Transfer.reversal_of_id == original.id))
    if already is not None and already.key != key:
        raise AlreadyReversed("transfer", _("This transfer was already reversed."))
    outcome = record(
        key=key,
        debit=accounts[original.credit_account_id],
        credit=accounts[original.debit_account_id],
        amount=original.amount,
        kind=TransferKind.REVERSAL,
        service_date=service_date,
        actor_id=actor_id,
        reason=reason[:500],
        reversal_of_id=original.id,
        limit_field="transfer",
        reverses_service=original.kind.value in SHIFT_KINDS,
    )
    member = accounts[original.credit_account_id].person_id or accounts[
        original.debit_account_id
    ].person_id
    _audit("ledger.reversal", outcome, actor_id, member)
    return outcome


def adjust(
    *,
    key: str,
    person: Person,
    minutes: int,
    actor_id: int | None,
    service_date: date,
    reason: str,
) -> Outcome:
    """Correct a member's balance (e.g. hours carried over from a paper ledger): positive
    minutes credit the member, negative debit them; the organisation's adjustments
    account is the other side, so the ledger still sums to zero."""
    if not (reason or "").strip():
        raise LedgerError("reason", _("Say why the balance is adjusted."))
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes == 0:
        raise LedgerError("amount", _("Enter a whole number of minutes other than zero."))
    begin_write(Account)
    member = account_for(person)
    other = system_account(person.organisation_id, AccountKind.ADJUSTMENTS)
    debit, credit = (other, member) if minutes > 0 else (member, other)
    outcome = transfer(
        key=key,
        debit_account_id=debit.id,
        credit_account_id=credit.id,
        amount=abs(minutes),
        kind=TransferKind.ADJUSTMENT,
        service_date=service_date,
        actor_id=actor_id,
        reason=reason,
    )
    _audit("ledger.adjustment", outcome, actor_id, person.id)
    return outcome
