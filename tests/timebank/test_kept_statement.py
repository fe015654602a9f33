"""A member's statement page and give-to list are kept drawn (``timebank/kept.py``) and
drawn again by every write that changes what they show: a transfer of the account, a new
exchange partner, anyone of the organisation renamed (by the ORM or by SQL), moved or
deleted; another page or language is another drawing."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import (
    PASSWORD,
    make_org,
    make_person,
    make_resident,
    make_user,
    make_volunteer,
)
from tests.helpers import login
from tests.timebank.helpers import real_shift_ids
from webapp.auth.models import Role
from webapp.extensions import db
from webapp.people.models import Person
from webapp.timebank import operations as ops
from webapp.timebank import partners
from webapp.timebank.payments import pay_for_shift


@pytest.fixture
def town(db_session):  # type: ignore[no-untyped-def]
    org = make_org()
    teresa = make_resident(org, first_name="Teresa", last_name="Bianchi")
    marco = make_volunteer(org, first_name="Marco", last_name="Verdi", with_user=False)
    make_user(org, Role.MEMBER, person=marco, email="marco@kept.example")
    pay_for_shift(shift_id=real_shift_ids(org, 1)[0], organisation_id=org.id, kind="visit",
                  service_date=date.today(), resident_person_id=teresa.id,
                  volunteers=[(marco.id, 90)], actor_id=None)  # fmt: skip
    db.session.commit()
    return {"org": org, "teresa": teresa, "marco": marco}


def _page(client, url="/timebank/"):  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _statement(html: str) -> str:
    return html[html.index('id="statement-title"') :]


def _give_to(html: str) -> list[str]:
    start = html.index('name="recipient"')
    select = html[start : html.index("</select>", start)]
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def test_a_second_view_reads_neither_the_statement_nor_the_list(client, town, count_queries):  # type: ignore[no-untyped-def]
    login(client, "marco@kept.example", PASSWORD)
    with count_queries() as first:
        drawn = _page(client)
    with count_queries() as second:
        kept = _page(client)
    assert len(second) == len(first) - 2  # the page of lines and the give-to list
    # The same page, but for the form's fresh request id and token.
    strip = re.compile(r'value="[0-9a-f]{32}"|name="csrf_token"[^>]*')
    assert strip.sub("", kept) == strip.sub("", drawn)
    assert "Teresa" in _statement(kept) and _give_to(kept) == ["Community chest", "Teresa B."]


def test_a_transfer_of_the_account_shows_at_once(client, town):  # type: ignore[no-untyped-def]
    login(client, "marco@kept.example", PASSWORD)
    _page(client)
    ops.donate(key="gift", donor=town["marco"], recipient=None, minutes=25, actor_id=None,
               service_date=date.today())  # fmt: skip
    db.session.commit()
    html = _statement(_page(client))
    assert "-25 min" in html and "1 h 05 min" in html  # the line and the balance after it


@pytest.mark.parametrize("how", ["orm", "sql"])
def test_a_counterpart_renamed_shows_renamed_in_both(client, town, how):  # type: ignore[no-untyped-def]
    login(client, "marco@kept.example", PASSWORD)
    assert "Teresa" in _statement(_page(client))
    if how == "orm":
        town["teresa"].first_name = "Tina"
    else:  # a write no ORM hook sees: the trigger still moves the stamp
        db.session.execute(
            sa.update(Person).where(Person.id == town["teresa"].id).values(last_name="Rossi")
        )
    db.session.commit()
    html = _page(client)
    if how == "orm":
        assert "Tina" in _statement(html) and "Teresa" not in _statement(html)
        assert _give_to(html) == ["Community chest", "Tina B."]
    else:
        assert _give_to(html) == ["Community chest", "Teresa R."]


def test_a_new_partner_without_a_transfer_of_the_account_joins_the_list(client, town):  # type: ignore[no-untyped-def]
    login(client, "marco@kept.example", PASSWORD)
    _page(client)
    pia = make_resident(town["org"], first_name="Pia", last_name="Neri")
    partners.note([(town["marco"].id, pia.id)])  # a visit completed, the chest paying
    db.session.commit()
    assert _give_to(_page(client)) == ["Community chest", "Pia N.", "Teresa B."]


def test_a_counterpart_deleted_shows_as_a_former_member(client, town):  # type: ignore[no-untyped-def]
    gino = make_person(town["org"], first_name="Gino", last_name="Blu")
    ops.grant(key="seed", recipient=gino, minutes=30, actor_id=None,
              service_date=date.today(), reason="welcome")  # fmt: skip
    ops.donate(key="to-marco", donor=gino, recipient=town["marco"], minutes=10, actor_id=None,
               service_date=date.today())  # fmt: skip
    db.session.commit()
    login(client, "marco@kept.example", PASSWORD)
    html = _page(client)
    assert "Gino" in _statement(html) and "Gino B." in _give_to(html)
    db.session.delete(gino)
    db.session.commit()
    html = _page(client)
    assert "Gino" not in html and "Former member" in _statement(html)


def test_another_page_and_another_language_are_drawn_on_their_own(client, town):  # type: ignore[no-untyped-def]
    for n in range(55):  # two pages of lines
        ops.donate(key=f"d{n}", donor=town["marco"], recipient=None, minutes=1, actor_id=None,
                   service_date=date.today())  # fmt: skip
    db.session.commit()
    login(client, "marco@kept.example", PASSWORD)
    first = _statement(_page(client))
    second = _statement(_page(client, "/timebank/?page=2"))
    assert "Teresa" not in first and "Teresa" in second  # the visit is the oldest line
    assert "Visit" in second and "Visita" not in second
    with client.session_transaction() as session:
        session["locale"] = "it"
    italian = _statement(_page(client, "/timebank/?page=2"))
    assert "Visita" in italian and "Teresa" in italian
    with client.session_transaction() as session:
        session["locale"] = "en"
    assert "Teresa" not in _statement(_page(client))
