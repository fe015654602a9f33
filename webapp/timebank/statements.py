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

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, joinedload

from webapp.core.paging import Page, page_number
from webapp.extensions import db
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


def _of(account: Account) -> sa.ColumnElement[bool]:
    return sa.or_(Transfer.debit_account_id == account.id, Transfer.credit_account_id == account.id)


def _signed(account: Account) -> sa.ColumnElement[int]:
    return sa.case(
        (Transfer.credit_account_id == account.id, Transfer.amount), else_=-Transfer.amount
    )


def _with_counterparts() -> list[sa.orm.interfaces.LoaderOption]:
    # Both sides and their people in the same statement: the label needs the first name.
    return [
        joinedload(Transfer.debit_account).joinedload(Account.person),
        joinedload(Transfer.credit_account).joinedload(Account.person),
    ]


def _line(account: Account, t: Transfer, balance: int) -> StatementLine:
    incoming = t.credit_account_id == account.id
    return StatementLine(
        t.id,
        t.service_date,
        t.recorded_at,
        account_label(t.debit_account if incoming else t.credit_account),
        t.kind.value,
        t.shift_id,
        t.amount if incoming else -t.amount,
        balance,
        t.reason or "",
        t.reversal_of_id,
    )


def statement(account: Account) -> list[StatementLine]:
    """Every transfer of the account, oldest first, with the running balance."""
    transfers = db.session.scalars(
        sa.select(Transfer).where(_of(account)).order_by(Transfer.id).options(*_with_counterparts())
    ).all()
    running, lines = 0, []
    for t in transfers:
        running += t.amount if t.credit_account_id == account.id else -t.amount
        lines.append(_line(account, t, running))
    return lines


def _newest_ids(account: Account, count: int, before: int | None) -> sa.Select[tuple[int]]:
    """The ids of the account's ``count`` newest transfers (before transfer ``before``):
    the newest of each side, each read from its (account, id) index, then merged. An OR
    of the two sides read every transfer of the account and sorted them."""

    def side(column: InstrumentedAttribute[int]) -> sa.Select[tuple[int]]:
        query = sa.select(Transfer.id).where(column == account.id)
        if before is not None:
            query = query.where(Transfer.id < before)
        # In a subquery of its own: SQLite takes no LIMIT on a member of a UNION.
        newest = query.order_by(Transfer.id.desc()).limit(count).subquery()
        return sa.select(newest.c.id)

    both = sa.union_all(side(Transfer.debit_account_id), side(Transfer.credit_account_id))
    return sa.select(both.subquery().c.id)


def newest_lines(
    account: Account, limit: int, *, offset: int = 0, before: int | None = None
) -> list[StatementLine]:
    """``limit`` lines of the account, newest first, skipping the ``offset`` newest (or
    those from transfer ``before`` on): one statement for the transfers and one for the
    balance after the newest of them."""
    transfers = db.session.scalars(
        sa.select(Transfer)
        .where(Transfer.id.in_(_newest_ids(account, offset + limit, before)))
        .order_by(Transfer.id.desc())
        .offset(offset)
        .limit(limit)
        .options(*_with_counterparts())
    ).all()
    if not transfers:
        return []
    # The balance after the newest line: the account's balance now, less what the
    # transfers after it moved (as many as the pages before this one), read in the same
    # statement so that a transfer committed meanwhile counts on both sides or neither.
    newer = (
        sa.select(sa.func.coalesce(sa.func.sum(_signed(account)), 0))
        .where(_of(account), Transfer.id > transfers[0].id)
        .scalar_subquery()
    )
    balance = db.session.scalar(
        sa.select(Account.balance - newer).where(Account.id == account.id)
    )
    lines = []
    for t in transfers:
        line = _line(account, t, int(balance or 0))
        lines.append(line)
        balance = line.balance - line.amount  # the balance before it: after the next older line
    return lines


def line_count(account: Account) -> int:
    return db.session.scalar(sa.select(sa.func.count(Transfer.id)).where(_of(account))) or 0


def statement_page(
    account: Account, asked: str | None, size: int | None = None
) -> Page[StatementLine]:
    """The page ``asked`` for (the query string's value) of the statement, newest first."""
    size = size or PAGE_LINES
    total = line_count(account)
    page = page_number(asked, total, size)
    return Page(newest_lines(account, size, offset=(page - 1) * size), total, page, size)
