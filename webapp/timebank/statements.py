"""A member's statement: every movement of their account with the balance after it.

The page shows it a page at a time, newest first (:func:`statement_page`): a year of a
busy volunteer's visits is hundreds of lines, and reading them all for the latest fifty
made the page slow under load. Each line's balance comes from the ledger itself (the
signed sum of the account's transfers up to that line), not from adding up the page, so
page 3 shows the same balances as the whole statement does. The CSV has every line
(:func:`statement`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, aliased

from webapp.core.paging import Page, page_number
from webapp.extensions import db
from webapp.people.models import Person
from webapp.timebank.errors import _
from webapp.timebank.models import Account, AccountKind, Transfer

PAGE_LINES = 50


def account_label(account: Account | None) -> str:
    """What a member sees for the other side: first name only, never the surname."""
    if account is None:
        return ""
    if account.kind == AccountKind.CHEST:
        return _("Community chest")
    if account.kind == AccountKind.ADJUSTMENTS:
        return _("Adjustments")
    return account.person.first_name if account.person else _("Former member")


@dataclass(frozen=True)
class StatementLine:
    transfer_id: int
    service_date: date
    recorded_at: datetime
    counterpart: str
    kind: str
    shift_id: int | None
    amount: int  # signed: + credited to this account, - debited
    balance: int  # running balance after this line
    reason: str
    reversal_of_id: int | None


_ACCOUNT = sa.bindparam("account_id", type_=sa.Integer)
# A person's account, for a page read knowing only the person (the API's): none yet, no
# lines (the account need not be opened, nor read first, to say so).
_PERSONS_ACCOUNT = (
    sa.select(Account.id)
    .where(Account.person_id == sa.bindparam("person_id", type_=sa.Integer))
    .scalar_subquery()
)


def _columns(account: sa.ColumnElement[int]) -> tuple[sa.ColumnElement[int], list[Any]]:
    """(the signed amount, the columns of a line) for ``account``'s statement."""
    incoming = Transfer.credit_account_id == account
    signed = sa.case((incoming, Transfer.amount), else_=-Transfer.amount)
    other = sa.case((incoming, Transfer.debit_account_id), else_=Transfer.credit_account_id)
    columns = [
        Transfer.id,
        Transfer.service_date,
        Transfer.recorded_at,
        Transfer.kind,
        Transfer.shift_id,
        Transfer.reason,
        Transfer.reversal_of_id,
        signed.label("amount"),
        other.label("other_id"),
    ]
    return signed, columns


def _with_counterparts(lines: sa.Subquery) -> sa.Select[Any]:
    """The lines with the other side's kind and first name (all the label needs): columns,
    not accounts and people loaded whole, which cost more than the page's SQL."""
    other = aliased(Account)
    return (
        sa.select(lines, other.kind.label("other_kind"), Person.first_name)
        .join(other, other.id == lines.c.other_id)
        .outerjoin(Person, Person.id == other.person_id)
    )


def _newest_ids(before: bool, account: sa.ColumnElement[int] = _ACCOUNT) -> sa.Select[tuple[int]]:
    """The ids of the account's ``upto`` newest transfers (before transfer ``before``):
    the newest of each side, each read from its (account, id) index, then merged. An OR
    of the two sides read every transfer of the account and sorted them."""

    def side(column: InstrumentedAttribute[int]) -> sa.Select[tuple[int]]:
        query = sa.select(Transfer.id).where(column == account)
        if before:
            query = query.where(Transfer.id < sa.bindparam("before", type_=sa.Integer))
        # In a subquery of its own: SQLite takes no LIMIT on a member of a UNION.
        newest = (
            query.order_by(Transfer.id.desc())
            .limit(sa.bindparam("upto", type_=sa.Integer))
            .subquery()
        )
        return sa.select(newest.c.id)

    both = sa.union_all(side(Transfer.debit_account_id), side(Transfer.credit_account_id))
    return sa.select(both.subquery().c.id)


