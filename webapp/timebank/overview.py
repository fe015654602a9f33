"""The coordinator's time bank: the month's biggest givers and receivers, the accounts near
their limit and the latest transfers (the organisation's figures: ``figures.py``).

Each list comes with the names it shows in its own statement, as columns: the page read
each list's accounts and then their people, whole, in two more statements each (19
statements a view), and loading those rows cost more than the lists' SQL. The statements
are built once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from webapp.db import read_columns, sql_constant, sql_number
from webapp.extensions import db
from webapp.people.models import Person
from webapp.timebank import figures
from webapp.timebank.accounts import chest, default_policy
from webapp.timebank.errors import _
from webapp.timebank.models import (
    Account,
    AccountKind,
    AccountMonthFigures,
    LedgerPolicy,
    Transfer,
)
from webapp.timebank.queries import month_written

TOP = 5  # givers and receivers shown
NEAR = 50  # accounts near their limit shown
RECENT = 20  # latest transfers shown

_ORG = sa.bindparam("organisation_id", type_=sa.Integer)
_MONTH = month_written()


_CHEST = (
    sa.select(Account, LedgerPolicy)
    .outerjoin(LedgerPolicy, LedgerPolicy.organisation_id == Account.organisation_id)
    .where(Account.organisation_id == _ORG, Account.kind == sql_constant(AccountKind.CHEST))
)


def chest_and_policy(organisation_id: int) -> tuple[Account, LedgerPolicy]:
    """The organisation's chest (opened if need be) and its policy (the defaults without
    a row of its own), in one statement."""
    found = db.session.execute(_CHEST, {"organisation_id": organisation_id}).one_or_none()
    if found is None:  # no chest yet
        the_chest, policy = chest(organisation_id), db.session.get(LedgerPolicy, organisation_id)
    else:
        the_chest, policy = found
    return the_chest, policy or default_policy(organisation_id)


@dataclass(frozen=True)
class ChestFigures:
    """What the page shows of the chest."""

    balance: int
    lower_limit: int | None


@dataclass(frozen=True)
class PagePolicy:
    """What the page reads of the policy."""

    chest_pays_for_residents: bool
    near_limit_minutes: int


def _of_chest(column: Any) -> sa.ScalarSelect[Any]:
    return (
        sa.select(column)
        .where(Account.organisation_id == _ORG, Account.kind == sql_constant(AccountKind.CHEST))
        .scalar_subquery()
    )


def _of_policy(column: Any) -> sa.ScalarSelect[Any]:
    return sa.select(column).where(LedgerPolicy.organisation_id == _ORG).scalar_subquery()


# The figures and the lists' stamp, the chest and the policy: one statement a view.
_HEAD = figures.KEPT_AND_STAMP.add_columns(
    _of_chest(Account.id),
    _of_chest(Account.balance),
    _of_chest(Account.lower_limit),
    _of_policy(LedgerPolicy.chest_pays_for_residents),
    _of_policy(LedgerPolicy.near_limit_minutes),
)


def page_head(
    organisation_id: int, month_start: date
) -> tuple[dict[str, int], tuple[int, int, int] | None, ChestFigures, PagePolicy]:
    """The page's figures and its lists' stamp (``figures.totals_and_stamp``), the chest's
    balance and limit and the policy (its defaults without a row of its own), in one
    statement; before the organisation has a chest, it is opened first
    (:func:`chest_and_policy`) and the figures read after."""
    params = {"organisation_id": organisation_id, "month_start": month_start}
    row = read_columns(db.session(), _HEAD, params).one_or_none()
    if row is None or row[-5] is None:
        the_chest, opened_policy = chest_and_policy(organisation_id)
        totals, stamp = figures.totals_and_stamp(organisation_id, month_start)
        return (
            totals,
            stamp,
            ChestFigures(the_chest.balance, the_chest.lower_limit),
            PagePolicy(opened_policy.chest_pays_for_residents, opened_policy.near_limit_minutes),
        )
    totals, found_stamp = figures.totals_and_stamp_of(row)
    balance, lower_limit, pays, near = row[-4:]
    if near is None:  # no policy of its own
        defaults = default_policy(organisation_id)
        pays, near = defaults.chest_pays_for_residents, defaults.near_limit_minutes
    policy = PagePolicy(bool(pays), int(near))
    return totals, found_stamp, ChestFigures(int(balance), lower_limit), policy


@dataclass(frozen=True)
class Named:
    """An account as the page names it: a person (linked) or the chest's label."""

    person_id: int | None
    name: str
    minutes: int  # the figure shown next to it
    limit: int | None = None


class _Names:
    """Names as the coordinator reads them: the full name, else the account's label, the
    fixed words translated once per page rather than once per row."""

    def __init__(self) -> None:
        self.labels = {
            AccountKind.CHEST: _("Community chest"),
            AccountKind.ADJUSTMENTS: _("Adjustments"),
        }
        self.former = _("Former member")

    def __call__(self, kind: AccountKind, first: str | None, last: str | None) -> str:
        if first is not None:
            return f"{first} {last}"
        return self.labels.get(kind, self.former)


