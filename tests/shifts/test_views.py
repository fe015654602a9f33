from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident, make_volunteer
from tests.helpers import login, post_form
from tests.shifts.builders import in_days, make_request, ride_draft, shifts_of, visit_draft
from webapp.db import utcnow
from webapp.desk.models import Alert
from webapp.extensions import db
from webapp.people.models import VolunteerStatus
from webapp.shifts.models import CheckIn, ShiftStatus

S = ShiftStatus


def _login(client, user):  # type: ignore[no-untyped-def]
    assert login(client, user.email, PASSWORD).status_code == 302


def test_board_shows_neighbourhood_not_address_then_claim(client, db_session):
    org = make_org()
    resident = make_resident(
        org, address="Via Segreta 9", phone="+39 0865 999", neighbourhood="San Pietro"
    )
    req = make_request(org, visit_draft(), resident=resident)
    (shift,) = shifts_of(req)
    vol = make_volunteer(org)
    _login(client, vol.user)
    html = client.get("/shifts/board").get_data(as_text=True)
    assert "San Pietro" in html and "Via Segreta" not in html and "0865 999" not in html
    resp = post_form(client, f"/shifts/{shift.id}/claim", {}, page="/shifts/board",
                     follow_redirects=True)  # fmt: skip
    html = resp.get_data(as_text=True)
    assert "coordinator will confirm" in html
    assert "Via Segreta" not in html  # claimed, not yet approved
    db.session.refresh(shift)
    assert shift.status == S.CLAIMED


def test_ineligible_volunteer_does_not_see_and_cannot_claim(client, db_session):
    org = make_org()
    (shift,) = shifts_of(make_request(org, visit_draft()))
    vol = make_volunteer(org, status=VolunteerStatus.SUSPENDED)
    _login(client, vol.user)
    html = client.get("/shifts/board").get_data(as_text=True)
    assert f'data-shift="{shift.id}"' not in html
    resp = post_form(client, f"/shifts/{shift.id}/claim", {}, page="/shifts/board",
                     follow_redirects=True)  # fmt: skip
    assert "suspended" in resp.get_data(as_text=True)
    db.session.refresh(shift)
    assert shift.status == S.OPEN


def test_other_org_shift_is_404(client, db_session):
    org, other = make_org(), make_org()
    (shift,) = shifts_of(make_request(other, visit_draft()))
    vol = make_volunteer(org)
    _login(client, vol.user)
    resp = post_form(client, f"/shifts/{shift.id}/claim", {}, page="/shifts/board")
    assert resp.status_code == 404


def test_schedule_reveals_after_approval_and_feed(client, db_session):
    from webapp.shifts import operations as ops

    org = make_org()
    coord = make_coordinator(org)
    resident = make_resident(org, address="Via Segreta 9", phone="+39 0865 999")
    resident.resident.health_notes = "diabetes"
    (shift,) = shifts_of(make_request(org, visit_draft(notes="Ring twice"), resident=resident))
    vol = make_volunteer(org)
    ops.assign(shift, vol, coord)
    _login(client, vol.user)
    html = client.get("/shifts/mine").get_data(as_text=True)
    assert "Via Segreta 9" in html and "+39 0865 999" in html and "Ring twice" in html
    assert "openstreetmap.org/directions?to=" in html
    assert "diabetes" not in html
    resp = post_form(client, f"/shifts/{shift.id}/confirm", {}, page="/shifts/mine")
    assert resp.status_code == 302
    db.session.refresh(shift)
    assert shift.status == S.CONFIRMED
    token = db.session.query(__import__("webapp.shifts.models", fromlist=["x"]).CalendarToken).one()
    post_form(client, "/logout", {}, page="/shifts/mine")  # the feed needs no login
    body = client.get(f"/shifts/calendar/{token.token}.ics")
    assert body.mimetype == "text/calendar"
    cal = Calendar.from_ical(body.data)
    (event,) = [c for c in cal.walk("VEVENT")]
    assert "Via Segreta 9" in str(event["location"])
    assert event.decoded("dtstart") == shift.starts_at
    assert client.get("/shifts/calendar/wrong.ics").status_code == 404


