"""Member and coordinator pages through the test client."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from tests.factories import (
    PASSWORD,
    make_org,
    make_resident,
)
from tests.helpers import login, post_form
from tests.timebank.helpers import marco_visited_teresa, tb_town
from webapp.extensions import db
from webapp.timebank import operations as ops
from webapp.timebank.accounts import account_for, chest
from webapp.timebank.audit import audit


@pytest.fixture
def town(db_session):  # type: ignore[no-untyped-def]
    return tb_town()


def test_member_page_shows_balance_figures_and_statement(client, town):  # type: ignore[no-untyped-def]
    marco_visited_teresa(town, 90)
    login(client, "marco@tb.example", PASSWORD)
    html = client.get("/timebank/").get_data(as_text=True)
    assert "1 h 30 min" in html
    assert "Teresa" in html and "Bianchi" not in html  # counterpart: first name only
    assert "Given this month" in html
    assert f">{town['shift']}<" in html  # the shift


def test_donation_form_and_double_submit(client, town):  # type: ignore[no-untyped-def]
    marco_visited_teresa(town, 30)  # he is in her "give to" list
    login(client, "teresa@tb.example", PASSWORD)
    page = client.get("/timebank/").get_data(as_text=True)
    import re

    request_id = re.search(r'name="request_id" type="hidden" value="([0-9a-f]+)"', page).group(1)
    data = {
        "recipient": str(town["vol"].id),
        "minutes": "30",
        "reason": "grazie",
        "request_id": request_id,
    }
    first = post_form(client, "/timebank/donate", data, page="/timebank/")
    assert first.status_code == 302
    again = post_form(client, "/timebank/donate", data, page="/timebank/", follow_redirects=True)
    assert "already recorded" in again.get_data(as_text=True)
    assert account_for(town["vol"]).balance == 60  # 30 for the visit, 30 given
    assert account_for(town["res"]).balance == -60


def test_donation_over_the_limit_shows_the_error_next_to_minutes(client, town):  # type: ignore[no-untyped-def]
    login(client, "marco@tb.example", PASSWORD)
    resp = post_form(
        client,
        "/timebank/donate",
        {"recipient": "chest", "minutes": "15", "request_id": "abc"},
        page="/timebank/",
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert 'id="minutes-error"' in html and "Not enough time" in html
    assert account_for(town["vol"]).balance == 0


def test_statement_csv(client, town):  # type: ignore[no-untyped-def]
    ops.donate(
        key="c1",
        donor=town["res"],
        recipient=town["vol"],
        minutes=20,
        actor_id=None,
        service_date=date(2026, 11, 3),
        reason="=cmd()",
    )
    login(client, "teresa@tb.example", PASSWORD)
    resp = client.get("/timebank/statement.csv")
    assert resp.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][:7] == ["2026-11-03", rows[1][1], "Marco", "donation", "", "-20", "-20"]
    assert rows[1][7] == "'=cmd()"  # no formula injection


def test_coordinator_page_grant_reverse_and_export(client, town):  # type: ignore[no-untyped-def]
    login(client, "coord@tb.example", PASSWORD)
    html = client.get("/timebank/coordinator").get_data(as_text=True)
    assert "Community chest" in html
    account_page = f"/timebank/people/{town['res'].id}"
    resp = post_form(
        client,
        f"{account_page}/grant",
        {"minutes": "60", "reason": "", "request_id": "g1"},
        page=account_page,
    )
    assert resp.status_code == 422 and 'id="reason-error"' in resp.get_data(as_text=True)
    resp = post_form(
        client,
        f"{account_page}/grant",
        {"minutes": "60", "reason": "inverno", "request_id": "g2"},
        page=account_page,
    )
    assert resp.status_code == 302 and resp.location.endswith(account_page)
    assert chest(town["org"].id).balance == -60
    granted = account_for(town["res"])
    assert granted.balance == 60
    from webapp.timebank.overview import recent_transfers

    transfer_id = recent_transfers(town["org"].id)[0].id
    resp = post_form(
        client,
        "/timebank/reverse",
        {"transfer_id": str(transfer_id), "reason": "sbagliato", "request_id": "r1"},
        page="/timebank/coordinator",
    )
    assert resp.status_code == 302
    resp = post_form(
        client,
        "/timebank/reverse",
        {"transfer_id": str(transfer_id), "reason": "ancora", "request_id": "r2"},
        page="/timebank/coordinator",
    )
    assert resp.status_code == 422 and "already reversed" in resp.get_data(as_text=True)
    today = date.today().isoformat()
    resp = client.get(f"/timebank/export.csv?start={today}&end={today}")
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r[4] for r in rows[1:]] == ["grant", "reversal"]
    assert rows[1][8] == "Teresa Bianchi"
    bad = client.get(f"/timebank/export.csv?start={today}&end=2000-01-01")
    assert bad.status_code == 302
    assert audit(town["org"].id).ok


def test_coordinator_sees_accounts_near_their_limit(client, town):  # type: ignore[no-untyped-def]
    ops.donate(
        key="n1",
        donor=town["res"],
        recipient=None,
        minutes=550,
        actor_id=None,
        service_date=date.today(),
    )
    login(client, "coord@tb.example", PASSWORD)
    html = client.get("/timebank/coordinator").get_data(as_text=True)
    near = html[html.index('id="near-limit"') :]
    assert "Teresa Bianchi" in near[: near.index("</table>")]


@pytest.mark.parametrize(
    ("who", "url", "status"),
    [
        ("coord@tb.example", "/timebank/", 403),
        ("teresa@tb.example", "/timebank/coordinator", 403),
        ("teresa@tb.example", "/timebank/export.csv?start=2026-01-01&end=2026-12-31", 403),
        (None, "/timebank/", 302),
    ],
)
def test_pages_are_for_their_roles(client, town, who, url, status):  # type: ignore[no-untyped-def]
    if who:
        login(client, who, PASSWORD)
    assert client.get(url).status_code == status


def test_api_tokens_are_created_once_and_revoked(client, town):  # type: ignore[no-untyped-def]
    login(client, "teresa@tb.example", PASSWORD)
    html = post_form(client, "/timebank/tokens", {"name": "telefono"}, page="/timebank/").get_data(
        as_text=True
    )
    import re

    secret = re.search(r'id="new-token">([^<]+)<', html).group(1)
    assert client.get("/timebank/").get_data(as_text=True).count(secret) == 0
    from webapp.timebank.tokens import tokens_of, user_for

    assert user_for(secret).id == town["res_user"].id
    token = tokens_of(town["res_user"])[0]
    assert token.token_hash != secret and secret not in token.token_hash
    resp = post_form(client, f"/timebank/tokens/{token.id}/revoke", {}, page="/timebank/")
    assert resp.status_code == 302
    assert user_for(secret) is None


def test_coordinator_reads_a_members_account(client, town):  # type: ignore[no-untyped-def]
    ops.donate(
        key="pa",
        donor=town["res"],
        recipient=town["vol"],
        minutes=50,
        actor_id=None,
        service_date=date.today(),
    )
    stranger = make_resident(make_org())
    login(client, "coord@tb.example", PASSWORD)
    # From the desk's case file (where a call is taken) to the account and its grant form.
    case_file = client.get(f"/desk/people/{town['res'].id}").get_data(as_text=True)
    assert f'href="/timebank/people/{town["res"].id}">Statement and grants</a>' in case_file
    html = client.get(f"/timebank/people/{town['res'].id}").get_data(as_text=True)
    assert "Teresa Bianchi" in html and "-50 min" in html and "Marco" in html
    assert f'action="/timebank/people/{town["res"].id}/grant"' in html
    csv_body = client.get(f"/timebank/people/{town['res'].id}/statement.csv")
    assert "-50" in csv_body.get_data(as_text=True)
    assert client.get(f"/timebank/people/{stranger.id}").status_code == 404


def test_members_cannot_read_other_accounts(client, town):  # type: ignore[no-untyped-def]
    login(client, "teresa@tb.example", PASSWORD)
    assert client.get(f"/timebank/people/{town['vol'].id}").status_code == 403


def test_the_coordinator_page_s_statements_do_not_grow_with_members_or_transfers(
    app, client, town, count_queries, monkeypatch
):  # type: ignore[no-untyped-def]
    """Each account and person it names came one statement each (165 statements on the
    city's data); now a fixed number, however many members gave and received. (Every
    view drawn afresh here: kept, the lists send none, tests/timebank/test_kept_lists.py.)"""
    monkeypatch.setitem(app.config, "TIMEBANK_CACHE_ENTRIES", 0)

    def members_giving(n: int) -> None:
        for i in range(n):
            member = make_resident(town["org"], first_name=f"Gina{i}", last_name="Neri")
            ops.grant(key=f"g{member.id}", recipient=member, minutes=60, actor_id=None,
                      service_date=date.today(), reason="welcome")
            ops.donate(key=f"d{member.id}", donor=member, recipient=town["vol"], minutes=50,
                       actor_id=None, service_date=date.today())
        db.session.commit()

    login(client, "coord@tb.example", PASSWORD)
    members_giving(2)
    client.get("/timebank/coordinator")
    with count_queries() as few:
        assert client.get("/timebank/coordinator").status_code == 200
    members_giving(8)
    client.get("/timebank/coordinator")
    with count_queries() as many:
        html = client.get("/timebank/coordinator").get_data(as_text=True)
    assert "Gina7 Neri" in html
    extra = sorted(set(many) - set(few)) or [q for q in many if many.count(q) > few.count(q)]
    assert len(many) <= len(few), (len(few), len(many), extra)
    # The login, the figures with the chest and the policy, the givers and receivers,
    # the accounts near their limit, the latest transfers: each list with its names.
    assert len(few) <= 5, few


def test_the_coordinator_finds_the_member_to_grant_to_instead_of_a_roster(client, town):  # type: ignore[no-untyped-def]
    """The grant form listed every member (10,000 options in a city); the page now lists
    only the members its search box finds, each linking to the account page that grants."""
    for i in range(30):
        make_resident(town["org"], first_name=f"Gina{i:02}", last_name="Neri")
    make_resident(make_org(), first_name="Carla", last_name="Bianchi")  # another town
    login(client, "coord@tb.example", PASSWORD)
    html = client.get("/timebank/coordinator").get_data(as_text=True)
    assert "Gina" not in html and "Teresa Bianchi" not in html
    html = client.get("/timebank/coordinator?member=bianchi").get_data(as_text=True)
    found = html[html.index('class="tb-found"') :]
    found = found[: found.index("</ul>")]
    assert f'href="/timebank/people/{town["res"].id}"' in found and "Teresa Bianchi" in found
    assert "Carla" not in found
    html = client.get("/timebank/coordinator?member=Neri").get_data(as_text=True)
    assert html.count("Gina") == 10 and "10 of 30 shown" in html
    html = client.get("/timebank/coordinator?member=%3Cb%3Ezzz").get_data(as_text=True)
    assert "Nobody matches “&lt;b&gt;zzz”." in html


def test_a_grant_from_the_account_page_checks_its_input_and_is_made_once(client, town):  # type: ignore[no-untyped-def]
    from webapp.timebank.models import Transfer, TransferKind

    def grants() -> int:
        return db.session.query(Transfer).filter_by(kind=TransferKind.GRANT).count()

    stranger = make_resident(make_org())
    login(client, "coord@tb.example", PASSWORD)
    page = f"/timebank/people/{town['vol'].id}"

    def grant(minutes: str, request_id: str, person_id: int = town["vol"].id):  # type: ignore[no-untyped-def]
        form = {"minutes": minutes, "reason": "estate", "request_id": request_id}
        return post_form(client, f"/timebank/people/{person_id}/grant", form, page=page)

    for minutes, message in (("", "Enter a number of minutes."), ("abc", "Not a valid integer"),
                             ("0", "At least one minute.")):  # fmt: skip
        resp = grant(minutes, "x")
        body = resp.get_data(as_text=True)
        assert resp.status_code == 422 and 'id="minutes-error"' in body, minutes
        assert message in body and 'value="estate"' in body  # the reason typed is kept
    over = grant("999999", "big")
    assert over.status_code == 422
    assert "At most 6000 minutes in one go." in over.get_data(as_text=True)
    assert grants() == 0
    form = {"minutes": "5990", "reason": "estate", "request_id": "once"}
    assert post_form(client, f"{page}/grant", form, page=page).status_code == 302
    again = post_form(client, f"{page}/grant", form, page=page, follow_redirects=True)
    assert "already recorded" in again.get_data(as_text=True)
    assert grants() == 1 and account_for(town["vol"]).balance == 5990
    # The chest may go down to -6000 minutes: 10 are left.
    past = grant("11", "past")
    body = past.get_data(as_text=True)
    assert past.status_code == 422 and 'id="minutes-error"' in body
    assert "10 minutes can be spent now" in body and grants() == 1
    resp = grant("45", "s", stranger.id)
    assert resp.status_code == 404 and grants() == 1


def test_the_page_lists_the_tokens_that_still_work(town):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from webapp.db import utcnow
    from webapp.timebank.tokens import create_token, listed_tokens, tokens_of

    user = town["res_user"]
    live, _ = create_token(user, "phone")
    expired, _ = create_token(user, "old phone")
    revoked, _ = create_token(user, "lost phone")
    expired.expires_at = utcnow() - timedelta(minutes=1)
    revoked.revoked_at = utcnow()
    db.session.flush()
    assert [t.id for t in tokens_of(user)] == [live.id]
    second, _ = create_token(user, "tablet")
    db.session.flush()
    # What the page lists: the same tokens, oldest first, as rows.
    assert [tuple(t) for t in listed_tokens(user)] == [
        (live.id, "phone", live.prefix),
        (second.id, "tablet", second.prefix),
    ]

