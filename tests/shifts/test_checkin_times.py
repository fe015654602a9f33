"""Issue 14, defect 2: logged times must be plausible against the planned shift; beyond
the organisation's tolerance the hours wait for a coordinator, then are paid once."""

from __future__ import annotations

from datetime import date, time, timedelta

import sqlalchemy as sa

from tests.factories import PASSWORD, make_coordinator, make_org, make_volunteer
from tests.helpers import login, post_form
from tests.shifts.builders import make_request, ride_draft, shifts_of, visit_draft
from webapp.core.timeutil import at_local
from webapp.extensions import db
from webapp.orgs.settings import org_tz, settings_for
from webapp.shifts import operations as ops
from webapp.shifts.models import Assignment, ShiftStatus
from webapp.timebank.models import Transfer

YESTERDAY = date.today() - timedelta(days=1)


def _booked_yesterday(kind: str = "visit", org=None, coord=None):  # type: ignore[no-untyped-def]
    """A visit (10:00-11:00) or ride yesterday, approved for one volunteer."""
    org = org or make_org()
    coord = coord or make_coordinator(org)
    draft = visit_draft() if kind == "visit" else ride_draft()
    legs = shifts_of(make_request(org, draft, actor=coord))
    vol = make_volunteer(org, driving=True)
    ops.assign(legs[0], vol, coord)
    tz = org_tz(org.id)
    start = at_local(YESTERDAY, time(10), tz)
    for i, leg in enumerate(legs):
        length = leg.ends_at - leg.starts_at
        leg.starts_at = start + timedelta(hours=3 * i)
        leg.ends_at = leg.starts_at + length
        leg.occurrence_date = YESTERDAY
    db.session.commit()
    return org, coord, vol, legs


def _paid(shift_id: int) -> list[int]:
    return list(db.session.scalars(sa.select(Transfer.amount).where(Transfer.shift_id == shift_id)))


def _check_in(client, vol, shift, start: str, end: str):  # type: ignore[no-untyped-def]
    assert login(client, vol.user.email, PASSWORD).status_code == 302
    return post_form(
        client,
        f"/shifts/{shift.id}/checkin",
        {"mood": "good", "actual_start": start, "actual_end": end},
        follow_redirects=True,
    )


def test_plausible_times_are_paid_at_once(client, db_session):
    _org, _coord, vol, (visit,) = _booked_yesterday()
    html = _check_in(client, vol, visit, "10:10", "11:25").get_data(as_text=True)
    assert "Thank you for your note." in html and "a coordinator will check" not in html
    assert _paid(visit.id) == [75]


def test_a_whole_day_logged_for_a_visit_is_held_for_a_coordinator(client, db_session):
    org, coord, vol, (visit,) = _booked_yesterday()
    html = _check_in(client, vol, visit, "00:00", "23:59").get_data(as_text=True)
    assert "a coordinator will check them before your hours are credited" in html
    db.session.expire_all()
    assert visit.status == ShiftStatus.COMPLETED  # done, but not paid
    assert _paid(visit.id) == []
    seat = db.session.scalar(sa.select(Assignment).where(Assignment.shift_id == visit.id))
    assert seat.times_held
    # The coordinator sees it, with both times, and puts the planned times back.
    client = client.application.test_client()
    login(client, coord.email, PASSWORD)
    desk = client.get("/desk/").get_data(as_text=True)
    assert "Logged times to check before the hours are paid" in desk  # on the to-do list
    page = client.get("/shifts/times-to-check").get_data(as_text=True)
    assert f'data-shift="{visit.id}"' in page and "00:00–23:59" in page and "10:00–11:00" in page
    resp = post_form(
        client,
        f"/shifts/{visit.id}/times",
        {"keep": "planned"},
        page="/shifts/times-to-check",
        follow_redirects=True,
    )
    assert "the hours are credited" in resp.get_data(as_text=True)
    assert _paid(visit.id) == [60]
    # Asked again (a double click): refused, and the ledger still pays once.
    resp = post_form(
        client,
        f"/shifts/{visit.id}/times",
        {"keep": "logged"},
        page="/shifts/times-to-check",
        follow_redirects=True,
    )
    assert "not waiting for a confirmation" in resp.get_data(as_text=True)
    assert _paid(visit.id) == [60]
    assert f'data-shift="{visit.id}"' not in client.get("/shifts/times-to-check").get_data(
        as_text=True
    )


