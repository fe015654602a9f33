"""The volunteer's schedule (shifts/schedule.py) and its kept cards
(shifts/schedule_cache.py): what comes up first and what was done lately, the earlier
shifts a page at a time, a second view with nothing changed drawing nothing, and every
change a card shows, whoever made it, showing at the next view."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest

from tests.factories import (
    PASSWORD,
    make_coordinator,
    make_org,
    make_resident,
    make_user,
    make_volunteer,
)
from tests.helpers import login, post_form
from tests.shifts.builders import in_days, make_request, ride_draft, shifts_of, visit_draft
from webapp.db import utcnow
from webapp.extensions import db
from webapp.people.models import Person
from webapp.shifts import operations as ops
from webapp.shifts.models import Assignment, CheckIn, RideRoute, ShiftStatus
from webapp.shifts.schedule import PAST_PAGE
from webapp.shifts.schedule_cache import kept

S = ShiftStatus


def _finished(shift, hours_ago: float, status: ShiftStatus = S.COMPLETED) -> None:  # type: ignore[no-untyped-def]
    shift.status = status
    shift.ends_at = utcnow() - timedelta(hours=hours_ago)
    shift.starts_at = shift.ends_at - timedelta(hours=1)


@pytest.fixture
def town(client):  # type: ignore[no-untyped-def]
    org = make_org()
    coord = make_coordinator(org)
    vol = make_volunteer(org, visits=True)
    rita = make_resident(org, first_name="Rita", phone="+39 0865 111")

    def visit(days: int):  # type: ignore[no-untyped-def]
        (shift,) = shifts_of(make_request(org, visit_draft(in_days(days)), resident=rita,
                                          actor=coord))  # fmt: skip
        return shift

    soon, later, done = visit(3), visit(5), visit(7)
    for shift in (soon, later, done):
        ops.assign(shift, vol, coord)
    _finished(done, hours_ago=3)  # yesterday's, not logged yet
    db.session.commit()
    login(client, vol.user.email, PASSWORD)
    return SimpleNamespace(org=org, coord=coord, vol=vol, rita=rita, soon=soon, later=later,
                           done=done, client=client)  # fmt: skip


def _page(client) -> str:  # type: ignore[no-untyped-def]
    resp = client.get("/shifts/mine")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _cards(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<article class="card" data-shift="(\d+)"', html)]


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def test_coming_up_soonest_first_then_done_lately(town):
    html = _page(town.client)
    assert _cards(_section(html, "coming-h")) == [town.soon.id, town.later.id]
    lately = _section(html, "lately-h")
    assert _cards(lately) == [town.done.id]
    assert f'href="/shifts/{town.done.id}/checkin"' in lately
    assert 'href="/shifts/mine/past"' in lately
    # Approved: the volunteer gets the name, the phone and the door.
    assert "Rita" in html and 'href="tel:+39 0865 111"' in html


def test_a_second_view_with_nothing_changed_reads_no_shift(town, count_queries):
    first = _page(town.client)
    with count_queries() as q:
        again = _page(town.client)
    assert _cards(again) == _cards(first)
    # The login (with the board's stamp and the bell: auth/sessions.py), the calendar
    # link, and the news (the approvals made the bell ring).
    assert len(q) <= 3, "\n".join(q)
    assert not [s for s in q if "FROM shift" in s], q


def test_each_session_gets_its_own_form_token(app, town):
    other = app.test_client()
    login(other, town.vol.user.email, PASSWORD)
    a, b = _page(town.client), _page(other)  # the second one is served kept
    token = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
    assert "ponte:form-fields" not in a + b
    assert set(token.findall(a)) != set(token.findall(b))
    (value, *_) = token.findall(b)
    resp = other.post(f"/shifts/{town.soon.id}/confirm", data={"csrf_token": value})
    assert resp.status_code == 302
    assert f'action="/shifts/{town.soon.id}/confirm"' not in _page(other)


def _checked_in(t) -> None:  # type: ignore[no-untyped-def]
    # Filed on a shift already completed: no shift or seat changes with it.
    db.session.add(CheckIn(organisation_id=t.org.id, shift_id=t.done.id,
                           volunteer_id=t.vol.id, mood="good"))  # fmt: skip


def _phone_changed(t) -> None:  # type: ignore[no-untyped-def]
    db.session.get(Person, t.rita.id).phone = "+39 0865 222"


def _renamed(t) -> None:  # type: ignore[no-untyped-def]
    db.session.get(Person, t.rita.id).first_name = "Margherita"


def _notes(t) -> None:  # type: ignore[no-untyped-def]
    t.soon.request.notes = "Ring twice"


def _confirmed(t) -> None:  # type: ignore[no-untyped-def]
    ops.confirm(t.soon, t.vol, t.vol.user)


def _taken_off(t) -> None:  # type: ignore[no-untyped-def]
    ops.withdraw(t.later, t.vol, t.coord, "reassigned")


def _moved(t) -> None:  # type: ignore[no-untyped-def]
    t.soon.starts_at += timedelta(hours=1)
    t.soon.ends_at += timedelta(hours=1)


CHANGES = {
    "a check-in filed": (_checked_in, lambda t, a: f"/shifts/{t.done.id}/checkin" not in a),
    "the resident's phone": (_phone_changed, lambda t, a: "+39 0865 222" in a),
    "the resident's name": (_renamed, lambda t, a: "Margherita" in a),
    "the request's notes": (_notes, lambda t, a: "Ring twice" in a),
    "confirmed": (_confirmed, lambda t, a: f"/shifts/{t.soon.id}/confirm" not in a),
    "taken off": (_taken_off, lambda t, a: t.later.id not in _cards(a)),
    "moved": (_moved, lambda t, a: a != t.before),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_shows_at_the_next_view(town, change):
    make, shows = CHANGES[change]
    _page(town.client)
    town.before = _page(town.client)  # kept
    make(town)
    db.session.commit()
    after = _page(town.client)
    assert shows(town, after), after
    kept().clear()
    again = _page(town.client)
    # Each page strips its own token: the token is signed with the second it was made in.
    assert after.replace(_token(after), "") == again.replace(_token(again), "")


def _token(html: str) -> str:
    return re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[0]


def test_kept_cards_go_when_a_shift_starts(town, monkeypatch):
    """Time changes the cards with no write: once the soonest shift starts, "I can't make
    it" gives way to "Log how it went" (drawn again then, not served kept)."""
    town.soon.starts_at = utcnow() + timedelta(minutes=3)  # sooner than kept cards' 10
    town.soon.ends_at = town.soon.starts_at + timedelta(hours=1)
    db.session.commit()
    withdraw = f'action="/shifts/{town.soon.id}/withdraw"'
    log = f'href="/shifts/{town.soon.id}/checkin"'
    html = _page(town.client)
    assert withdraw in html and log not in html
    started = town.soon.starts_at + timedelta(minutes=1)
    monkeypatch.setattr("webapp.shifts.views.utcnow", lambda: started)
    html = _page(town.client)
    assert withdraw not in html and log in html
    assert _cards(_section(html, "lately-h"))[0] == town.soon.id


