"""Finding a person by name, phone in any format and address; duplicates on registration."""

from __future__ import annotations

import pytest

from tests.desk.helpers import login_as
from tests.factories import make_coordinator, make_org, make_person, make_resident, make_volunteer
from tests.helpers import csrf_from
from webapp.extensions import db
from webapp.people.models import VolunteerProfile, VolunteerStatus
from webapp.people.search import phone_tail, possible_duplicates, search


@pytest.fixture
def town(db_session):  # type: ignore[no-untyped-def]
    org = make_org()
    maria = make_resident(
        org,
        first_name="Maria",
        last_name="Di Nicolò",
        phone="0865 412345",
        address="Via Roma 3, Isernia",
    )
    make_resident(
        org,
        first_name="Mario",
        last_name="Rossi",
        phone="+39 333 987 6543",
        address="Corso Garibaldi 12, Isernia",
    )
    make_volunteer(
        org,
        first_name="Giulia",
        last_name="Bianchi",
        phone="0865 111222",
        address="Via Roma 40, Isernia",
    )
    other = make_org()
    make_resident(other, first_name="Maria", last_name="Di Nicolò", phone="0865 412345")
    return org, maria


@pytest.mark.parametrize(
    "typed",
    ["0865412345", "+39 0865 412345", "0039 0865-41-23-45", "(0865) 41.23.45", "412345"],
)
def test_a_phone_number_in_any_format_finds_the_person(town, typed):  # type: ignore[no-untyped-def]
    org, maria = town
    page = search(org.id, typed)
    assert [p.id for p in page.people] == [maria.id]  # and never the other organisation's


def test_names_and_addresses_match_word_by_word_without_accents(town):  # type: ignore[no-untyped-def]
    org, maria = town
    assert [p.id for p in search(org.id, "nicolo maria").people] == [maria.id]
    assert [p.full_name for p in search(org.id, "via roma").people] == [
        "Giulia Bianchi",
        "Maria Di Nicolò",
    ]
    assert [p.full_name for p in search(org.id, "via roma", role="resident").people] == [
        "Maria Di Nicolò"
    ]
    assert search(org.id, "50%").total == 0  # a wildcard is a character, not a pattern


def test_each_searched_column_is_found_and_follows_a_change(town):  # type: ignore[no-untyped-def]
    """The search reads one column the database keeps (``Person.search_text``): a word is
    found in any of the four it joins, never across two, and a change shows at once."""
    org, maria = town
    maria.neighbourhood = "Centro Storico"
    db.session.flush()
    for word in ("MARIA", "nicolò", "roma", "storico"):
        assert maria.id in [p.id for p in search(org.id, word).people], word
    assert search(org.id, "rossicorso").total == 0  # the end of a name, an address's start
    assert search(org.id, "nicolovia").total == 0
    maria.last_name, maria.address = "Verdi", "Piazza Celestino V 1, Isernia"
    db.session.flush()
    assert [p.id for p in search(org.id, "verdi celestino").people] == [maria.id]
    assert search(org.id, "nicolo").total == 0  # her old name (the other organisation's Maria
    # keeps hers, and is never shown here)
    assert maria.id not in [p.id for p in search(org.id, "roma").people]


def test_a_guardians_number_finds_the_resident(town):  # type: ignore[no-untyped-def]
    org, maria = town
    maria.resident.guardian_phone = "347 555 0101"
    assert [p.id for p in search(org.id, "3475550101").people] == [maria.id]


def test_pages_of_a_long_list(db_session):  # type: ignore[no-untyped-def]
    org = make_org()
    for i in range(30):
        make_resident(org, first_name=f"Anna{i:02d}", last_name="Verdi")
    first = search(org.id, "verdi", size=25)
    second = search(org.id, "verdi", page=2, size=25)
    assert (first.total, first.pages, len(first.people), len(second.people)) == (30, 2, 25, 5)
    assert {p.id for p in first.people}.isdisjoint(p.id for p in second.people)


def test_phone_tail_ignores_prefixes():
    assert phone_tail("+39 0865 412345") == phone_tail("0865412345") == "865412345"


def test_duplicates_same_phone_or_similar_name_at_similar_address(town):  # type: ignore[no-untyped-def]
    org, maria = town
    by_phone = possible_duplicates(
        org.id, first_name="Anna", last_name="Verdi", phone="+39 0865 41 23 45", address="Via Po 1"
    )
    assert [(d.person.id, d.reasons) for d in by_phone] == [(maria.id, ("phone",))]
    typo = possible_duplicates(
        org.id, first_name="Maria", last_name="Di Nicolo", phone=None, address="via roma 3"
    )
    assert [(d.person.id, d.reasons) for d in typo] == [(maria.id, ("name", "address"))]
    # The same name elsewhere in town is another person; so is a neighbour at the address.
    assert (
        possible_duplicates(
            org.id, first_name="Maria", last_name="Di Nicolò", phone=None, address="Via Po 1"
        )
        == []
    )
    assert (
        possible_duplicates(
            org.id, first_name="Anna", last_name="Verdi", phone=None, address="Via Roma 3"
        )
        == []
    )
    assert (
        possible_duplicates(
            org.id,
            first_name="Maria",
            last_name="Di Nicolò",
            phone="0865 412345",
            address="Via Roma 3",
            exclude_id=maria.id,
        )
        == []
    )