def test_a_ride_logged_far_too_long_is_held_and_the_logged_times_can_be_kept(client, db_session):
    org, coord, vol, legs = _booked_yesterday("ride")
    out, back = legs
    planned = round((back.ends_at - out.starts_at).total_seconds() / 60)
    ops.complete(
        out,
        coord,
        actual_start=out.starts_at,
        actual_end=back.ends_at + timedelta(minutes=planned + 30),
    )  # more than twice the planned time, door to door
    db.session.commit()
    assert _paid(out.id) == []
    login(client, coord.email, PASSWORD)
    post_form(client, f"/shifts/{out.id}/times", {"keep": "logged"}, page="/shifts/times-to-check")
    assert _paid(out.id) == [2 * planned + 30]


def test_the_tolerance_is_the_organisations_choice(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    assert (
        settings_for(org.id).checkin_tolerance_min,
        settings_for(org.id).checkin_max_factor,
    ) == (60, 2.0)
    db.session.commit()
    login(client, coord.email, PASSWORD)
    resp = post_form(
        client,
        "/requests/settings",
        {
            "min_notice_days": 2,
            "horizon_weeks": 4,
            "travel_speed_kmh": 30,
            "checkin_tolerance_min": 10,
            "checkin_max_factor": "1.5",
            "check_online_residents": "y",
        },
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert settings_for(org.id).checkin_tolerance_min == 10
    _org, _coord, _vol, (visit,) = _booked_yesterday(org=org, coord=coord)
    ops.complete(
        visit, coord, actual_start=visit.starts_at, actual_end=visit.ends_at + timedelta(minutes=20)
    )
    db.session.commit()
    assert _paid(visit.id) == []  # 20 minutes late is beyond this organisation's 10
    bad = post_form(
        client,
        "/requests/settings",
        {
            "min_notice_days": 2,
            "horizon_weeks": 4,
            "travel_speed_kmh": 30,
            "checkin_tolerance_min": -5,
            "checkin_max_factor": "0.5",
        },
    )
    assert bad.status_code == 200 and "checkin_tolerance_min-error" in bad.get_data(as_text=True)


def _booked_across_midnight(client):  # type: ignore[no-untyped-def]
    """A visit planned yesterday 23:30 to today 00:30 (the organisation's time)."""
    org, _coord, vol, (visit,) = _booked_yesterday()
    tz = org_tz(org.id)
    visit.starts_at = at_local(YESTERDAY, time(23, 30), tz)
    visit.ends_at = visit.starts_at + timedelta(hours=1)
    db.session.commit()
    return vol, visit


def test_a_visit_past_midnight_is_logged_with_its_end_on_the_next_day(client, db_session):
    vol, visit = _booked_across_midnight(client)
    html = _check_in(client, vol, visit, "23:35", "00:40").get_data(as_text=True)
    assert "Thank you for your note." in html, html
    (seat,) = db.session.scalars(sa.select(Assignment).where(Assignment.shift_id == visit.id))
    assert seat.actual_end - seat.actual_start == timedelta(minutes=65)
    assert _paid(visit.id) == [65]


def test_an_end_before_the_start_is_refused_on_a_day_visit(client, db_session):
    _org, _coord, vol, (visit,) = _booked_yesterday()
    html = _check_in(client, vol, visit, "10:10", "09:40").get_data(as_text=True)
    assert "The end must be after the start." in html
    assert _paid(visit.id) == []
