"""The desk's home bounds each list to its first rows with the exact count, and every row
is reachable on the list's own pages."""

from __future__ import annotations

import re
from datetime import date, time

import pytest

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident, make_volunteer
from tests.helpers import login
from tests.shifts.builders import in_days, make_request, shifts_of, visit_draft
from webapp.desk import lists, queries
from webapp.extensions import db
from webapp.shifts import operations as ops


@pytest.fixture
def desk(client, db_session, monkeypatch):  # type: ignore[no-untyped-def]
    """Five claims waiting for approval (two of them weeks ahead), three shifts without a
    volunteer in the next days; two rows a list on the home, two a page."""
    monkeypatch.setattr(lists, "HOME_ROWS", 2)
    monkeypatch.setattr(lists, "PAGE_ROWS", 2)
    org = make_org()
    coord = make_coordinator(org)
    vol = make_volunteer(org)
    claimed = []
    for i, day in enumerate([in_days(5), in_days(6), in_days(7), in_days(30), in_days(40)]):
        draft = visit_draft(day, windows=[(day.weekday(), time(9 + i), time(10 + i))],
                            duration_minutes=45)  # fmt: skip
        (shift,) = shifts_of(make_request(org, draft, resident=make_resident(org), actor=coord))
        ops.claim(shift, vol, vol.user)
        claimed.append(shift)
    unfilled = [
        shifts_of(
            make_request(org, visit_draft(in_days(d), override_reason="urgent"), actor=coord)
        )[0]
        for d in (1, 2, 3)
    ]
    db.session.commit()
    login(client, coord.email, PASSWORD)
    return {"claimed": claimed, "unfilled": unfilled, "coord": coord}


def _manage_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'href="/shifts/(\d+)/manage"', html)]


def _section(html: str, anchor: str) -> str:
    match = re.search(rf'<section[^>]*id="{anchor}">(.*?)</section>', html, re.S)
    assert match, anchor
    return match.group(1)


def test_the_home_shows_the_first_rows_and_the_exact_count(client, desk):  # type: ignore[no-untyped-def]
    html = client.get("/desk/").get_data(as_text=True)
    approve = _section(html, "approve")
    assert '<span class="count">5</span>' in approve
    assert _manage_ids(approve) == [s.id for s in desk["claimed"][:2]]  # soonest first
    assert 'href="/desk/todo?list=approve">See all 5</a>' in approve
    unfilled = _section(html, "unfilled")
    assert '<span class="count">3</span>' in unfilled
    assert _manage_ids(unfilled) == [s.id for s in desk["unfilled"][:2]]


def test_every_row_is_on_the_lists_pages(client, desk):  # type: ignore[no-untyped-def]
    seen = []
    for page in (1, 2, 3):
        html = client.get(f"/desk/todo?list=approve&page={page}").get_data(as_text=True)
        assert "Waiting for your approval" in html and f"Page {page} of 3" in html
        seen += _manage_ids(html)
    assert seen == [s.id for s in desk["claimed"]]
    page_two = client.get("/desk/todo?list=approve&page=2").get_data(as_text=True)
    assert "3 to 4 of 5" in page_two
    assert 'href="/desk/todo?page=1&amp;list=approve"' in page_two
    assert 'href="/desk/todo?page=3&amp;list=approve"' in page_two


def test_a_page_out_of_range_shows_the_nearest_and_an_unknown_list_is_not_found(client, desk):  # type: ignore[no-untyped-def]
    last = client.get("/desk/todo?list=unfilled&page=99").get_data(as_text=True)
    assert _manage_ids(last) == [desk["unfilled"][2].id] and "Page 2 of 2" in last
    first = client.get("/desk/todo?list=unfilled&page=x").get_data(as_text=True)
    assert _manage_ids(first) == [s.id for s in desk["unfilled"][:2]]
    assert client.get("/desk/todo?list=nothing").status_code == 404
    empty = client.get("/desk/todo?list=unconfirmed").get_data(as_text=True)
    assert "Nothing is waiting here." in empty


def test_an_approved_claim_leaves_the_list_and_the_count(client, desk):  # type: ignore[no-untyped-def]
    first = desk["claimed"][0]
    ops.approve(first, desk["coord"])
    db.session.commit()
    approve = _section(client.get("/desk/").get_data(as_text=True), "approve")
    assert '<span class="count">4</span>' in approve
    assert _manage_ids(approve) == [s.id for s in desk["claimed"][1:3]]


def test_the_checks_list_is_bounded_and_paged_too(client, db_session, monkeypatch):  # type: ignore[no-untyped-def]
    """A list the desk reads whole from another feature (the volunteers' checks) is cut
    the same way: the first rows and the count on the home, every row on its pages."""
    monkeypatch.setattr(lists, "HOME_ROWS", 2)
    monkeypatch.setattr(lists, "PAGE_ROWS", 2)
    org = make_org()
    coord = make_coordinator(org)
    people = [make_volunteer(org, credentials=False, with_user=False) for _ in range(3)]
    db.session.commit()
    login(client, coord.email, PASSWORD)
    total = len(queries.todo_checks(org.id, date.today()))
    assert total >= 3  # each of them lacks at least one check
    home = client.get("/desk/").get_data(as_text=True)
    assert f'<span class="count">{total}</span>' in home
    assert f'href="/desk/todo?list=checks">See all {total}</a>' in home
    seen: list[str] = []
    for page in range(1, -(-total // 2) + 1):
        html = client.get(f"/desk/todo?list=checks&page={page}").get_data(as_text=True)
        seen += re.findall(r'href="/coordinator/people/(\d+)#checks"', html)
    assert len(seen) == total and {int(x) for x in seen} == {p.id for p in people}