def test_a_year_of_history_adds_no_card_and_no_statement(app, town, count_queries, monkeypatch):
    monkeypatch.setitem(app.config, "SCHEDULE_CACHE_ENTRIES", 0)  # the drawing is counted
    _page(town.client)
    with count_queries() as small:
        before = _page(town.client)
    for week in range(1, 40):
        (shift,) = shifts_of(make_request(town.org, visit_draft(in_days(8 + week)),
                                          resident=town.rita, actor=town.coord))  # fmt: skip
        ops.assign(shift, town.vol, town.coord)
        _finished(shift, hours_ago=24 * 7 * week)
        db.session.add(CheckIn(organisation_id=town.org.id, shift_id=shift.id,
                               volunteer_id=town.vol.id, mood="ok"))  # fmt: skip
    db.session.commit()
    _page(town.client)
    with count_queries() as big:
        after = _page(town.client)
    assert _cards(after) == _cards(before)
    assert len(big) <= len(small), f"small: {small}\n\nbig: {big}"


def test_earlier_shifts_newest_first_a_page_at_a_time(town, count_queries):
    ended = []
    for week in range(1, PAST_PAGE + 5):
        (shift,) = shifts_of(make_request(town.org, visit_draft(in_days(8 + week)),
                                          resident=town.rita, actor=town.coord))  # fmt: skip
        ops.assign(shift, town.vol, town.coord)
        _finished(shift, hours_ago=24 * 7 * week, status=S.NO_SHOW if week == 2 else S.COMPLETED)
        ended.append(shift.id)
    other = make_volunteer(town.org, visits=True)
    (theirs,) = shifts_of(make_request(town.org, visit_draft(in_days(2)), actor=town.coord))
    ops.assign(theirs, other, town.coord)
    _finished(theirs, hours_ago=30)
    db.session.commit()
    newest_first = [town.done.id, *ended]
    listed = re.compile(r'<li data-shift="(\d+)"')
    with count_queries() as q:
        first = town.client.get("/shifts/mine/past").get_data(as_text=True)
    assert [int(i) for i in listed.findall(first)] == newest_first[:PAST_PAGE]
    assert "no-show" in first and "?page=2" in first
    # The login, the count and the page: the same for any page of any history.
    assert len(q) <= 3, "\n".join(q)
    second = town.client.get("/shifts/mine/past?page=2").get_data(as_text=True)
    assert [int(i) for i in listed.findall(second)] == newest_first[PAST_PAGE:]
    # Past the last page: the last page (a link kept from a longer list).
    assert listed.findall(town.client.get("/shifts/mine/past?page=9").get_data(as_text=True)) \
        == listed.findall(second)  # fmt: skip


