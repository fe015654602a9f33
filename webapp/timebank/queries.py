"""Read-only views of the ledger: a member's account and figures, the CSV exports (the
coordinator's page reads its own in ``overview.py``).

"Given" and "received" count the time of services (visits and rides): minutes credited
to a volunteer are hours given, minutes a resident paid are hours received. Donations
and grants move balances but are neither. A reversed payment no longer counts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, aliased

from webapp.db import utcnow, written_each_run
from webapp.extensions import db
from webapp.people.models import Person
from webapp.timebank import tokens
from webapp.timebank.accounts import account_for
from webapp.timebank.errors import _
from webapp.timebank.models import (
    SHIFT_KINDS,
    Account,
    ApiToken,
    NamesStamp,
    Partner,
    Transfer,
)
from webapp.timebank.statements import StatementLine, account_label


def format_minutes(minutes: int) -> str:
    """90 -> "1 h 30 min", -45 -> "-45 min" (the same in Italian)."""
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    if hours and rest:
        return f"{sign}{hours} h {rest:02d} min"
    return f"{sign}{hours} h" if hours else f"{sign}{rest} min"


def month_written() -> sa.BindParameter[date]:
    """The month's first day, written into the statement's text (``written_each_run``):
    the time bank's statements are then planned once a month, not at every view."""
    return written_each_run("month_start", sa.Date)


def not_reversed() -> sa.ColumnElement[bool]:
    """The transfer (``Transfer``) was not reversed."""
    reversal = aliased(Transfer)
    return ~sa.exists().where(reversal.reversal_of_id == Transfer.id)


@dataclass(frozen=True)
class Figures:
    given_month: int
    received_month: int
    given_total: int
    received_total: int


@dataclass(frozen=True)
class Summary:
    """A member's account with what their page shows around it."""

    account: Account
    figures: Figures
    lines: int  # of the statement
    live_tokens: int  # of the member's login (0 without one; not 0: read the list)
    partners: int = 0  # rows of the give-to list (before the organisation's filter)
    names: int = 0  # the organisation's names stamp (moved by renames)
    opened: bool = False  # the account was opened by this read


def _month_side(side: InstrumentedAttribute[int]) -> sa.ScalarSelect[int]:
    """The minutes of services on ``side`` of the account this month (correlated)."""
    return (
        sa.select(sa.func.coalesce(sa.func.sum(Transfer.amount), 0))
        .where(
            side == Account.id,
            Transfer.service_date >= month_written(),
            Transfer.kind.in_(SHIFT_KINDS),
            not_reversed(),
        )
        .correlate(Account)
        .scalar_subquery()
    )


def _lines() -> sa.ColumnElement[int]:
    def side(column: InstrumentedAttribute[int]) -> sa.ScalarSelect[int]:
        return (
            sa.select(sa.func.count()).where(column == Account.id).correlate(Account)
        ).scalar_subquery()

    return side(Transfer.debit_account_id) + side(Transfer.credit_account_id)


def _live_tokens() -> sa.ScalarSelect[int]:
    return (
        sa.select(sa.func.count())
        .select_from(ApiToken)
        .where(
            tokens.live(
                sa.bindparam("user_id", type_=sa.Integer),
                sa.bindparam("now", type_=sa.DateTime(timezone=True)),
            )
        )
        .scalar_subquery()
    )


def _stamps() -> list[sa.ScalarSelect[int]]:
    """The give-to list's length (the member's own rows, from their index) and the
    organisation's names stamp: with the statement's length, what the kept statement and
    list are drawn under (``timebank/kept.py``)."""
    partners = (
        sa.select(sa.func.count())
        .select_from(Partner)
        .where(Partner.person_id == Account.person_id)
        .correlate(Account)
        .scalar_subquery()
    )
    names = (
        sa.select(sa.func.coalesce(sa.func.max(NamesStamp.version), 0))
        .where(NamesStamp.organisation_id == Account.organisation_id)
        .correlate(Account)
        .scalar_subquery()
    )
    return [partners, names]


