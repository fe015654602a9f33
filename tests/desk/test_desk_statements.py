"""The coordinator's desk home, to-do lists and search send a fixed number of SQL
statements, whatever waits on them (an N+1 guard; see tests/shifts/test_query_counts.py)."""

from __future__ import annotations

from datetime import timedelta

from tests.desk.waiting import fill_desk
from tests.factories import PASSWORD, make_coordinator, make_org, make_resident
from tests.helpers import login
from tests.shifts.page_counts import add_town as _add_town
from tests.shifts.page_counts import counts as _counts
from tests.shifts.page_counts import setup_town as _setup
from webapp.db import utcnow
from webapp.desk.models import Contact, Outcome
from webapp.extensions import db


def test_coordinator_desk_home_statements_do_not_grow(client, db_session, count_queries):
    org, vol, coord = _setup(client, as_coordinator=True)
    small, big, detail = _counts(
        client, count_queries, "/desk/", lambda: _add_town(org, vol, coord, 6, book=4), drawn=True
    )
    assert big <= small, detail
    # The login, the figures (desk/figures.py), the checks that may lapse, and the lists
    # of shifts drawn (their counts, their rows): nothing else waits on this desk.
    assert small <= 5, detail


def test_desk_home_statements_do_not_grow_with_what_waits(client, db_session, count_queries):
    """Every list of the home has rows (alerts, referrals, re-measures, calls, held times,
    checks, surveys, the outbox): each list's first rows are read in a fixed number of
    statements, however long it is (most lists were read whole, one row at a time)."""
    org = make_org()
    coord = make_coordinator(org)
    fill_desk(org, coord, 1)
    login(client, coord.email, PASSWORD)
    small, big, detail = _counts(client, count_queries, "/desk/", lambda: fill_desk(org, coord, 4))
    assert big <= small, detail
    assert small <= 23, detail  # each list a few statements (its rows, their people...)
    html = client.get("/desk/").get_data(as_text=True)
    assert 'Alerts <span class="count">5</span>' in html and "Rita3" in html


def test_desk_todo_list_statements_do_not_grow(client, db_session, count_queries):
    org, vol, coord = _setup(client, as_coordinator=True)
    small, big, detail = _counts(
        client, count_queries, "/desk/todo?list=unfilled", lambda: _add_town(org, vol, coord, 6)
    )
    assert big <= small, detail
    assert small <= 3, detail


def test_desk_home_statements_do_not_grow_with_the_calls(client, db_session, count_queries):
    """Each call on the to-do list shows the last call's outcome: read for all of them at
    once (it was one statement per person)."""
    org = make_org()
    coord = make_coordinator(org)
    login(client, coord.email, PASSWORD)

    def calls(n: int) -> None:
        for _i in range(n):
            person = make_resident(org)
            for minutes, outcome in ((90, Outcome.NO_ANSWER), (30, Outcome.NOTE)):
                db.session.add(Contact(organisation_id=org.id, person_id=person.id,
                                       outcome=outcome, at=utcnow() - timedelta(minutes=minutes),
                                       follow_up_at=utcnow() + timedelta(minutes=5)))  # fmt: skip
        db.session.flush()

    calls(1)
    small, big, detail = _counts(client, count_queries, "/desk/", lambda: calls(6))
    assert big <= small, detail
    html = client.get("/desk/").get_data(as_text=True)
    assert html.count("last: Note") == 7 and "last: No answer" not in html  # the latest


def test_who_is_calling_is_one_statement_whatever_the_matches(client, db_session, count_queries):
    """The desk's search: the page's people and how many match in one statement (the
    login's aside), by name or by phone, with 3 matches or 40."""
    org = make_org()
    coord = make_coordinator(org)

    def rossi(n: int) -> None:
        for i in range(n):
            make_resident(org, first_name=f"Anna{i}", last_name="Rossi", phone=f"0865 55{i:04}")
        db.session.flush()

    rossi(3)
    login(client, coord.email, PASSWORD)
    for url in ("/desk/find?q=Rossi", "/desk/find?q=0865 55"):
        small, big, detail = _counts(client, count_queries, url, lambda: rossi(20))
        assert small == big == 2, detail
    html = client.get("/desk/find?q=Rossi").get_data(as_text=True)
    assert "43 people found" in html and "Anna0 Rossi" in html
