"""PostgreSQL settles on a generic plan for the time bank's statements, instead of
planning them again at every view (planning a member's figures took longer than running
them: docs/benchmarks.md, "eleventh round").

A parameter the planner cannot cost (the month's first day against the ledger's dates, a
LIMIT) kept PostgreSQL planning for ever; written into the statement's text, it is costed
once. The first test fails if one is sent as a parameter again; the second shows the
generic plans on PostgreSQL (whose choice on the suite's few rows does not depend on it).
"""

from __future__ import annotations

import re
from datetime import date

from tests.factories import make_org, make_resident, make_user
from tests.querycount import generic_plans, sending
from webapp.extensions import db
from webapp.timebank import figures, overview, queries
from webapp.timebank import operations as ledger

RUNS = 12  # five unprepared, then five custom plans, then the generic one if chosen


def _pages(org, member, user, month: date) -> None:  # type: ignore[no-untyped-def]
    queries.summary(member, month, user.id)
    overview.top_accounts(org.id, month)
    overview.near_limit(org.id, 60)
    overview.recent_transfers(org.id)
    figures.organisation_totals(org.id, month)


def _member():  # type: ignore[no-untyped-def]
    org = make_org()
    member = make_resident(org)
    user = make_user(org, person=member)
    ledger.grant(key="in", recipient=member, minutes=30, actor_id=None,
                 service_date=date.today(), reason="welcome")  # fmt: skip
    db.session.flush()
    return org, member, user


def test_the_month_and_the_limits_are_written_into_the_statements(db_session):
    """On both databases: no statement of the time bank's pages is sent the month's first
    day or a LIMIT as a parameter."""
    org, member, user = _member()
    month = date.today().replace(day=1)
    _pages(org, member, user, month)  # (opens the chest)
    with sending() as sent:
        _pages(org, member, user, month)
    assert len(sent) >= 5
    for statement, values in sent:
        assert month not in values, statement
        assert not re.search(r"LIMIT\s+(\?|%\(|\$)", statement), statement
    assert sum(month.isoformat() in statement for statement, _ in sent) >= 3


def test_the_time_banks_statements_keep_a_generic_plan(db_session, postgres_only):
    org, member, user = _member()
    month = date.today().replace(day=1)
    for _ in range(RUNS):
        _pages(org, member, user, month)
    for fragment in (
        "timebank_api_token.revoked_at IS NULL",  # a member's figures (their page)
        "AS side",  # the month's biggest givers and receivers
        "ORDER BY timebank_account.balance - timebank_account.lower_limit",  # near limit
        "ORDER BY timebank_transfer.id DESC",  # the latest transfers
        "timebank_figures.members_positive",  # the organisation's figures
    ):
        plans = generic_plans(fragment)
        assert plans and all(n > 0 for n in plans), (fragment, plans)
