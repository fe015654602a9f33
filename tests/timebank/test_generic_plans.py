"""PostgreSQL settles on a generic plan for the time bank's statements, instead of
planning them again at every view (planning a member's figures took longer than running
them: docs/benchmarks.md, "eleventh round").

psycopg prepares a statement at its sixth run on a connection; PostgreSQL then plans the
first five runs of a prepared statement for their values and keeps a generic plan only if
it does not cost more. A parameter the planner cannot cost (the month's first day against
the ledger's dates, a LIMIT) kept it planning for ever; written into the statement's text,
it is costed once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import sqlalchemy as sa

from tests.factories import make_org, make_resident, make_user
from webapp.extensions import db
from webapp.timebank import figures, overview, queries
from webapp.timebank import operations as ledger

RUNS = 12  # five unprepared, then five custom plans, then the generic one if chosen


def _plans(fragment: str) -> list[tuple[int, int]]:
    """(generic, custom) plans of this connection's prepared statements whose text holds
    ``fragment``."""
    rows = db.session.execute(
        sa.text(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE :fragment"
        ),
        {"fragment": f"%{fragment}%"},
    )
    return [(int(g), int(c)) for g, c in rows]


@contextmanager
def _sent() -> Iterator[list[tuple[str, object]]]:
    """The statements and parameters the driver is given meanwhile."""
    seen: list[tuple[str, object]] = []

    def note(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    engine = db.session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


def _pages(org, member, user, month: date) -> None:  # type: ignore[no-untyped-def]
    queries.summary(member, month, user.id)
    overview.top_accounts(org.id, month)
    overview.near_limit(org.id, 60)
    overview.recent_transfers(org.id)
    figures.organisation_totals(org.id, month)


def _values(parameters: object) -> list[object]:
    if isinstance(parameters, dict):
        return list(parameters.values())
    return list(parameters) if isinstance(parameters, (list, tuple)) else []


def test_the_month_and_the_limits_are_written_into_the_statements(db_session):
    """On both databases: no statement of the time bank's pages is sent the month's first
    day or a LIMIT as a parameter."""
    org = make_org()
    member = make_resident(org)
    user = make_user(org, person=member)
    month = date.today().replace(day=1)
    _pages(org, member, user, month)  # opens the accounts
    with _sent() as sent:
        _pages(org, member, user, month)
    assert len(sent) >= 5
    for statement, parameters in sent:
        assert month not in _values(parameters), statement
        assert not re.search(r"LIMIT\s+(\?|%\(|\$)", statement), statement
    assert sum(month.isoformat() in statement for statement, _ in sent) >= 3


def test_the_time_banks_statements_keep_a_generic_plan(db_session, postgres_only):
    org = make_org()
    member = make_resident(org)
    user = make_user(org, person=member)
    today = date.today()
    ledger.grant(key="in", recipient=member, minutes=30, actor_id=None,
                 service_date=today, reason="welcome")  # fmt: skip
    db.session.flush()
    month = today.replace(day=1)
    for _ in range(RUNS):
        _pages(org, member, user, month)
    for fragment in (
        "timebank_api_token.revoked_at IS NULL",  # a member's figures (their page)
        "AS side",  # the month's biggest givers and receivers
        "ORDER BY timebank_account.balance - timebank_account.lower_limit",  # near limit
        "ORDER BY timebank_transfer.id DESC",  # the latest transfers
        "timebank_figures.members_positive",  # the organisation's figures
    ):
        plans = _plans(fragment)
        assert plans, f"not prepared: {fragment}"
        assert all(generic > 0 for generic, _custom in plans), (fragment, plans)