def test_a_person_without_roles_is_still_found(db_session):  # type: ignore[no-untyped-def]
    org = make_org()
    p = make_person(org, first_name="Lia", last_name="Neri")
    assert [x.id for x in search(org.id, "lia").people] == [p.id]


def test_a_page_past_the_last_still_counts_them(db_session):  # type: ignore[no-untyped-def]
    """The total comes with a page's rows; a page past the last has none, so it is
    counted on its own (the pager then offers the pages there are)."""
    org = make_org()
    for i in range(30):
        make_volunteer(org, first_name=f"Anna{i:02d}", last_name="Verdi")
    approved = [VolunteerProfile.status == VolunteerStatus.APPROVED]
    for page in (
        search(org.id, "verdi", page=3, size=25),
        search(org.id, "verdi anna", page=3, size=25, brief=True),
        search(org.id, "", role="volunteer", where=approved, page=9, size=10),
    ):
        assert (page.total, page.people) == (30, [])
    assert search(org.id, "bianchi", page=2).total == 0


def test_brief_rows_say_what_the_people_say(town):  # type: ignore[no-untyped-def]
    """The desk's results read a few columns instead of whole people: the same names,
    addresses, phones and roles, in the same order."""
    org, _maria = town
    for text in ("via roma", "0865412345", "isernia"):
        people, rows = search(org.id, text).people, search(org.id, text, brief=True).people
        shown = ("id", "full_name", "address", "phone", "is_resident", "is_volunteer",
                 "is_neighbour")  # fmt: skip
        assert [[getattr(p, n) for n in shown] for p in people] == [
            [getattr(r, n) for n in shown] for r in rows
        ]
        assert people


def test_a_page_number_past_any_list_is_no_error(client, db_session):  # type: ignore[no-untyped-def]
    """A page typed as 20 digits overflowed SQLite's integer in the offset (a 500): a
    search stops at its last possible page, and the desk's search answers with the
    count and no rows."""
    org = make_org()
    for i in range(3):
        make_volunteer(org, first_name=f"Anna{i}", last_name="Verdi")
    huge = 10**20
    page = search(org.id, "verdi", page=huge)
    assert (page.total, page.people) == (3, [])
    coordinator = make_coordinator(org)
    db.session.commit()
    login_as(client, coordinator)
    resp = client.get(f"/desk/find?q=verdi&page={huge}")
    assert resp.status_code == 200
    assert "3 people found" in resp.get_data(as_text=True)


def test_each_result_links_to_its_case_file(client, town):  # type: ignore[no-untyped-def]
    """The results' links are written around each person's id (desk/views.py ``find``)."""
    org, maria = town
    login_as(client, make_coordinator(org))
    html = client.get("/desk/find?q=via roma").get_data(as_text=True)
    giulia = next(p for p in search(org.id, "giulia").people)
    for person in (maria, giulia):
        assert f'<a href="/desk/people/{person.id}"><strong>{person.full_name}</strong></a>' in html


def test_each_result_says_address_phone_and_roles_escaped(client, db_session):  # type: ignore[no-untyped-def]
    """A result's row (desk/display.py): the name and address escaped, the phone when
    there is one, each role in the reader's language."""
    org = make_org()
    both = make_volunteer(
        org, first_name="Anna", last_name="<b>Verdi</b>", phone="0865 1", address="Via A & B 1"
    )
    both.is_resident = True
    make_resident(org, first_name="Bruno", last_name="Verdi", phone=None, address="Via C 2")
    login_as(client, make_coordinator(org))
    html = client.get("/desk/find?q=verdi").get_data(as_text=True)
    assert "<b>Verdi</b>" not in html
    assert "<strong>Anna &lt;b&gt;Verdi&lt;/b&gt;</strong>" in html
    assert '<span class="muted">Via A &amp; B 1 · 0865 1 · resident · volunteer</span>' in html
    assert '<span class="muted">Via C 2 · resident</span>' in html
    client.post("/language", data={"csrf_token": csrf_from(html), "locale": "it", "next": "/"})
    html = client.get("/desk/find?q=verdi").get_data(as_text=True)
    assert '<span class="muted">Via C 2 · assistito</span>' in html
