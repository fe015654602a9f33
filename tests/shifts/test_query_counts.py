"""The volunteer's board and schedule and the coordinator's day and week send a fixed
number of SQL statements, whatever the number of shifts on them (an N+1 guard).

Each test opens the page on a small town, then on one with several times the shifts
(visits and rides, open and booked, in the same proportions) and compares the counts.
(``big <= small``: the identity map of the test's session may spare the second request
a statement). The budgets are today's counts with a little room; raise one only with a
reason.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from tests.desk.waiting import fill_desk
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
from tests.shifts.builders import make_request, next_weekday, ride_draft, shifts_of, visit_draft
from webapp.auth.models import User
from webapp.db import utcnow
from webapp.desk.models import Contact, Outcome
from webapp.extensions import db
from webapp.orgs.models import Organisation
from webapp.shifts import operations as ops
from webapp.shifts.board import open_board
from webapp.shifts.calendar_cache import kept
from webapp.shifts.eligibility import conflict
from webapp.shifts.legs import group_of
from webapp.shifts.models import Shift, ShiftStatus
from webapp.timebank import operations as ledger
from webapp.timebank.tokens import create_token

S = ShiftStatus


@pytest.fixture(autouse=True)
def _board_drawn_every_time(app, monkeypatch):  # type: ignore[no-untyped-def]
    """These guards are on the board's and the schedule's drawing; kept cards (tests/
    shifts/test_board_cache.py, test_schedule.py) would answer the second view without it."""
    monkeypatch.setitem(app.config, "BOARD_CACHE_ENTRIES", 0)
    monkeypatch.setitem(app.config, "SCHEDULE_CACHE_ENTRIES", 0)


DAY = next_weekday(2, at_least=4)  # a Wednesday, past the booking notice


def _add_town(org, vol, coord, n: int, book: int = 0) -> None:  # type: ignore[no-untyped-def]
    """``n`` weekly visits and ``n`` weekly rides with a return near ``vol``; ``book``
    of their shifts approved for ``vol`` (those that do not clash), the rest open."""
    for i in range(n):
        resident = make_resident(org, neighbourhood=f"Quartiere {i % 3}")
        visit = make_request(
            org,
            visit_draft(
                DAY,
                recurring=True,
                end_date=DAY + timedelta(weeks=3),
                windows=[(DAY.weekday(), time(9 + i % 8), time(11 + i % 8))],
                accept_clash=True,
            ),
            resident=resident,
            actor=coord,
        )
        ride = make_request(
            org,
            ride_draft(DAY, recurring=True, end_date=DAY + timedelta(weeks=3), accept_clash=True),
            resident=resident,
            actor=coord,
        )
        for shift in [*shifts_of(visit), *shifts_of(ride)[::2]]:
            if book > 0 and not conflict(vol, group_of(shift), 30.0):
                ops.assign(shift, vol, coord)
                book -= 1
    db.session.flush()


def _counts(client, count_queries, url: str, grow, drawn: bool = False) -> tuple[int, int, str]:  # type: ignore[no-untyped-def]
    """Statements of a view of ``url`` before and after ``grow()``; ``drawn``: with the
    coordinator's kept tables forgotten first, so the drawing is what is counted."""
    client.get(url)  # warm: the first request of a session loads what every page needs
    if drawn:
        kept().clear()
    with count_queries() as small:
        assert client.get(url).status_code == 200
    grow()
    # The change commits first, as it would in its own request: the board's candidates
    # are settled by the writer's commit, not by the page that reads them. The commit
    # expires what the session held, so the page is warmed again as before the first count.
    db.session.commit()
    client.get(url)
    if drawn:
        kept().clear()
    with count_queries() as big:
        assert client.get(url).status_code == 200
    return len(small), len(big), f"small: {small}\n\nbig: {big}"


def _setup(client, as_coordinator: bool):  # type: ignore[no-untyped-def]
    org = make_org()
    coord = make_coordinator(org)
    vol = make_volunteer(org, driving=True, visits=True)
    _add_town(org, vol, coord, 2, book=2)
    login(client, (coord if as_coordinator else vol.user).email, PASSWORD)
    return org, vol, coord


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
    # count and the board's stamp: auth/sessions.py), the calendar link, the news (the
    # bell rings: the approvals) and the shifts, with their requests, residents, the
    # volunteer's seats and check-ins, in one statement (shifts/schedule.py).
    assert small <= 4, detail


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
    assert small <= 11, detail


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


def test_desk_todo_list_statements_do_not_grow(client, db_session, count_queries):
    org, vol, coord = _setup(client, as_coordinator=True)
    small, big, detail = _counts(
        client, count_queries, "/desk/todo?list=unfilled", lambda: _add_town(org, vol, coord, 6)
    )
    assert big <= small, detail
    assert small <= 3, detail


def _ledger(person, n: int) -> None:  # type: ignore[no-untyped-def]
    """``n`` grants to ``person`` and ``n`` donations from them to as many members."""
    today = date.today()
    for _i in range(n):
        other = make_resident(person.organisation)
        key = f"q{other.id}"
        ledger.grant(key=f"{key}-in", recipient=person, minutes=30, actor_id=None,
                     service_date=today, reason="welcome")  # fmt: skip
        ledger.donate(key=f"{key}-out", donor=person, recipient=other, minutes=10,
                      actor_id=None, service_date=today)  # fmt: skip
    db.session.flush()


def test_time_bank_statement_statements_do_not_grow(client, db_session, count_queries):
    """The member's page and the API's statement read a page of the ledger, whatever its
    length (the whole year was read, and each counterpart's person one by one)."""
    org = make_org()
    resident = make_resident(org)
    user = make_user(org, person=resident)
    _ledger(resident, 2)
    _row, secret = create_token(user, "phone")
    login(client, user.email, PASSWORD)
    small, big, detail = _counts(client, count_queries, "/timebank/", lambda: _ledger(resident, 30))
    assert big <= small, detail
    # The login; the account with its figures, the statement's length and whether there
    # are tokens; the page of lines; the give-to list; the tokens (this member has one).
    assert small <= 5, detail
    auth = {"Authorization": f"Bearer {secret}"}
    app = client.application.test_client()  # as the phone's app calls it: no session
    for url in ("/api/v1/me/statement", "/api/v1/me/balance"):
        app.get(url, headers=auth)  # warm, as above
        with count_queries() as before:
            assert app.get(url, headers=auth).status_code == 200
        _ledger(resident, 30)
        db.session.commit()
        with count_queries() as after:
            assert app.get(url, headers=auth).status_code == 200
        # The token with its user and person; the account's figures or page of lines.
        assert len(after) <= len(before) <= 2, f"{before}\n\n{after}"


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
