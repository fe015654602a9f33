"""The volunteer's board and schedule and the coordinator's day and week send a fixed
number of SQL statements, whatever the number of shifts on them (an N+1 guard).

Each test opens the page on a small town, then on one with several times the shifts
(visits and rides, open and booked, in the same proportions) and compares the counts.
(``big <= small``: the identity map of the test's session may spare the second request
a statement). The budgets are today's counts with a little room; raise one only with a
reason.
"""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from tests.factories import (
    ISERNIA,
    PASSWORD,
    make_coordinator,
    make_org,
    make_resident,
    make_user,
    make_volunteer,
)
from tests.helpers import csrf_token, login
from tests.querycount import rows_read
from tests.shifts.builders import make_request, ride_draft, shifts_of, visit_draft
from tests.shifts.page_counts import DAY
from tests.shifts.page_counts import add_town as _add_town
from tests.shifts.page_counts import counts as _counts
from tests.shifts.page_counts import setup_town as _setup
from webapp.auth.models import User
from webapp.extensions import db
from webapp.orgs.models import Organisation
from webapp.shifts import operations as ops
from webapp.shifts.board import open_board
from webapp.shifts.eligibility import conflict
from webapp.shifts.models import Shift, ShiftStatus

S = ShiftStatus


@pytest.fixture(autouse=True)
def _board_drawn_every_time(app, monkeypatch):  # type: ignore[no-untyped-def]
    """These guards are on the board's and the schedule's drawing; kept cards (tests/
    shifts/test_board_cache.py, test_schedule.py) would answer the second view without it."""
    monkeypatch.setitem(app.config, "BOARD_CACHE_ENTRIES", 0)
    monkeypatch.setitem(app.config, "SCHEDULE_CACHE_ENTRIES", 0)


def test_board_statements_do_not_grow_with_the_shifts(client, db_session, count_queries):
    org, vol, coord = _setup(client, as_coordinator=False)
    small, big, detail = _counts(
        client, count_queries, "/shifts/board", lambda: _add_town(org, vol, coord, 6)
    )
    assert big <= small, detail
    assert small <= 8, detail


def _shift_rows_read(client, url: str) -> int:  # type: ignore[no-untyped-def]
    return rows_read(client, url, Shift)[0]


def test_board_reads_the_volunteers_candidates_not_the_town(client, db_session, count_queries):
    """With the candidates table the board reads the shifts the volunteer may serve, not
    every shift near them: far shifts and near ones they cannot serve (a language they
    do not speak) add no rows and no statements, and no per-shift eligibility is loaded."""
    org = make_org()
    coord = make_coordinator(org)
    vol = make_volunteer(org, visits=True, max_km=3, languages=["it"])
    login(client, vol.user.email, PASSWORD)
    org_id, coord_id = org.id, coord.id

    def visits(n: int, km: float, **draft) -> None:  # type: ignore[no-untyped-def]
        # (the rows read are counted on an emptied session: fetch these again)
        org, coord = db.session.get(Organisation, org_id), db.session.get(User, coord_id)
        for i in range(n):
            resident = make_resident(org, lat=ISERNIA[0] + km / 111.0, lon=ISERNIA[1])
            window = [(DAY.weekday(), time(9 + i % 8), time(11 + i % 8))]
            end = DAY + timedelta(weeks=3)
            make_request(org, visit_draft(DAY, recurring=True, end_date=end, windows=window,
                                          accept_clash=True, **draft),
                         resident=resident, actor=coord)  # fmt: skip

    visits(2, 0.5)
    db.session.commit()
    client.get("/shifts/board")
    rows_before = _shift_rows_read(client, "/shifts/board")
    client.get("/shifts/board")
    with count_queries() as before:
        client.get("/shifts/board")
    visits(6, 8.0)  # outside the radius
    visits(6, 0.5, languages=["de"])  # near, but the resident needs German
    assert _shift_rows_read(client, "/shifts/board") == rows_before
    client.get("/shifts/board")
    with count_queries() as after:
        client.get("/shifts/board")
    assert len(after) <= len(before), f"before: {before}\n\nafter: {after}"
    assert any("board_candidate" in q for q in after), after
    profile_reads = ("FROM availability_slot", "FROM credential", "FROM absence")
    assert not [q for q in after if any(t in q for t in profile_reads)], after


def test_claim_statements_and_no_profile_reads(client, db_session, count_queries):
    """A claim reads the volunteer's candidate rows (one indexed read), not their whole
    profile, and sends a fixed number of statements, commit included."""
    org, vol, coord = _setup(client, as_coordinator=False)
    db.session.commit()
    board = open_board(vol)
    ids = [item.first.id for item in board]
    db.session.commit()
    token = csrf_token(client, "/shifts/board")
    with count_queries() as q:
        resp = client.post(f"/shifts/{ids[0]}/claim", data={"csrf_token": token})
    assert resp.status_code == 302, resp.data
    profile_reads = ("FROM availability_slot", "FROM credential", "FROM absence")
    assert not [s for s in q if any(t in s for t in profile_reads)], q
    assert len(q) <= 20, q


