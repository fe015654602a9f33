"""Opening accounts and reading policy. Operations flush; the caller commits."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from webapp.core.locks import begin_write
from webapp.extensions import db
from webapp.people.models import Person
from webapp.timebank.errors import LedgerError, _
from webapp.timebank.models import Account, AccountKind, LedgerPolicy


def policy_for(organisation_id: int) -> LedgerPolicy:
    """The organisation's policy, or an unsaved one holding the defaults."""
    policy = db.session.get(LedgerPolicy, organisation_id)
    return default_policy(organisation_id) if policy is None else policy


def default_policy(organisation_id: int) -> LedgerPolicy:
    """An unsaved policy holding the defaults (an organisation without a row has them)."""
    return LedgerPolicy(organisation_id=organisation_id, **LedgerPolicy.DEFAULTS)


def limit_for_person(person: Person, policy: LedgerPolicy) -> int:
    """Residents and neighbours receive help and may owe; volunteers only give."""
    if person.is_resident or person.is_neighbour:
        return policy.resident_limit
    return policy.member_limit


# Built once: every time-bank page and API call reads an account this way.
_BY_PERSON = sa.select(Account).where(Account.person_id == sa.bindparam("person_id"))
_SYSTEM = sa.select(Account).where(
    Account.organisation_id == sa.bindparam("organisation_id"),
    Account.kind == sa.bindparam("kind"),
)


def _get_or_create(
    query: sa.Select[Account], params: dict[str, object], make: Callable[[], Account]
) -> Account:
    account = db.session.scalar(query, params)
    if account is not None:
        return account
    account = make()
    try:
        # A savepoint: when another request opened the same account a moment ago, the
        # unique index refuses ours and we read theirs instead of failing the request.
        with db.session.begin_nested():
            db.session.add(account)
            db.session.flush()
    except IntegrityError:
        account = db.session.scalar(query, params)
        if account is None:
            raise
    return account


def account_for(person: Person) -> Account:
    """The person's account, opened on first use with the limit their roles give (the
    policy is read only then: an open account is one statement)."""
    return _get_or_create(
        _BY_PERSON,
        {"person_id": person.id},
        lambda: Account(
            organisation_id=person.organisation_id,
            person_id=person.id,
            kind=AccountKind.MEMBER,
            lower_limit=limit_for_person(person, policy_for(person.organisation_id)),
            balance=0,
        ),
    )


def system_account(organisation_id: int, kind: AccountKind) -> Account:
    """The organisation's chest or adjustments account, opened on first use."""
    if kind == AccountKind.MEMBER:
        raise ValueError("member accounts belong to a person")

    def make() -> Account:
        limit = policy_for(organisation_id).chest_limit if kind == AccountKind.CHEST else None
        return Account(organisation_id=organisation_id, kind=kind, lower_limit=limit, balance=0)

    return _get_or_create(_SYSTEM, {"organisation_id": organisation_id, "kind": kind}, make)


def chest(organisation_id: int) -> Account:
    return system_account(organisation_id, AccountKind.CHEST)


def set_policy(organisation_id: int, **values: object) -> LedgerPolicy:
    """Create or change an organisation's policy. New limits apply to accounts opened
    afterwards and to the chest; existing member limits are changed one by one with
    :func:`set_lower_limit`."""
    policy = db.session.get(LedgerPolicy, organisation_id)
    if policy is None:
        policy = LedgerPolicy(organisation_id=organisation_id, **LedgerPolicy.DEFAULTS)
        db.session.add(policy)
    for name, value in values.items():
        if name not in LedgerPolicy.DEFAULTS:
            raise ValueError(f"unknown policy setting {name}")
        setattr(policy, name, value)
    db.session.flush()
    if "chest_limit" in values:
        set_lower_limit(chest(organisation_id), policy.chest_limit)
    return policy


def set_lower_limit(account: Account, minutes: int | None) -> Account:
    locked = lock_accounts([account.id])[account.id]
    if minutes is not None and minutes > 0:
        raise LedgerError("lower_limit", _("A limit cannot be above zero."))
    if minutes is not None and locked.balance < minutes:
        raise LedgerError(
            "lower_limit",
            _("The balance is already below %(limit)s minutes.", limit=minutes),
        )
    locked.lower_limit = minutes
    db.session.flush()
    return locked


def lock_accounts(account_ids: Sequence[int]) -> dict[int, Account]:
    """Lock the accounts (ascending id, so two transfers never deadlock) and return them
    freshly read from the database."""
    ids = sorted(set(account_ids))
    begin_write(Account)
    rows = db.session.scalars(
        sa.select(Account)
        .where(Account.id.in_(ids))
        .order_by(Account.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    found = {a.id: a for a in rows}
    if len(found) != len(ids):
        raise LedgerError("account", _("This account does not exist."))
    return found
