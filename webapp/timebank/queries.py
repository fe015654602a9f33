"""Read-only views of the ledger: statements, monthly figures, coordinator summaries.

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
from sqlalchemy.orm import InstrumentedAttribute, aliased, selectinload

from webapp.db import utcnow
from webapp.extensions import db
from webapp.people.models import Person
from webapp.timebank import tokens
from webapp.timebank.accounts import account_for
from webapp.timebank.errors import _
from webapp.timebank.models import SHIFT_KINDS, Account, AccountKind, ApiToken, Transfer
from webapp.timebank.statements import StatementLine, account_label


def format_minutes(minutes: int) -> str:
    """90 -> "1 h 30 min", -45 -> "-45 min" (the same in Italian)."""
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    if hours and rest:
        return f"{sign}{hours} h {rest:02d} min"
    return f"{sign}{hours} h" if hours else f"{sign}{rest} min"


def _not_reversed() -> sa.ColumnElement[bool]:
    reversal = aliased(Transfer)
    return ~sa.exists().where(reversal.reversal_of_id == Transfer.id)


def _service_minutes(
    side: InstrumentedAttribute[int], since: date | None, organisation_id: int | None = None
) -> sa.Select[int, int]:
    query = sa.select(side, sa.func.sum(Transfer.amount)).where(
        Transfer.kind.in_(SHIFT_KINDS), _not_reversed()
    )
    if since is not None:
        query = query.where(Transfer.service_date >= since)
    if organisation_id is not None:
        query = query.where(Transfer.organisation_id == organisation_id)
    return query.group_by(side)


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
    live_tokens: int  # of the member's login (0 without one)


def _month_side(side: InstrumentedAttribute[int]) -> sa.ScalarSelect[int]:
    """The minutes of services on ``side`` of the account this month (correlated)."""
    return (
        sa.select(sa.func.coalesce(sa.func.sum(Transfer.amount), 0))
        .where(
            side == Account.id,
            Transfer.service_date >= sa.bindparam("month_start", type_=sa.Date),
            Transfer.kind.in_(SHIFT_KINDS),
            _not_reversed(),
        )
        .correlate(Account)
        .scalar_subquery()
    )


def _lines() -> sa.ScalarSelect[int]:
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


# The account and its figures in one statement, built once: the month's given and
# received, summed from this month's transfers; the totals are the account's own (kept
# by every transfer). The page's variant counts the statement's lines (from each side's
# index alone) and the login's live tokens (the list is read only when there are some).
_FIGURES = sa.select(
    Account, _month_side(Transfer.credit_account_id), _month_side(Transfer.debit_account_id)
).where(Account.person_id == sa.bindparam("person_id", type_=sa.Integer))
_PAGE = _FIGURES.add_columns(_lines(), _live_tokens())


def summary(
    person: Person, month_start: date, user_id: int | None = None, page: bool = True
) -> Summary:
    """``person``'s account (opened if need be) and its figures; with ``page``, the
    statement's length and ``user_id``'s live tokens too (else 0)."""
    params = {"person_id": person.id, "month_start": month_start}
    if page:
        params.update(user_id=user_id, now=utcnow())
    found = db.session.execute(_PAGE if page else _FIGURES, params).one_or_none()
    if found is None:  # opened now: nothing in it yet
        account = account_for(person)
        return Summary(account, Figures(0, 0, 0, 0), 0, 0)
    account, given, received, *more = found
    figures = Figures(int(given), int(received), account.service_given, account.service_received)
    return Summary(account, figures, *(int(n) for n in more or (0, 0)))


def top_accounts(
    organisation_id: int, side: InstrumentedAttribute[int], since: date, limit: int = 5
) -> list[tuple[Account | None, int]]:
    """[(account, minutes)] with the most service minutes given (credit) or received."""
    rows = db.session.execute(
        _service_minutes(side, since, organisation_id)
        .order_by(sa.func.sum(Transfer.amount).desc())
        .limit(limit)
    ).all()
    # The accounts with their people in two statements, not two per row (the page names
    # each person).
    accounts = {
        a.id: a
        for a in db.session.scalars(
            sa.select(Account)
            .where(Account.id.in_([account_id for account_id, _total in rows]))
            .options(selectinload(Account.person))
        )
    }
    return [(accounts.get(account_id), int(total)) for account_id, total in rows]


def near_limit(organisation_id: int, within: int) -> list[Account]:
    return list(
        db.session.scalars(
            sa.select(Account)
            .where(
                Account.organisation_id == organisation_id,
                Account.kind == AccountKind.MEMBER,
                Account.lower_limit.is_not(None),
                Account.balance - Account.lower_limit <= within,
            )
            .order_by(Account.balance - Account.lower_limit, Account.id)
            .limit(50)
            .options(selectinload(Account.person))
        )
    )


def organisation_totals(organisation_id: int, month_start: date) -> dict[str, int]:
    def scalar(query: sa.Select[int]) -> int:
        return int(db.session.scalar(query) or 0)

    def total(
        value: sa.ColumnElement[int] | InstrumentedAttribute[int], *when: sa.ColumnElement[bool]
    ) -> sa.ColumnElement[int]:
        counted = sa.case((sa.and_(*when), value), else_=0) if when else value
        return sa.func.coalesce(sa.func.sum(counted), 0)

    in_org = Transfer.organisation_id == organisation_id
    member = Account.kind == AccountKind.MEMBER
    # The accounts' figures in one read of the accounts: the service given in total is
    # what every account was paid for (kept by each transfer), not a sum of the ledger.
    accounts = db.session.execute(
        sa.select(
            total(sa.literal(1), member),
            total(Account.service_given),
            total(Account.balance, member, Account.balance > 0),
            total(Account.balance, member, Account.balance < 0),
        ).where(Account.organisation_id == organisation_id)
    ).one()
    return {
        "accounts": int(accounts[0]),
        "transfers_month": scalar(
            sa.select(sa.func.count())
            .select_from(Transfer)
            .where(in_org, Transfer.service_date >= month_start)
        ),
        "service_month": scalar(
            sa.select(sa.func.sum(Transfer.amount)).where(
                in_org,
                Transfer.kind.in_(SHIFT_KINDS),
                _not_reversed(),
                Transfer.service_date >= month_start,
            )
        ),
        "service_total": int(accounts[1]),
        "members_positive": int(accounts[2]),
        "members_negative": int(accounts[3]),
    }


def recent_transfers(organisation_id: int, limit: int = 20) -> list[Transfer]:
    return list(
        db.session.scalars(
            sa.select(Transfer)
            .where(Transfer.organisation_id == organisation_id)
            .order_by(Transfer.id.desc())
            .limit(limit)
            .options(  # both sides are named: their accounts and people in four reads
                selectinload(Transfer.debit_account).selectinload(Account.person),
                selectinload(Transfer.credit_account).selectinload(Account.person),
            )
        )
    )


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
