"""The statement a page at a time: newest first, every line on exactly one page, each
line's balance the ledger's (the same as in the whole statement), the CSV whole."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident, make_user
from tests.helpers import login
from webapp.auth.models import Role
from webapp.extensions import db
from webapp.timebank import operations as ops
from webapp.timebank import statements
from webapp.timebank.accounts import account_for
from webapp.timebank.queries import format_minutes
from webapp.timebank.tokens import create_token


@pytest.fixture
def ledger(client, db_session, monkeypatch):  # type: ignore[no-untyped-def]
    """Eight movements of Teresa's account: grants, donations both ways, a reversal.
    Three lines a page."""
    monkeypatch.setattr(statements, "PAGE_LINES", 3)
    org = make_org()
    coord = make_coordinator(org, email="coord@st.example")
    teresa = make_resident(org, first_name="Teresa")
    user = make_user(org, Role.MEMBER, person=teresa, email="teresa@st.example")
    pia = make_resident(org, first_name="Pia")
    today = date.today()

    def grant(key: str, who, minutes: int) -> int:  # type: ignore[no-untyped-def]
        return ops.grant(key=key, recipient=who, minutes=minutes, actor_id=None,
                         service_date=today, reason="welcome").transfer.id  # fmt: skip

    grant("g1", teresa, 120)
    grant("g2", pia, 60)
    ops.donate(key="d1", donor=teresa, recipient=pia, minutes=15, actor_id=None, service_date=today)
    ops.donate(key="d2", donor=pia, recipient=teresa, minutes=5, actor_id=None, service_date=today)
    wrong = grant("g3", teresa, 45)
    ops.reverse(transfer_id=wrong, organisation_id=org.id, actor_id=None, reason="twice",
                service_date=today)  # fmt: skip
    ops.donate(
        key="d3", donor=teresa, recipient=None, minutes=20, actor_id=None, service_date=today
    )
    grant("g4", teresa, 30)
    ops.donate(key="d4", donor=teresa, recipient=pia, minutes=10, actor_id=None, service_date=today)
    _row, secret = create_token(user, "phone")
    db.session.commit()
    return {"teresa": teresa, "coord": coord, "token": secret}


def _balances(html: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    assert body
    return re.findall(r'<td class="num">([^<]+)</td>\s*</tr>', body.group(1))


def test_pages_hold_every_line_newest_first_with_the_ledgers_balance(client, ledger):  # type: ignore[no-untyped-def]
    account = account_for(ledger["teresa"])
    whole = list(reversed(statements.statement(account)))
    assert len(whole) == 8 and whole[0].balance == account.balance == 120 + 5 - 15 - 20 + 30 - 10
    pages = [statements.statement_page(account, str(n)) for n in (1, 2, 3)]
    assert [p.total for p in pages] == [8, 8, 8] and pages[0].pages == 3
    assert [line for p in pages for line in p.items] == whole  # same lines, same balances
    assert statements.statement_page(account, "9").page == 3  # past the end: the last page
    assert statements.statement_page(account, "-1").page == 1


def test_the_member_pages_through_the_statement(client, ledger):  # type: ignore[no-untyped-def]
    login(client, "teresa@st.example", PASSWORD)
    account = account_for(ledger["teresa"])
    whole = list(reversed(statements.statement(account)))
    first = client.get("/timebank/").get_data(as_text=True)
    assert "Lines 1 to 3 of 8, newest first" in first and "Page 1 of 3" in first
    assert 'href="/timebank/?page=2#statement-title"' in first
    second = client.get("/timebank/?page=2").get_data(as_text=True)
    assert "Lines 4 to 6 of 8" in second
    assert _balances(second) == [format_minutes(x.balance) for x in whole[3:6]]
    rows = list(
        csv.reader(io.StringIO(client.get("/timebank/statement.csv").get_data(as_text=True)))
    )
    assert len(rows) == 1 + 8  # the CSV has every line


def test_the_coordinator_pages_through_a_members_statement(client, ledger):  # type: ignore[no-untyped-def]
    login(client, "coord@st.example", PASSWORD)
    person_id = ledger["teresa"].id
    last = client.get(f"/timebank/people/{person_id}?page=3").get_data(as_text=True)
    assert "Lines 7 to 8 of 8" in last and "Page 3 of 3" in last
    assert f'href="/timebank/people/{person_id}?page=2#statement-title"' in last
    assert _balances(last)[-1] == "2 h"  # the oldest line: the first grant


def test_the_api_pages_give_the_same_balances(client, ledger):  # type: ignore[no-untyped-def]
    auth = {"Authorization": f"Bearer {ledger['token']}"}
    whole = list(reversed(statements.statement(account_for(ledger["teresa"]))))
    seen, before = [], ""
    while True:
        body = client.get(f"/api/v1/me/statement?limit=3{before}", headers=auth).get_json()
        seen += [(e["transfer_id"], e["balance_minutes"]) for e in body["entries"]]
        if body["next_before"] is None:
            break
        before = f"&before={body['next_before']}"
    assert seen == [(line.transfer_id, line.balance) for line in whole]


def test_a_page_reads_each_side_s_newest_transfers_from_its_index(db_session):  # type: ignore[no-untyped-def]
    """A page's transfers are the newest of each side, read backwards from the
    (account, id) indexes: as many entries as the page has lines, whatever the account's
    history (an OR of the two sides read the whole history and sorted it)."""
    account = account_for(make_resident(make_org()))
    query = statements._newest_ids(before=False).params(account_id=account.id, upto=50)
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(sa.text("SET enable_seqscan = off"))
            conn.execute(sa.text("SET enable_bitmapscan = off"))
            plan = "\n".join(conn.exec_driver_sql(f"EXPLAIN {compiled}").scalars())
            sides = re.findall(r"Index Only Scan Backward using (\w+)", plan)
        else:
            plan = "\n".join(str(r) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
            sides = re.findall(r"USING COVERING INDEX (\w+)", plan)
    assert sorted(sides) == [
        "ix_timebank_transfer_credit_account_id_id",
        "ix_timebank_transfer_debit_account_id_id",
    ], plan
    assert "ORDER BY" not in plan  # SQLite sorts nothing: the index gives the order