def test_earlier_shifts_none_yet_and_volunteers_only(client, db_session):
    org = make_org()
    vol = make_volunteer(org)
    resident = make_resident(org)
    make_user(org, person=resident, email="rita@example.org")
    login(client, vol.user.email, PASSWORD)
    assert "No earlier shifts yet." in client.get("/shifts/mine/past").get_data(as_text=True)
    post_form(client, "/logout", {}, page="/shifts/mine")
    login(client, "rita@example.org", PASSWORD)
    assert client.get("/shifts/mine/past").status_code == 403


def test_the_language_is_part_of_what_is_kept(town):
    english = _page(town.client)  # kept in English
    with town.client.session_transaction() as session:
        session["locale"] = "it"  # as the language switcher sets it
    italian = _page(town.client)
    assert _cards(italian) == _cards(english)
    assert "In arrivo" in italian and "Coming up" not in italian


def test_a_shared_ride_is_one_card_with_its_stops(client, db_session):
    """A route's legs (several passengers', one driver) are one card with the stops in
    order and every passenger's name: one statement more, for the routes listed."""
    org = make_org()
    coord = make_coordinator(org)
    driver = make_volunteer(org, driving=True)
    legs = []
    for name in ("Anna", "Bruno"):
        resident = make_resident(org, first_name=name)
        legs += shifts_of(make_request(org, ride_draft(in_days(4)), resident=resident,
                                       actor=coord))  # fmt: skip
    legs.sort(key=lambda leg: leg.starts_at)
    route = RideRoute(organisation_id=org.id, driver_id=driver.id,
                      occurrence_date=legs[0].occurrence_date,
                      stops=[{"shift_id": leg.id, "kind": "pickup", "at": leg.starts_at.isoformat()}
                             for leg in legs])  # fmt: skip
    db.session.add(route)
    db.session.flush()
    for leg in legs:
        leg.route_id, leg.status = route.id, S.APPROVED
        db.session.add(Assignment(shift_id=leg.id, volunteer_id=driver.id, seat=1))
    db.session.commit()
    login(client, driver.user.email, PASSWORD)
    html = _page(client)
    assert _cards(html) == [legs[0].id]
    assert "Shared ride: 2 passengers" in html
    assert html.count('data-stop="') == len(legs) and "Anna" in html and "Bruno" in html