def _top(column: Any, which: str) -> sa.Select[Any]:
    """The ``TOP`` accounts with the most service minutes in ``column`` (given or
    received) from this month on: read from the accounts' kept months (``figures.py``),
    not the month's transfers (thousands in a city by the month's end). Nothing is dated
    after this month, as a rule: then the month's rows are read best first from their
    index, ``TOP`` of them; else each account's months are added up."""
    account, kept = AccountMonthFigures.account_id, AccountMonthFigures
    later = sa.exists().where(kept.organisation_id == _ORG, kept.month > _MONTH)
    this_month = (
        sa.select(account.label("account_id"), column.label("minutes"))
        .where(kept.organisation_id == _ORG, kept.month == _MONTH, column > sql_number(0), ~later)
        .order_by(column.desc(), account)
        .limit(sql_number(TOP))
        .subquery()
    )
    total = sa.func.sum(column)
    from_this_month_on = (
        sa.select(account.label("account_id"), total.label("minutes"))
        .where(kept.organisation_id == _ORG, kept.month >= _MONTH, later)
        .group_by(account)
        .having(total > sql_number(0))  # a reversed payment's payee had none
        .order_by(total.desc(), account)
        .limit(sql_number(TOP))
        .subquery()
    )
    best = sa.union_all(sa.select(this_month), sa.select(from_this_month_on)).subquery()
    return sa.select(sql_constant(which).label("side"), best)


_tops = sa.union_all(
    _top(AccountMonthFigures.given, "given"), _top(AccountMonthFigures.received, "received")
).subquery()
# The givers and the receivers, with their names, in one statement.
_TOPS = (
    sa.select(_tops.c.side, _tops.c.minutes, Account.kind, Account.person_id)
    .add_columns(Person.first_name, Person.last_name)
    .join(Account, Account.id == _tops.c.account_id)
    .outerjoin(Person, Person.id == Account.person_id)
    .order_by(_tops.c.side, _tops.c.minutes.desc(), _tops.c.account_id)
)


def top_accounts(organisation_id: int, month_start: date) -> dict[str, list[Named]]:
    """{"given": [...], "received": [...]}: who gave and who received the most service
    minutes this month."""
    names = _Names()
    found: dict[str, list[Named]] = {"given": [], "received": []}
    params = {"organisation_id": organisation_id, "month_start": month_start}
    for row in read_columns(db.session(), _TOPS, params):
        name = names(row.kind, row.first_name, row.last_name)
        found[row.side].append(Named(row.person_id, name, int(row.minutes)))
    return found


_MEMBER = Account.kind == sql_constant(AccountKind.MEMBER)
_HEADROOM = Account.balance - Account.lower_limit
_NEAR = (
    sa.select(Account.kind, Account.person_id, Account.balance, Account.lower_limit)
    .add_columns(Person.first_name, Person.last_name)
    .outerjoin(Person, Person.id == Account.person_id)
    .where(
        Account.organisation_id == _ORG,
        _MEMBER,
        Account.lower_limit.is_not(None),
        sa.bindparam("within", type_=sa.Integer) >= _HEADROOM,
    )
    .order_by(_HEADROOM, Account.id)
    .limit(sql_number(NEAR))
)


def near_limit(organisation_id: int, within: int) -> list[Named]:
    """Members within ``within`` minutes of their limit, the closest first."""
    names = _Names()
    return [
        Named(r.person_id, names(r.kind, r.first_name, r.last_name), r.balance, r.lower_limit)
        for r in read_columns(
            db.session(), _NEAR, {"organisation_id": organisation_id, "within": within}
        )
    ]


@dataclass(frozen=True)
class Recent:
    id: int
    service_date: date
    debit: str
    credit: str
    kind: str
    reversal_of_id: int | None
    amount: int


_debit, _credit = aliased(Account), aliased(Account)
_payer, _payee = aliased(Person), aliased(Person)
_RECENT = (
    sa.select(
        Transfer.id,
        Transfer.service_date,
        Transfer.kind,
        Transfer.reversal_of_id,
        Transfer.amount,
        _debit.kind.label("debit_kind"),
        _payer.first_name.label("debit_first"),
        _payer.last_name.label("debit_last"),
        _credit.kind.label("credit_kind"),
        _payee.first_name.label("credit_first"),
        _payee.last_name.label("credit_last"),
    )
    .join(_debit, _debit.id == Transfer.debit_account_id)
    .join(_credit, _credit.id == Transfer.credit_account_id)
    .outerjoin(_payer, _payer.id == _debit.person_id)
    .outerjoin(_payee, _payee.id == _credit.person_id)
    .where(Transfer.organisation_id == _ORG)
    .order_by(Transfer.id.desc())
    .limit(sql_number(RECENT))
)


def recent_transfers(organisation_id: int) -> list[Recent]:
    """The organisation's latest transfers, the newest first, with both sides named."""
    names = _Names()
    return [
        Recent(
            r.id,
            r.service_date,
            names(r.debit_kind, r.debit_first, r.debit_last),
            names(r.credit_kind, r.credit_first, r.credit_last),
            r.kind.value,
            r.reversal_of_id,
            r.amount,
        )
        for r in read_columns(db.session(), _RECENT, {"organisation_id": organisation_id})
    ]