def test_schedule_statements_do_not_grow_with_the_shifts(client, db_session, count_queries):
    org, vol, coord = _setup(client, as_coordinator=False)

    def grow() -> None:
        _add_town(org, vol, coord, 4, book=8)

    small, big, detail = _counts(client, count_queries, "/shifts/mine", grow)
    assert big <= small, detail
    # Each view starts from an empty session, as in production (a view that only read
    # commits: webapp/core/transactions.py). The login (with the organisation, the bell's
    # count, the board's stamp, the calendar link and the count of news about shifts:
    # auth/sessions.py), the news (there are some: the approvals) and the shifts, with
    # their requests, residents, the volunteer's seats and check-ins, in one statement
    # (shifts/schedule.py).
    assert small <= 3, detail


def test_checkin_form_statements(client, db_session, count_queries):
    """The check-in form reads the login and the unit's legs, the check that the shift
    is the volunteer's included (shifts/access.my_legs_or_404): no shift, seat or leg
    loaded one by one."""
    org, vol, coord = _setup(client, as_coordinator=False)
    (shift,) = [s for s in db.session.query(Shift) if vol.id in s.volunteer_ids][:1]
    db.session.commit()
    url = f"/shifts/{shift.id}/checkin"
    client.get(url)
    with count_queries() as q:
        assert client.get(url).status_code == 200
    assert len(q) <= 2, q


def test_a_volunteers_profile_comes_with_the_login(client, db_session, count_queries):
    """The menu and the volunteer's pages ask whether they volunteer: the profile (or its
    absence, for a resident) is read with the login (auth/sessions.py), not on its own."""
    _setup(client, as_coordinator=False)
    for url in ("/shifts/mine", "/shifts/board"):
        db.session.commit()
        db.session.expunge_all()  # nothing held from the test's own rows
        with count_queries() as q:
            assert client.get(url).status_code == 200
        assert not [s for s in q if "FROM volunteer_profile" in s], q


def test_the_organisation_comes_with_the_login(client, db_session, count_queries):
    """Most pages need the organisation (its time zone, name, phone): it is read with the
    login, not on its own."""
    _setup(client, as_coordinator=True)
    for url in (f"/shifts/week?start={DAY.isoformat()}", "/desk/"):
        db.session.commit()
        db.session.expunge_all()
        with count_queries() as q:
            assert client.get(url).status_code == 200
        assert not [s for s in q if "FROM organisation " in s and "login_session" not in s], q


def test_coordinator_day_statements_do_not_grow(client, db_session, count_queries):
    org, vol, coord = _setup(client, as_coordinator=True)
    small, big, detail = _counts(
        client,
        count_queries,
        f"/shifts/day?date={DAY.isoformat()}",
        lambda: _add_town(org, vol, coord, 6),
        drawn=True,
    )
    assert big <= small, detail
    assert small <= 9, detail  # (the messages to phone read only when counted)


def test_coordinator_week_statements_do_not_grow(client, db_session, count_queries):
    org, vol, coord = _setup(client, as_coordinator=True)
    small, big, detail = _counts(
        client,
        count_queries,
        f"/shifts/week?start={DAY.isoformat()}",
        lambda: _add_town(org, vol, coord, 6),
        drawn=True,
    )
    assert big <= small, detail
    assert small <= 11, detail


def test_resident_home_statements_do_not_grow(client, db_session, count_queries):
    org = make_org()
    coord = make_coordinator(org)
    vol = make_volunteer(org, driving=True, visits=True)
    resident = make_resident(org)
    make_user(org, person=resident)

    def requests(n: int) -> None:
        for i in range(n):
            end = DAY + timedelta(weeks=3)
            window = [((DAY.weekday() + i) % 7, time(9 + i), time(11 + i))]
            visit = make_request(
                org,
                visit_draft(DAY, recurring=True, end_date=end, windows=window, accept_clash=True),
                resident=resident,
                actor=coord,
            )
            make_request(
                org,
                ride_draft(DAY + timedelta(days=i + 1), accept_clash=True),
                resident=resident,
                actor=coord,
            )
            first = shifts_of(visit)[0]
            if not conflict(vol, [first], 30.0):
                ops.assign(first, vol, coord)

    requests(1)
    login(client, resident.user.email, PASSWORD)
    small, big, detail = _counts(client, count_queries, "/requests/mine", lambda: requests(4))
    assert big <= small, detail
    # The login (with the resident's profile: is she waiting for her check call?), the
    # shifts with their requests' columns, the volunteers coming (requests/upcoming.py).
    assert small <= 3, detail
    db.session.commit()
    db.session.expunge_all()
    with count_queries() as q:
        assert client.get("/requests/mine").status_code == 200
    assert not [s for s in q if "FROM resident_profile" in s], q


def test_organisation_is_read_once_per_request_even_when_nothing_holds_it(
    client, db_session, count_queries
):
    """The identity map keeps a row only while something refers to it: each ``|local``
    of a long page used to read the organisation again (3,700 statements on the city's
    week). The test's own ``org`` would keep it alive, so it is let go of here."""
    org, vol, coord = _setup(client, as_coordinator=True)
    _add_town(org, vol, coord, 3)
    db.session.commit()
    db.session.expunge_all()
    del org, vol, coord
    url = f"/shifts/week?start={DAY.isoformat()}"
    client.get(url)
    with count_queries() as q:
        assert client.get(url).status_code == 200
    reads = [s for s in q if "FROM organisation" in s]
    assert len(reads) <= 1, q
