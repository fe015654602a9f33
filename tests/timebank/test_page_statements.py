"""The member's time bank page and the API's statement and balance send a fixed number
of SQL statements, whatever the ledger's length (an N+1 guard; see
tests/shifts/test_query_counts.py)."""

from __future__ import annotations

from datetime import date

from tests.factories import PASSWORD, make_org, make_resident, make_user
from tests.helpers import login
from tests.shifts.page_counts import counts as _counts
from webapp.extensions import db
from webapp.timebank import operations as ledger
from webapp.timebank.tokens import create_token


def _ledger(person, n: int) -> None:  # type: ignore[no-untyped-def]
    """``n`` grants to ``person`` and ``n`` donations from them to as many members."""
    today = date.today()
    for _i in range(n):
        other = make_resident(person.organisation)
        key = f"q{other.id}"
        ledger.grant(key=f"{key}-in", recipient=person, minutes=30, actor_id=None,
                     service_date=today, reason="welcome")  # fmt: skip
        ledger.donate(key=f"{key}-out", donor=person, recipient=other, minutes=10,
                      actor_id=None, service_date=today)  # fmt: skip
    db.session.flush()


def test_time_bank_statement_statements_do_not_grow(client, db_session, count_queries):
    """The member's page and the API's statement read a page of the ledger, whatever its
    length (the whole year was read, and each counterpart's person one by one)."""
    org = make_org()
    resident = make_resident(org)
    user = make_user(org, person=resident)
    _ledger(resident, 2)
    _row, secret = create_token(user, "phone")
    login(client, user.email, PASSWORD)
    small, big, detail = _counts(client, count_queries, "/timebank/", lambda: _ledger(resident, 30))
    assert big <= small, detail
    # The login; the account with its figures, the statement's length and whether there
    # are tokens; the page of lines; the give-to list; the tokens (this member has one).
    assert small <= 5, detail
    auth = {"Authorization": f"Bearer {secret}"}
    app = client.application.test_client()  # as the phone's app calls it: no session
    for url in ("/api/v1/me/statement", "/api/v1/me/balance"):
        app.get(url, headers=auth)  # warm, as above
        with count_queries() as before:
            assert app.get(url, headers=auth).status_code == 200
        _ledger(resident, 30)
        db.session.commit()
        with count_queries() as after:
            assert app.get(url, headers=auth).status_code == 200
        # The token with its user and person; the account's figures or page of lines.
        assert len(after) <= len(before) <= 2, f"{before}\n\n{after}"