def test_confirm_is_offered_only_to_the_visitor_who_has_not_confirmed(client, db_session):
    """Two visitors on one approved visit: once one confirms, the visit stays approved
    (it waits for the other), and only the other is still asked to confirm."""
    from webapp.shifts import operations as ops

    org = make_org()
    coord = make_coordinator(org)
    (shift,) = shifts_of(make_request(org, visit_draft()))
    shift.seats = 2
    first, second = make_volunteer(org), make_volunteer(org)
    ops.assign(shift, first, coord)
    ops.assign(shift, second, coord)
    ops.confirm(shift, first, first.user)
    db.session.flush()
    assert shift.status == S.APPROVED
    confirm_form = f'action="/shifts/{shift.id}/confirm"'
    for vol, offered in ((first, False), (second, True)):
        _login(client, vol.user)
        html = client.get("/shifts/mine").get_data(as_text=True)
        assert f'data-shift="{shift.id}"' in html
        assert (confirm_form in html) is offered, vol
        post_form(client, "/logout", {}, page="/shifts/mine")


def test_schedule_lists_held_shifts_of_two_weeks_and_finished_ones_of_two_days(
    client, db_session
):
    from webapp.shifts import operations as ops

    org = make_org()
    coord = make_coordinator(org)
    vol, other = make_volunteer(org), make_volunteer(org)
    # (status, days since it ended, whose): listed on vol's schedule?
    cases = [
        (S.APPROVED, -3, vol, True),
        (S.CLAIMED, 13, vol, True),
        (S.CONFIRMED, 15, vol, False),
        (S.COMPLETED, 1, vol, True),
        (S.COMPLETED, 3, vol, False),
        (S.CANCELLED, 1, vol, False),
        (S.APPROVED, -3, other, False),
    ]
    shifts = []
    for i, (status, ended, who, _) in enumerate(cases):
        (shift,) = shifts_of(make_request(org, visit_draft(in_days(5 + i))))
        ops.assign(shift, who, coord)
        shift.status = status
        shift.ends_at = utcnow() - timedelta(days=ended)
        shift.starts_at = shift.ends_at - timedelta(hours=1)
        shifts.append(shift)
    db.session.flush()
    _login(client, vol.user)
    html = client.get("/shifts/mine").get_data(as_text=True)
    listed = [f'data-shift="{s.id}"' in html for s in shifts]
    assert listed == [case[3] for case in cases]


def test_schedule_asks_for_a_check_in_only_on_finished_shifts_without_one(
    app, client, db_session, count_queries, monkeypatch
):
    from webapp.shifts import operations as ops

    monkeypatch.setitem(app.config, "SCHEDULE_CACHE_ENTRIES", 0)  # each view drawn
    org = make_org()
    coord = make_coordinator(org)
    vol = make_volunteer(org)
    (upcoming,) = shifts_of(make_request(org, visit_draft(in_days(5))))
    ops.assign(upcoming, vol, coord)
    db.session.flush()
    _login(client, vol.user)
    client.get("/shifts/mine")
    with count_queries() as q:
        html = client.get("/shifts/mine").get_data(as_text=True)
    assert "/checkin" not in html
    # Whether a listed shift was logged is read with the shifts (shifts/schedule.py),
    # not by a statement of its own (once: all the volunteer's check-ins of the year).
    assert not [s for s in q if s.lstrip().startswith("SELECT check_in")], q
    done = []
    for i in range(2):
        (shift,) = shifts_of(make_request(org, visit_draft(in_days(6 + i))))
        ops.assign(shift, vol, coord)
        shift.status = S.COMPLETED
        shift.ends_at = utcnow() - timedelta(hours=2 + i * 3)
        shift.starts_at = shift.ends_at - timedelta(hours=1)
        done.append(shift)
    db.session.add(
        CheckIn(organisation_id=org.id, shift_id=done[1].id, volunteer_id=vol.id, mood="good")
    )
    db.session.flush()
    html = client.get("/shifts/mine").get_data(as_text=True)
    assert f'href="/shifts/{done[0].id}/checkin"' in html
    assert f'data-shift="{done[1].id}"' in html and f"/shifts/{done[1].id}/checkin" not in html


