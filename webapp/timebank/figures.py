"""The organisation's figures on the coordinator's page: members' accounts, the service
given in total, what members hold and owe, the month's transfers and service (and, read
by ``overview.top_accounts``, each account's service given and received in the month).

They are kept, not counted: ``timebank_figures`` (one row per organisation),
``timebank_month_figures`` (per organisation and month of service) and
``timebank_account_month`` (per account and month of service), written by database
triggers on every write of an account or a transfer (``ddl.py``; on PostgreSQL at the
commit). Counting them summed the organisation's 10,000 accounts and the month's
transfers at each view, a cost that grew with the organisation. :func:`recount` counts
them again from the accounts and the ledger, as the page did: the audit and the tests
compare the two.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from webapp.db import read_columns
from webapp.extensions import db
from webapp.timebank.models import (
    SHIFT_KINDS,
    Account,
    AccountKind,
    AccountMonthFigures,
    MonthFigures,
    NamesStamp,
    OrganisationFigures,
    Transfer,
)
from webapp.timebank.queries import month_written, not_reversed

FIGURES = (
    "accounts",
    "service_total",
    "members_positive",
    "members_negative",
    "transfers_month",
    "service_month",
)

_ORG = sa.bindparam("organisation_id", type_=sa.Integer)
_MONTH = month_written()


def _months(column: Any) -> sa.ScalarSelect[int]:
    """The sum of ``column`` over this month's row (and any later month's)."""
    return (
        sa.select(sa.func.coalesce(sa.func.sum(column), 0))
        .where(MonthFigures.organisation_id == _ORG, MonthFigures.month >= _MONTH)
        .scalar_subquery()
    )


_KEPT = sa.select(
    OrganisationFigures.accounts,
    OrganisationFigures.service_total,
    OrganisationFigures.members_positive,
    OrganisationFigures.members_negative,
    _months(MonthFigures.transfers),
    _months(MonthFigures.service),
).where(OrganisationFigures.organisation_id == _ORG)


# Read with the figures: what the coordinator's kept lists are drawn under
# (``kept.coordinator_lists``). The organisation's number of transfers, the months' counts
# added up (a dozen rows a year): the ledger only grows, and every transfer, of whatever
# month, adds one in its own commit, with the balances it moves. Its names stamp: the
# lists name people.
_STAMP = (
    sa.select(sa.func.coalesce(sa.func.sum(MonthFigures.transfers), 0))
    .where(MonthFigures.organisation_id == _ORG)
    .scalar_subquery(),
    sa.select(sa.func.coalesce(sa.func.max(NamesStamp.version), 0))
    .where(NamesStamp.organisation_id == _ORG)
    .scalar_subquery(),
)
KEPT_AND_STAMP = _KEPT.add_columns(*_STAMP)


def organisation_totals(organisation_id: int, month_start: date) -> dict[str, int]:
    """The figures as kept: a row or two read, whatever the organisation's size. (No row
    yet: the organisation has no account, or, on PostgreSQL, opened its first in this
    transaction, which counts once committed: all zero then.)"""
    row = read_columns(
        db.session(), _KEPT, {"organisation_id": organisation_id, "month_start": month_start}
    ).one_or_none()
    return dict(zip(FIGURES, (int(v) for v in row or (0,) * len(FIGURES)), strict=True))


def totals_and_stamp(
    organisation_id: int, month_start: date
) -> tuple[dict[str, int], tuple[int, int, int] | None]:
    """:func:`organisation_totals` and, in the same statement, the stamp the page's kept
    lists go by: (member accounts, transfers, names stamp); None before the organisation
    has figures."""
    params = {"organisation_id": organisation_id, "month_start": month_start}
    row = read_columns(db.session(), KEPT_AND_STAMP, params).one_or_none()
    if row is None:  # as organisation_totals
        return dict.fromkeys(FIGURES, 0), None
    return totals_and_stamp_of(row)


def totals_and_stamp_of(row: Sequence[Any]) -> tuple[dict[str, int], tuple[int, int, int]]:
    """What :func:`totals_and_stamp` reads from a row of :data:`KEPT_AND_STAMP` (or of a
    statement that adds columns after them)."""
    totals = dict(zip(FIGURES, (int(v) for v in row[: len(FIGURES)]), strict=True))
    transfers, names = (int(v) for v in row[len(FIGURES) : len(FIGURES) + 2])
    return totals, (totals["accounts"], transfers, names)


def _total(value: Any, *when: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    counted = sa.case((sa.and_(*when), value), else_=0) if when else value
    return sa.func.coalesce(sa.func.sum(counted), 0)


_MEMBER = Account.kind == AccountKind.MEMBER
_THIS_MONTH = (Transfer.organisation_id == _ORG, Transfer.service_date >= _MONTH)
# The figures counted from the accounts and the month's transfers, in one statement.
_RECOUNT = sa.select(
    _total(sa.literal(1), _MEMBER),
    _total(Account.service_given),
    _total(Account.balance, _MEMBER, Account.balance > 0),
    _total(Account.balance, _MEMBER, Account.balance < 0),
    sa.select(sa.func.count()).select_from(Transfer).where(*_THIS_MONTH).scalar_subquery(),
    sa.select(sa.func.coalesce(sa.func.sum(Transfer.amount), 0))
    .where(*_THIS_MONTH, Transfer.kind.in_(SHIFT_KINDS), not_reversed())
    .scalar_subquery(),
).where(Account.organisation_id == _ORG)


def recount(organisation_id: int, month_start: date) -> dict[str, int]:
    """The same figures counted from the accounts and the ledger (what they must be)."""
    row = db.session.execute(
        _RECOUNT, {"organisation_id": organisation_id, "month_start": month_start}
    ).one()
    return dict(zip(FIGURES, (int(v) for v in row), strict=True))


def _month(day: date) -> date:
    return day.replace(day=1)


def problems(organisation_id: int | None = None) -> list[str]:
    """Where the kept figures differ from the accounts and the ledger (every month, every
    organisation, or one): for the audit."""
    kept_rows = sa.select(OrganisationFigures)
    accounts = sa.select(
        Account.organisation_id,
        _total(sa.literal(1), _MEMBER),
        _total(Account.service_given),
        _total(Account.balance, _MEMBER, Account.balance > 0),
        _total(Account.balance, _MEMBER, Account.balance < 0),
    ).group_by(Account.organisation_id)
    kept_months = sa.select(MonthFigures)
    kept_accounts = sa.select(AccountMonthFigures)
    transfers = sa.select(
        Transfer.organisation_id,
        Transfer.service_date,
        Transfer.kind.in_(SHIFT_KINDS) & not_reversed(),
        Transfer.amount,
        Transfer.credit_account_id,
        Transfer.debit_account_id,
    )
    if organisation_id is not None:
        kept_rows = kept_rows.where(OrganisationFigures.organisation_id == organisation_id)
        accounts = accounts.where(Account.organisation_id == organisation_id)
        kept_months = kept_months.where(MonthFigures.organisation_id == organisation_id)
        kept_accounts = kept_accounts.where(AccountMonthFigures.organisation_id == organisation_id)
        transfers = transfers.where(Transfer.organisation_id == organisation_id)
    found: list[str] = []
    counted = {org: tuple(int(v) for v in rest) for org, *rest in db.session.execute(accounts)}
    kept = {
        f.organisation_id: (f.accounts, f.service_total, f.members_positive, f.members_negative)
        for f in db.session.scalars(kept_rows)
    }
    for org in sorted(counted.keys() | kept.keys()):
        if kept.get(org, (0, 0, 0, 0)) != counted.get(org, (0, 0, 0, 0)):
            found.append(
                f"organisation {org}: kept figures (accounts, service, held, owed) "
                f"{kept.get(org)} != {counted.get(org)} counted from the accounts"
            )
    months: dict[tuple[int, date], list[int]] = {}
    served: dict[tuple[int, date], list[int]] = {}  # (account, month): [given, received]
    for org, day, is_service, amount, credit, debit in db.session.execute(transfers):
        month = months.setdefault((org, _month(day)), [0, 0])
        month[0] += 1
        if is_service:
            month[1] += amount
            served.setdefault((credit, _month(day)), [0, 0])[0] += amount
            served.setdefault((debit, _month(day)), [0, 0])[1] += amount
    kept_by_month = {(m.organisation_id, m.month): [m.transfers, m.service]
                     for m in db.session.scalars(kept_months)}  # fmt: skip
    found += _differences("organisation", "transfers and service", kept_by_month, months)
    kept_served = {(a.account_id, a.month): [a.given, a.received]
                   for a in db.session.scalars(kept_accounts)}  # fmt: skip
    found += _differences("account", "service given and received", kept_served, served)
    return found


def _differences(
    who: str,
    what: str,
    kept: dict[tuple[int, date], list[int]],
    counted: dict[tuple[int, date], list[int]],
) -> list[str]:
    """Each (id, month) whose kept figures are not those counted from the ledger."""
    return [
        f"{who} {key[0]}, {key[1]:%Y-%m}: kept {what} "
        f"{kept.get(key)} != {counted.get(key)} counted from the ledger"
        for key in sorted(kept.keys() | counted.keys())
        if kept.get(key, [0, 0]) != counted.get(key, [0, 0])
    ]
