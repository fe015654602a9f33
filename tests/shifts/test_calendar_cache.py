"""The coordinator's day and week kept rendered (shifts/calendar_cache.py): a second view
with nothing changed reads no shift; every change they show shows at the next view,
whoever made it (here: the test's own session, as another worker or a job would); the
page, filters and language are part of what is kept; what lives outside the kept tables
(the alerts, the approvals ahead) is read at each view."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_coordinator, make_org, make_volunteer
from tests.helpers import login
from tests.querycount import rows_read
from tests.shifts.builders import make_request, next_weekday, ride_draft, shifts_of, visit_draft
from webapp.extensions import db
from webapp.people.models import Person
from webapp.requests.models import Priority
from webapp.shifts import operations as ops
from webapp.shifts.calendar_cache import kept, stamp
from webapp.shifts.models import CalendarChange, CheckIn, Shift

DAY = next_weekday(3, at_least=4)
DAY_URL = f"/shifts/day?date={DAY.isoformat()}"
WEEK_URL = f"/shifts/week?start={DAY.isoformat()}"


@pytest.fixture
def town(client):  # type: ignore[no-untyped-def]
    org = make_org()
    coord = make_coordinator(org)
    vol = make_volunteer(org, visits=True, driving=True, first_name="Vera")
    visit = make_request(org, visit_draft(DAY), actor=coord)
    ride = make_request(org, ride_draft(DAY), actor=coord)
    db.session.commit()
    login(client, coord.email, PASSWORD)
    return {"org": org, "coord": coord, "vol": vol, "visit": visit, "ride": ride}


def _rows(html: str) -> list[str]:
    return re.findall(r'data-shift="(\d+)"', html)


def _page(client, url: str) -> str:  # type: ignore[no-untyped-def]
    """The page without its form tokens (signed with the time: they change each second)."""
    resp = client.get(url)
    assert resp.status_code == 200
    return re.sub(r'name="csrf_token"[^>]*>', "", resp.get_data(as_text=True))


def _drawn_anew(client, url: str) -> str:  # type: ignore[no-untyped-def]
    kept().clear()
    return _page(client, url)


@pytest.mark.parametrize("url", [DAY_URL, WEEK_URL])
def test_a_second_view_with_nothing_changed_reads_no_shift(client, town, url, count_queries):
    read, first = rows_read(client, url, Shift)
    assert read > 0 and len(_rows(first)) == 3
    read, again = rows_read(client, url, Shift)
    assert read == 0
    assert _rows(again) == _rows(first)
    with count_queries() as q:
        _page(client, url)
    # The login (with the bell and the organisation); the page's counts with the stamp
    # that says the kept table is still true (calendar_cache.with_stamp): on the day, the
    # messages to phone counted there too, and read only when there are some.
    assert len(q) <= 2, "\n".join(q)


def _claimed(t) -> None:  # type: ignore[no-untyped-def]
    ops.claim(shifts_of(t["visit"])[0], t["vol"], t["vol"].user)


def _given_back(t) -> None:  # type: ignore[no-untyped-def]
    ops.withdraw(shifts_of(t["visit"])[0], t["vol"], t["vol"].user, "a cold")


def _cancelled(t) -> None:  # type: ignore[no-untyped-def]
    ops.cancel(shifts_of(t["visit"])[0], t["coord"], "in hospital")


def _moved(t) -> None:  # type: ignore[no-untyped-def]
    shift = shifts_of(t["visit"])[0]
    shift.starts_at += timedelta(minutes=35)
    shift.ends_at += timedelta(minutes=35)


def _urgent(t) -> None:  # type: ignore[no-untyped-def]
    t["visit"].priority = Priority.URGENT


def _resident_renamed(t) -> None:  # type: ignore[no-untyped-def]
    db.session.get(Person, t["visit"].resident_id).last_name = "Zappacosta"


def _volunteer_renamed(t) -> None:  # type: ignore[no-untyped-def]
    db.session.get(Person, t["vol"].id).last_name = "Mastrogiacomo"


def _new_request(t) -> None:  # type: ignore[no-untyped-def]
    make_request(t["org"], visit_draft(DAY), actor=t["coord"])


def _new_neighbourhood(t) -> None:  # type: ignore[no-untyped-def]
    shifts_of(t["visit"])[0].neighbourhood = "Borgo Nuovo"


def _other_time_zone(t) -> None:  # type: ignore[no-untyped-def]
    t["org"].timezone = "America/New_York"


# name: (what happened before the page was kept, the change, how the next view shows it)
CHANGES = {
    "claimed": (None, _claimed, lambda b, a: "Vera" in a and "Vera" not in b),
    "given back": (_claimed, _given_back, lambda b, a: "Vera" in b and "Vera" not in a),
    "cancelled": (None, _cancelled, lambda b, a: a.count("status-cancelled") == 1),
    "time moved": (None, _moved, lambda b, a: ":35" in a and ":35" not in b),
    "made urgent": (None, _urgent, lambda b, a: "priority-urgent" in a),
    "resident renamed": (None, _resident_renamed, lambda b, a: "Zappacosta" in a),
    "volunteer renamed": (_claimed, _volunteer_renamed, lambda b, a: "Mastrogiacomo" in a),
    "a new request": (None, _new_request, lambda b, a: len(_rows(a)) == 4),
    # In the table and among the filter's choices (kept with it).
    "a new neighbourhood": (None, _new_neighbourhood, lambda b, a: a.count("Borgo Nuovo") == 2),
    "another time zone": (None, _other_time_zone, lambda b, a: b != a),
}


@pytest.mark.parametrize("url", [DAY_URL, WEEK_URL])
@pytest.mark.parametrize("change", CHANGES)
def test_every_change_shows_at_the_next_view(client, town, change, url):
    before_kept, make, shows = CHANGES[change]
    if before_kept:
        before_kept(town)
        db.session.commit()
    _page(client, url)
    before = _page(client, url)  # kept
    make(town)
    db.session.commit()
    after = _page(client, url)
    assert shows(before, after), after
    assert after == _drawn_anew(client, url)


def test_filters_pages_and_language_are_kept_apart(client, town):
    visits = _page(client, DAY_URL + "&kind=visit")
    rides = _page(client, DAY_URL + "&kind=ride")
    assert len(_rows(visits)) == 1 and len(_rows(rides)) == 2
    assert _rows(_page(client, DAY_URL + "&kind=visit")) == _rows(visits)  # kept
    english = _page(client, WEEK_URL)
    with client.session_transaction() as session:
        session["locale"] = "it"  # as the language switcher sets it
    italian = _page(client, WEEK_URL)
    assert _rows(italian) == _rows(english)
    assert "Visita a domicilio" in italian and "Home visit" not in italian


def test_what_lies_outside_the_kept_tables_is_read_at_each_view(client, town):
    """A volunteer's worried check-in is no change of the tables (no row for the
    organisation) but the alerts' count shows it at once."""
    _page(client, DAY_URL)
    page = _page(client, DAY_URL)  # kept
    assert "<strong>0</strong> alerts" in page
    before = stamp(town["org"].id)
    (shift,) = shifts_of(town["visit"])
    db.session.add(CheckIn(organisation_id=town["org"].id, shift_id=shift.id,
                           volunteer_id=town["vol"].id, mood="low", worried=True))  # fmt: skip
    db.session.commit()
    assert stamp(town["org"].id) == before
    again = _page(client, DAY_URL)
    assert "<strong>1</strong> alerts" in again
    assert _rows(again) == _rows(page)


