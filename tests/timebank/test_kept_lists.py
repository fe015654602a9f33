"""The coordinator's lists (the month's biggest givers and receivers, the accounts near
their limit, the latest transfers) are kept drawn per organisation (``timebank/kept.py``)
and drawn again by every write that changes what they show: a transfer of any month, a
member's account opened, anyone of the organisation renamed (by the ORM or by SQL) or
deleted; another language or month is another drawing."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_coordinator, make_org, make_person, make_volunteer
from tests.helpers import csrf_from, login
from tests.timebank.helpers import marco_visited_teresa, tb_town
from webapp.extensions import db
from webapp.people.models import Person
from webapp.timebank import operations as ops
from webapp.timebank import views
from webapp.timebank.accounts import account_for, set_policy


@pytest.fixture
def town(db_session):  # type: ignore[no-untyped-def]
    town = tb_town()
    marco_visited_teresa(town, 90)
    db.session.commit()
    return town


def _lists(client) -> str:  # type: ignore[no-untyped-def]
    """The page's three lists, from the givers' heading to the reversal form."""
    response = client.get("/timebank/coordinator")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return html[html.index('id="top-title"') : html.index('action="/timebank/reverse"')]


def _recent(lists: str) -> list[str]:
    """The latest transfers' rows, their cells' text joined by "|"."""
    body = lists[lists.index('id="recent-title"') :]
    return [
        "|".join(re.findall(r"<td[^>]*>(.*?)</td>", row))
        for row in re.findall(r"<tr><td>(?:.*?)</tr>", body)
    ]


def _near(lists: str) -> str:
    return lists[lists.index('id="near-title"') : lists.index('id="recent-title"')]


def test_a_second_view_reads_none_of_the_lists(client, town, count_queries):  # type: ignore[no-untyped-def]
    login(client, "coord@tb.example", PASSWORD)
    with count_queries() as first:
        drawn = client.get("/timebank/coordinator").get_data(as_text=True)
    with count_queries() as second:
        kept = client.get("/timebank/coordinator").get_data(as_text=True)
    # The login, and the figures with the stamp, the chest and the policy: not the lists.
    assert len(second) == len(first) - 3 == 2, second
    strip = re.compile(r'value="[0-9a-f]{32}"|name="csrf_token"[^>]*')
    assert strip.sub("", kept) == strip.sub("", drawn)
    assert "Marco Verdi" in kept[kept.index('id="top-title"') :]


def test_a_transfer_of_any_month_shows_at_once(client, town):  # type: ignore[no-untyped-def]
    login(client, "coord@tb.example", PASSWORD)
    assert len(_recent(_lists(client))) == 1  # the visit
    ops.donate(key="gift", donor=town["vol"], recipient=town["res"], minutes=25, actor_id=None,
               service_date=date.today())  # fmt: skip
    db.session.commit()
    newest = _recent(_lists(client))[0]
    assert "Marco Verdi|Teresa Bianchi|Donation" in newest and newest.endswith("|25 min")
    # Dated in an earlier month: the month's own figures do not move, the stamp does.
    long_ago = date.today().replace(day=1) - timedelta(days=40)
    ops.grant(key="back", recipient=town["res"], minutes=15, actor_id=None,
              service_date=long_ago, reason="paper slip")  # fmt: skip
    db.session.commit()
    newest = _recent(_lists(client))[0]
    assert "Community chest|Teresa Bianchi|Grant from the chest" in newest, newest


@pytest.mark.parametrize("how", ["orm", "sql"])
def test_a_member_renamed_shows_renamed(client, town, how):  # type: ignore[no-untyped-def]
    login(client, "coord@tb.example", PASSWORD)
    assert "Marco Verdi" in _lists(client)
    if how == "orm":
        town["vol"].first_name = "Mario"
    else:  # a write no ORM hook sees: the trigger still moves the stamp
        db.session.execute(
            sa.update(Person).where(Person.id == town["vol"].id).values(last_name="Rossi")
        )
    db.session.commit()
    lists = _lists(client)
    assert "Marco Verdi" not in lists
    assert ("Mario Verdi" if how == "orm" else "Marco Rossi") in lists


def test_a_member_deleted_shows_as_a_former_member(client, town):  # type: ignore[no-untyped-def]
    gino = make_person(town["org"], first_name="Gino", last_name="Blu")
    ops.grant(key="seed", recipient=gino, minutes=30, actor_id=None,
              service_date=date.today(), reason="welcome")  # fmt: skip
    db.session.commit()
    login(client, "coord@tb.example", PASSWORD)
    assert "Gino Blu" in _recent(_lists(client))[0]
    db.session.delete(gino)
    db.session.commit()
    lists = _lists(client)
    assert "Gino" not in lists and "Former member" in _recent(lists)[0]


def test_an_account_opened_near_its_limit_joins_the_list(client, town):  # type: ignore[no-untyped-def]
    """A volunteer's account opens at zero with a limit of zero: near it, before any
    transfer."""
    login(client, "coord@tb.example", PASSWORD)
    assert "Pia Neri" not in _near(_lists(client))
    account_for(make_volunteer(town["org"], first_name="Pia", last_name="Neri"))
    db.session.commit()
    assert "Pia Neri" in _near(_lists(client))


def test_another_language_month_or_organisation_is_drawn_on_its_own(client, town, monkeypatch):  # type: ignore[no-untyped-def]
    login(client, "coord@tb.example", PASSWORD)
    assert "Visit" in _lists(client)
    page = client.get("/timebank/coordinator").get_data(as_text=True)
    client.post("/language", data={"csrf_token": csrf_from(page), "locale": "it", "next": "/"})
    italian = _lists(client)
    assert "Visita" in italian and "Visit|" not in "|".join(_recent(italian))
    # Next month: the visit is still the latest transfer, but nobody gave this month.
    next_month = (date.today().replace(day=28) + timedelta(days=5)).replace(day=1)
    monkeypatch.setattr(views, "today", lambda: next_month)
    lists = _lists(client)
    top = lists[: lists.index('id="near-title"')]
    assert "Marco Verdi" not in top and "Ancora nessuno." in top, top
    assert "Marco Verdi" in _recent(lists)[0]
    # Another organisation's coordinator never sees these.
    other = make_org(name="Altrove")
    make_coordinator(other, email="coord@altrove.example")
    db.session.commit()
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    login(client, "coord@altrove.example", PASSWORD)
    assert "Marco" not in _lists(client)


def test_the_chest_and_the_policy_are_read_with_the_figures(client, town, count_queries):  # type: ignore[no-untyped-def]
    """The chest's balance and limit and the policy's words come in the figures'
    statement; the first view opens the chest (the town has none yet)."""

    def chest() -> tuple[str, str]:
        html = client.get("/timebank/coordinator").get_data(as_text=True)
        section = html[html.index('id="chest-title"') : html.index('id="grant-title"')]
        balance = re.search(r'id="chest-balance">([^<]*)<', section)
        assert balance, section
        return balance.group(1), section

    login(client, "coord@tb.example", PASSWORD)
    balance, section = chest()
    assert balance == "0 min" and "It may go down to -100 h." in section
    assert "Residents pay for their visits and rides" in section
    set_policy(town["org"].id, chest_pays_for_residents=True, chest_limit=-1200)
    ops.grant(key="g", recipient=town["res"], minutes=30, actor_id=None,
              service_date=date.today(), reason="welcome")  # fmt: skip
    db.session.commit()
    with count_queries() as sent:
        balance, section = chest()
    assert balance == "-30 min" and "It may go down to -20 h." in section
    assert "The chest pays for every visit and ride." in section
    assert not [q for q in sent if q.lstrip().startswith("SELECT timebank_account.id")], sent
