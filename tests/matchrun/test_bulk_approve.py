"""Issue 14, defect 1: a bulk approval acts on exactly what its label says, and more than
a handful of shifts in one click shows the count and asks once."""

from __future__ import annotations

from tests.helpers import post_form
from tests.matchrun.scenario import more_visits, small_org, start_run
from tests.shifts.builders import shifts_of
from webapp.extensions import db
from webapp.shifts.models import ShiftStatus


def _decide(client, run, data, **kw):  # type: ignore[no-untyped-def]
    return post_form(
        client, f"/match/runs/{run.id}/decide", data, page=f"/match/runs/{run.id}", **kw
    )


def test_approve_all_under_rides_approves_the_rides_only(client, inline):
    o = small_org(with_rides=True)
    out, back = shifts_of(o.requests["ride"])
    run = start_run(client, o.coordinator, o.monday, "both")
    assert run.results["visits"]["proposals"] and run.results["rides"]["proposals"]
    html = client.get(f"/match/runs/{run.id}").get_data(as_text=True)
    assert "Approve all rides" in html and "Approve all home visits" in html
    resp = _decide(client, run, {"action": "approve_all", "part": "rides"}, follow_redirects=True)
    assert "1 proposals approved" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert out.status == back.status == ShiftStatus.APPROVED
    assert all(v.status == ShiftStatus.OPEN for v in o.visits.values())


def test_approve_all_without_saying_which_part_approves_nothing(client, inline):
    o = small_org(with_rides=True)
    run = start_run(client, o.coordinator, o.monday, "both")
    resp = _decide(client, run, {"action": "approve_all"}, follow_redirects=True)
    assert "Please use the button under the part you want to approve." in resp.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert all(v.status == ShiftStatus.OPEN for v in o.visits.values())


def test_more_than_a_handful_shows_the_count_and_asks_once(client, inline):
    o = small_org(with_rides=True)
    more_visits(o, 3)
    out, _back = shifts_of(o.requests["ride"])
    run = start_run(client, o.coordinator, o.monday, "both")
    visits = [p["shift_id"] for p in run.results["visits"]["proposals"]]
    assert len(visits) > 5
    resp = _decide(client, run, {"action": "approve_all", "part": "visits"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert f"Approve {len(visits)} proposals?" in html
    assert "Only the Home visits part of this run." in html
    assert 'name="confirmed" value="1"' in html
    db.session.expire_all()
    assert all(v.status == ShiftStatus.OPEN for v in o.visits.values())  # asked, not done
    # "Yes" posts the listed shifts again, confirmed: exactly those are approved.
    data = {"action": "approve", "shift_id": visits, "confirmed": "1"}
    resp = _decide(client, run, data, follow_redirects=True)
    assert f"{len(visits)} proposals approved" in resp.get_data(as_text=True)
    db.session.expire_all()
    approved = {sid for sid, d in run.decisions.items() if d == "approved"}
    assert approved == {str(s) for s in visits}
    assert out.status == ShiftStatus.OPEN  # the ride was not part of it


def test_approve_selected_of_many_asks_too(client, inline):
    o = small_org()
    more_visits(o, 3)
    run = start_run(client, o.coordinator, o.monday, "visits")
    visits = [p["shift_id"] for p in run.results["visits"]["proposals"]]
    resp = _decide(client, run, {"action": "approve", "shift_id": visits})
    assert f"Approve {len(visits)} proposals?" in resp.get_data(as_text=True)
    small = _decide(client, run, {"action": "approve", "shift_id": visits[:2]})
    assert small.status_code == 302  # a handful or fewer: done at once