def test_another_organisations_change_keeps_this_one(client, town):
    before = stamp(town["org"].id)
    other = make_org()
    make_request(other, visit_draft(DAY), actor=make_coordinator(other))
    db.session.commit()
    assert stamp(town["org"].id) == before
    _claimed(town)
    db.session.commit()
    count, last = stamp(town["org"].id)
    assert count > before[0] and last is not None and last > (before[1] or 0)


def test_a_commit_of_more_shifts_than_a_statement_may_name_tells_their_organisations(town):
    """A bulk load (the city's data: 121,671 shifts in one commit) once failed: one
    statement with a parameter per shift, past PostgreSQL's 65,535 (SQLite's 32,766)."""
    from webapp.shifts.calendar_changes import tell

    before = stamp(town["org"].id)
    far = db.session.scalar(sa.select(sa.func.max(Shift.id))) + 70_000
    tell(db.session(), range(far - 70_000, far + 1), [])  # town's shifts among them
    db.session.commit()
    assert stamp(town["org"].id)[0] > before[0]


def test_the_nightly_rebuild_leaves_one_fresh_row_per_organisation(client, town):
    from webapp.shifts.candidates import rebuild

    _claimed(town)
    db.session.commit()
    _new_request(town)
    db.session.commit()
    count, last = stamp(town["org"].id)
    assert count >= 3
    rebuild(db.session(), [town["org"].id])
    db.session.commit()
    assert stamp(town["org"].id)[0] == 1 and stamp(town["org"].id)[1] > last
    orphans = db.session.scalar(
        sa.select(sa.func.count(CalendarChange.id)).where(CalendarChange.organisation_id == -1)
    )
    assert orphans == 0


# --- the desk home's lists of shifts, kept the same way ---------------------------------


def test_the_desk_homes_lists_are_kept_and_show_a_claim_at_once(client, town):
    _page(client, "/desk/")
    first = _page(client, "/desk/")  # kept
    assert "Waiting for your approval" not in first
    _claimed(town)
    db.session.commit()
    after = _page(client, "/desk/")
    assert "Waiting for your approval" in after and "Vera" in after
    assert after == _drawn_anew(client, "/desk/")
    read, again = rows_read(client, "/desk/", Shift)
    assert read == 0 and "Vera" in again  # kept again


def test_the_desk_homes_lists_are_drawn_again_when_their_soonest_claim_starts(
    client, town, monkeypatch
):
    """Waiting for approval is "from now on": a claimed shift leaves the list when it
    starts, with no write; the kept lists go then."""
    import webapp.shifts.calendar_cache as calendar_cache

    _claimed(town)
    db.session.commit()
    start = shifts_of(town["visit"])[0].starts_at
    # Drawn five minutes before it starts: kept until it starts, not for LATEST.
    monkeypatch.setattr(calendar_cache, "utcnow", lambda: start - timedelta(minutes=5))
    assert rows_read(client, "/desk/", Shift)[0] > 0
    assert rows_read(client, "/desk/", Shift)[0] == 0  # kept
    monkeypatch.setattr(calendar_cache, "utcnow", lambda: start - timedelta(minutes=1))
    assert rows_read(client, "/desk/", Shift)[0] == 0  # still kept a minute before
    monkeypatch.setattr(calendar_cache, "utcnow", lambda: start + timedelta(seconds=1))
    assert rows_read(client, "/desk/", Shift)[0] > 0  # drawn again once it started
