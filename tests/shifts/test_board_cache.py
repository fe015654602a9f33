"""The volunteer's board kept rendered (shifts/board_cache.py): a second view with
nothing changed draws nothing and reads no shift; every change that shows on the board
shows at the next view, whoever made it; each session gets its own form token."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from tests.factories import PASSWORD, make_coordinator, make_org, make_volunteer
from tests.helpers import csrf_token, login
from tests.querycount import rows_read
from tests.shifts.builders import make_request, next_weekday, ride_draft, shifts_of, visit_draft
from webapp.extensions import db
from webapp.people.models import Person
from webapp.shifts import operations as ops
from webapp.shifts.board_cache import kept
from webapp.shifts.models import Shift

DAY = next_weekday(3, at_least=4)


@pytest.fixture
def town(client):  # type: ignore[no-untyped-def]
    org = make_org()
    coord = make_coordinator(org)
    vol = make_volunteer(org, visits=True, driving=True, first_name="Vera")
    other = make_volunteer(org, visits=True, driving=True, first_name="Otto")
    visit = make_request(org, visit_draft(DAY), actor=coord)
    ride = make_request(org, ride_draft(DAY + timedelta(days=1)), actor=coord)
    db.session.commit()
    login(client, vol.user.email, PASSWORD)
    return {"org": org, "coord": coord, "vol": vol, "other": other, "visit": visit, "ride": ride,
            "client": client}  # fmt: skip


def _cards(html: str) -> list[str]:
    return re.findall(r'data-shift="(\d+)"', html)


def _board(client) -> str:  # type: ignore[no-untyped-def]
    resp = client.get("/shifts/board")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _shift_rows_read(client) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    return rows_read(client, "/shifts/board", Shift)


def test_a_second_view_with_nothing_changed_reads_no_shift(client, town, count_queries):
    read, first = _shift_rows_read(client)
    assert read > 0 and len(_cards(first)) == 2
    read, again = _shift_rows_read(client)
    assert read == 0
    assert _cards(again) == _cards(first)
    with count_queries() as q:
        _board(client)
    # The login (with the bell and the board's stamp: auth/sessions.py) and the
    # activities wanting helpers.
    assert len(q) <= 2, "\n".join(q)
    assert not [s for s in q if s.startswith("SELECT count(board_change.id)")], q


def _claimed_by_other(t) -> None:  # type: ignore[no-untyped-def]
    ops.claim(shifts_of(t["visit"])[0], t["other"], t["other"].user)


def _withdrawn_by_other(t) -> None:  # type: ignore[no-untyped-def]
    (shift, *_) = shifts_of(t["visit"])
    ops.claim(shift, t["other"], t["other"].user)
    db.session.commit()
    _board_seen_by(t)  # kept without the card
    ops.withdraw(shift, t["other"], t["other"].user, "a cold")


def _board_seen_by(t) -> None:  # type: ignore[no-untyped-def]
    assert t["client"].get("/shifts/board").status_code == 200


def _moved_far(t) -> None:  # type: ignore[no-untyped-def]
    for shift in shifts_of(t["visit"]):
        shift.start_lat += 1.0  # 111 km north: out of everyone's reach
        shift.end_lat += 1.0


def _moved(t) -> None:  # type: ignore[no-untyped-def]
    shift = shifts_of(t["visit"])[0]
    shift.starts_at += timedelta(hours=1)
    shift.ends_at += timedelta(hours=1)


def _destination(t) -> None:  # type: ignore[no-untyped-def]
    t["ride"].destination_name = "Casa della salute"


def _asked_for_again(t) -> None:  # type: ignore[no-untyped-def]
    t["visit"].preferred_volunteer_id = t["vol"].id


def _new_request(t) -> None:  # type: ignore[no-untyped-def]
    make_request(t["org"], visit_draft(DAY + timedelta(days=2)), actor=t["coord"])


def _volunteer_moved(t) -> None:  # type: ignore[no-untyped-def]
    person = db.session.get(Person, t["vol"].id)
    person.lat += 0.01


CHANGES = {
    "claimed by another volunteer": (_claimed_by_other, lambda b, a: len(_cards(a)) == 1),
    "time moved": (_moved, lambda b, a: b != a),
    "destination renamed": (_destination, lambda b, a: "Casa della salute" in a),
    "asked for again": (_asked_for_again, lambda b, a: "They asked for you again" in a),
    "a new request": (_new_request, lambda b, a: len(_cards(a)) == 3),
    "given back by another volunteer": (_withdrawn_by_other, lambda b, a: len(_cards(a)) == 2),
    "moved out of reach": (_moved_far, lambda b, a: len(_cards(a)) == 1),
    "the volunteer moved": (_volunteer_moved, lambda b, a: b != a),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_shows_at_the_next_view(client, town, change):
    make, shows = CHANGES[change]
    _board(client)
    before = _board(client)  # kept
    make(town)
    db.session.commit()
    after = _board(client)
    assert shows(before, after), after
    assert _cards(after) == _cards(_board_drawn_anew(client))


def _board_drawn_anew(client) -> str:  # type: ignore[no-untyped-def]
    kept().clear()
    return _board(client)


def test_my_own_claim_takes_the_card_and_its_clash_off(client, town):
    ids = _cards(_board(client))
    token = csrf_token(client, "/shifts/board")
    resp = client.post(f"/shifts/{ids[0]}/claim", data={"csrf_token": token})
    assert resp.status_code == 302
    assert ids[0] not in _cards(_board(client))


def test_each_session_gets_its_own_form_token_and_a_kept_board_claims(app, town):
    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        login(c, town["vol"].user.email, PASSWORD)
    a, b = _board(first), _board(second)  # the second one is served kept
    token = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
    assert "ponte:form-fields" not in a + b
    assert set(token.findall(a)) != set(token.findall(b))
    (shift_id, *_) = _cards(b)
    (value, *_) = token.findall(b)
    resp = second.post(f"/shifts/{shift_id}/claim", data={"csrf_token": value})
    assert resp.status_code == 302 and resp.location.endswith("/shifts/mine")


def test_the_language_is_part_of_what_is_kept(client, town):
    english = _board(client)  # kept in English
    with client.session_transaction() as session:
        session["locale"] = "it"  # as the language switcher sets it
    italian = _board(client)
    assert _cards(italian) == _cards(english)
    assert "Visita a domicilio" in italian and "Home visit" not in italian


def test_a_kept_board_goes_when_its_soonest_shift_starts(app, client, town):
    """Time changes a board with no write: the soonest card leaves when its shift
    starts (drawn again then, not served kept)."""
    from webapp.shifts.board_cache import board_cards

    vol = db.session.get(Person, town["vol"].id)
    soonest = min(s.starts_at for s in shifts_of(town["visit"]) + shifts_of(town["ride"]))
    drawn: list[datetime] = []

    def render(now: datetime):  # type: ignore[no-untyped-def]
        def draw():  # type: ignore[no-untyped-def]
            drawn.append(now)
            return f"cards at {now}", soonest

        return draw

    with app.test_request_context():
        early = soonest - timedelta(minutes=30)
        assert board_cards(vol, early, render(early)) == f"cards at {early}"
        later = early + timedelta(minutes=5)
        assert board_cards(vol, later, render(later)) == f"cards at {early}"  # kept
        started = soonest + timedelta(seconds=1)
        assert board_cards(vol, started, render(started)) == f"cards at {started}"
    assert drawn == [early, started]


def test_the_organisations_window_shortened_shows_at_the_next_view(client, town):
    from webapp.orgs.settings import settings_for

    make_request(town["org"], visit_draft(DAY + timedelta(days=21)), actor=town["coord"])
    db.session.commit()
    _board(client)
    assert len(_cards(_board(client))) == 3  # kept
    settings_for(town["org"].id).horizon_weeks = 1  # the board: up to two weeks ahead
    db.session.commit()
    assert len(_cards(_board(client))) == 2


def test_the_nightly_rebuild_leaves_one_fresh_row_per_volunteer(client, town):
    import sqlalchemy as sa

    from webapp.shifts.board_cache import stamp
    from webapp.shifts.candidates import rebuild
    from webapp.shifts.models import BoardChange

    vol = db.session.get(Person, town["vol"].id)
    _claimed_by_other(town)
    db.session.commit()
    _new_request(town)
    db.session.commit()
    count, last = stamp(vol)
    assert count >= 2
    db.session.add(BoardChange(person_id=999_999))  # a person deleted since (no key)
    db.session.flush()
    rebuild()
    db.session.commit()
    after = stamp(vol)
    assert after[0] == 1 and after[1] is not None and after[1] > (last or 0)
    assert not db.session.scalar(
        sa.select(sa.func.count()).where(BoardChange.person_id == 999_999)
    )