# The account and its figures in one statement, built once: the month's given and
# received, summed from this month's transfers; the totals are the account's own (kept
# by every transfer). The page's variant counts the statement's lines (from each side's
# index alone) and the login's live tokens (the list is read only when there are some),
# and reads the stamps of the kept statement and give-to list.
_FIGURES = sa.select(
    Account, _month_side(Transfer.credit_account_id), _month_side(Transfer.debit_account_id)
).where(Account.person_id == sa.bindparam("person_id", type_=sa.Integer))
_PAGE = _FIGURES.add_columns(_lines(), _live_tokens(), *_stamps())


def summary(
    person: Person, month_start: date, user_id: int | None = None, page: bool = True
) -> Summary:
    """``person``'s account (opened if need be) and its figures; with ``page``, the
    statement's length and ``user_id``'s live tokens too (else 0)."""
    params = {"person_id": person.id, "month_start": month_start}
    if page:
        params.update(user_id=user_id, now=utcnow())
    found = db.session.execute(_PAGE if page else _FIGURES, params).one_or_none()
    if found is None:  # opened now: nothing in it yet (tokens not counted: say "some")
        account = account_for(person)
        return Summary(account, Figures(0, 0, 0, 0), 0, 1 if page else 0, opened=True)
    account, given, received, *more = found
    figures = Figures(int(given), int(received), account.service_given, account.service_received)
    lines, live_tokens, partners, names = (int(n) for n in more or (0, 0, 0, 0))
    return Summary(account, figures, lines, live_tokens, partners, names)


def _csv(rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        # A leading = + - @ makes spreadsheets run a formula: neutralise it in text cells.
        writer.writerow(
            [f"'{c}" if isinstance(c, str) and c[:1] and c[0] in "=+-@" else c for c in row]
        )
    return buffer.getvalue()


def statement_csv(lines: list[StatementLine]) -> str:
    head = [
        _("Date"),
        _("Transfer"),
        _("Counterpart"),
        _("Kind"),
        _("Shift"),
        _("Minutes"),
        _("Balance"),
        _("Reason"),
    ]
    return _csv(
        [head]
        + [
            [
                ln.service_date.isoformat(),
                ln.transfer_id,
                ln.counterpart,
                ln.kind,
                ln.shift_id or "",
                ln.amount,
                ln.balance,
                ln.reason,
            ]
            for ln in lines
        ]
    )


def export_csv(organisation_id: int, start: date, end: date) -> str:
    """All transfers of the organisation with a service date in [start, end]."""
    debit, credit = aliased(Account), aliased(Account)
    transfers = db.session.scalars(
        sa.select(Transfer)
        .join(debit, debit.id == Transfer.debit_account_id)
        .join(credit, credit.id == Transfer.credit_account_id)
        .where(
            Transfer.organisation_id == organisation_id, Transfer.service_date.between(start, end)
        )
        .order_by(Transfer.service_date, Transfer.id)
    ).all()
    head = [
        "id",
        "key",
        "service_date",
        "recorded_at",
        "kind",
        "from_account",
        "from",
        "to_account",
        "to",
        "minutes",
        "shift_id",
        "reversal_of",
        "created_by",
        "reason",
    ]

    def full(account: Account) -> str:
        return account.person.full_name if account.person else account_label(account)

    return _csv(
        [head]
        + [
            [
                t.id,
                t.key,
                t.service_date.isoformat(),
                t.recorded_at.isoformat(),
                t.kind.value,
                t.debit_account_id,
                full(t.debit_account),
                t.credit_account_id,
                full(t.credit_account),
                t.amount,
                t.shift_id or "",
                t.reversal_of_id or "",
                t.created_by_id or "",
                t.reason or "",
            ]
            for t in transfers
        ]
    )