def _page_statement(before: bool, account: sa.ColumnElement[int]) -> sa.Select[Any]:
    """``limit`` lines after the ``offset`` newest (of those before ``before``), newest
    first, each with what the newer lines moved (a running sum over the newest ids: the
    lines skipped are among them) and the account's balance, in the same statement: a
    transfer committed meanwhile counts on both sides or neither."""
    signed, columns = _columns(account)
    page = (
        sa.select(*columns, sa.func.sum(signed).over(order_by=Transfer.id.desc()).label("moved"))
        .where(Transfer.id.in_(_newest_ids(before, account)))
        .order_by(Transfer.id.desc())
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .offset(sa.bindparam("offset", type_=sa.Integer))
        .subquery()
    )
    balance: sa.ColumnElement[int] = (
        sa.select(Account.balance).where(Account.id == account).scalar_subquery()
    )
    if before:  # less what the transfers from ``before`` on moved, each side by its index

        def since(column: InstrumentedAttribute[int], sign: int) -> sa.ColumnElement[int]:
            moved = sa.select(sa.func.coalesce(sa.func.sum(Transfer.amount), 0)).where(
                column == account, Transfer.id >= sa.bindparam("before", type_=sa.Integer)
            )
            return sign * moved.scalar_subquery()

        balance = (
            balance - since(Transfer.credit_account_id, 1) - since(Transfer.debit_account_id, -1)
        )
    return (
        _with_counterparts(page)
        .add_columns(balance.label("balance_now"))
        .order_by(page.c.id.desc())
    )


# Built once per process (building them cost more than sending them): by account id
# (False) or by person id (True), each without and with ``before``.
_PAGE = {
    (by_person, before): _page_statement(before, _PERSONS_ACCOUNT if by_person else _ACCOUNT)
    for by_person in (False, True)
    for before in (False, True)
}
_WHOLE = _with_counterparts(
    sa.select(*_columns(_ACCOUNT)[1])
    .where(sa.or_(Transfer.debit_account_id == _ACCOUNT, Transfer.credit_account_id == _ACCOUNT))
    .subquery()
)
_WHOLE = _WHOLE.order_by(_WHOLE.selected_columns.id)
_COUNT = sa.select(
    sa.select(sa.func.count()).where(Transfer.debit_account_id == _ACCOUNT).scalar_subquery()
    + sa.select(sa.func.count()).where(Transfer.credit_account_id == _ACCOUNT).scalar_subquery()
)


class _Labels:
    """The other side's name as :func:`account_label` writes it, the fixed words
    translated once per statement rather than once per line."""

    def __init__(self) -> None:
        self.chest, self.adjustments = _("Community chest"), _("Adjustments")
        self.former = _("Former member")

    def __call__(self, kind: AccountKind, first_name: str | None) -> str:
        if kind == AccountKind.CHEST:
            return self.chest
        if kind == AccountKind.ADJUSTMENTS:
            return self.adjustments
        return first_name or self.former


def _line(row: sa.Row[Any], label: _Labels, balance: int) -> StatementLine:
    return StatementLine(
        row.id,
        row.service_date,
        row.recorded_at,
        label(row.other_kind, row.first_name),
        row.kind.value,
        row.shift_id,
        row.amount,
        balance,
        row.reason or "",
        row.reversal_of_id,
    )


def statement(account: Account) -> list[StatementLine]:
    """Every transfer of the account, oldest first, with the running balance."""
    label, running, lines = _Labels(), 0, []
    for row in db.session.execute(_WHOLE, {"account_id": account.id}):
        running += row.amount
        lines.append(_line(row, label, running))
    return lines


def newest_lines(
    owner: Account | Person, limit: int, *, offset: int = 0, before: int | None = None
) -> list[StatementLine]:
    """``limit`` lines of an account (or a person's: none if they have none yet), newest
    first, skipping the ``offset`` newest (or those from transfer ``before`` on): one
    statement, reading as many entries of each side's index as the lines up to the
    page's last, whatever the account's history. Each line's balance is the account's
    balance now less what the newer lines moved."""
    by_person = isinstance(owner, Person)
    params = {"upto": offset + limit, "limit": limit, "offset": offset}
    params["person_id" if by_person else "account_id"] = owner.id
    if before is not None:
        params["before"] = before
    label = _Labels()
    return [
        _line(row, label, row.balance_now - row.moved + row.amount)
        for row in db.session.execute(_PAGE[by_person, before is not None], params)
    ]


def line_count(account: Account) -> int:
    """How many lines the statement has: counted from each side's index alone."""
    return db.session.scalar(_COUNT, {"account_id": account.id}) or 0


def statement_page(
    account: Account, asked: str | None, size: int | None = None, total: int | None = None
) -> Page[StatementLine]:
    """The page ``asked`` for (the query string's value) of the statement, newest first.
    ``total``: the number of lines, when the caller read it already."""
    size = size or PAGE_LINES
    total = line_count(account) if total is None else total
    page = page_number(asked, total, size)
    return Page(newest_lines(account, size, offset=(page - 1) * size), total, page, size)