def test_checkin_with_worry_reaches_alerts(client, db_session):
    from webapp.shifts import operations as ops

    org = make_org()
    coord = make_coordinator(org)
    (shift,) = shifts_of(make_request(org, visit_draft()))
    vol = make_volunteer(org)
    ops.assign(shift, vol, coord)
    shift.starts_at = utcnow() - timedelta(hours=2)
    shift.ends_at = utcnow() - timedelta(hours=1)
    db.session.flush()
    _login(client, vol.user)
    url = f"/shifts/{shift.id}/checkin"
    resp = post_form(client, url, {"mood": "low", "worried": "y", "note": ""})
    assert "what worries you" in resp.get_data(as_text=True)
    resp = post_form(client, url, {"mood": "low", "worried": "y", "note": "No heating",
                                   "actual_start": "10:05", "actual_end": "11:10"})  # fmt: skip
    assert resp.status_code == 302
    db.session.refresh(shift)
    assert shift.status == S.COMPLETED
    entry = db.session.query(CheckIn).one()
    assert entry.worried and entry.note == "No heating"
    post_form(client, "/logout", {}, page="/shifts/mine")
    _login(client, coord)
    html = client.get("/desk/alerts").get_data(as_text=True)
    assert "No heating" in html
    (alert,) = db.session.query(Alert).all()  # the desk's alert (tests/desk has the rest)
    resp = post_form(client, f"/desk/alerts/{alert.id}/handled", {"outcome": "Called"},
                     page="/desk/alerts")  # fmt: skip
    assert "No heating" not in client.get("/desk/alerts").get_data(as_text=True)


def test_coordinator_day_week_manage_assign_runsheet(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    req = make_request(org, ride_draft(wheelchair=True), actor=coord)
    out, back = shifts_of(req)
    driver = make_volunteer(org, driving=True, visits=False, wheelchair=True, first_name="Guido")
    plain = make_volunteer(org, driving=True, visits=False, first_name="Piero")
    _login(client, coord)
    day = out.occurrence_date.isoformat()
    html = client.get(f"/shifts/day?date={day}").get_data(as_text=True)
    assert f'data-shift="{out.id}"' in html and f'data-shift="{back.id}"' in html
    html = client.get(f"/shifts/day?date={day}&kind=visit").get_data(as_text=True)
    assert f'data-shift="{out.id}"' not in html
    assert client.get(f"/shifts/week?start={day}").status_code == 200
    html = client.get(f"/shifts/{out.id}/manage").get_data(as_text=True)
    assert "wheelchair-accessible car" in html  # why Piero cannot
    resp = post_form(client, f"/shifts/{out.id}/assign", {"volunteer": plain.id, "replace": 0},
                     page=f"/shifts/{out.id}/manage", follow_redirects=True)  # fmt: skip
    assert "wheelchair-accessible" in resp.get_data(as_text=True)
    resp = post_form(client, f"/shifts/{out.id}/assign", {"volunteer": driver.id, "replace": 0},
                     page=f"/shifts/{out.id}/manage")  # fmt: skip
    assert resp.status_code == 302
    db.session.refresh(out)
    db.session.refresh(back)
    assert out.status == back.status == S.APPROVED
    html = client.get(f"/shifts/runsheet/{driver.id}?date={day}").get_data(as_text=True)
    assert html.index("Ride there") < html.index("Ride back")
    assert "Wheelchair" in html and "@media print" not in html
    post_form(client, f"/shifts/{out.id}/cancel", {"reason": "hospital closed", "confirmed": "1"},
              page=f"/shifts/{out.id}/manage")  # fmt: skip
    db.session.refresh(back)
    assert back.status == S.CANCELLED and back.cancel_reason == "hospital closed"


@pytest.mark.parametrize("url", ["/shifts/day", "/shifts/week", "/desk/alerts"])
def test_coordinator_pages_are_forbidden_to_volunteers(client, db_session, url):
    org = make_org()
    vol = make_volunteer(org)
    _login(client, vol.user)
    assert client.get(url).status_code == 403
