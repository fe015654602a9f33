"""One occurrence of a series moved or cancelled; the rest of the series stays."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from tests.factories import PASSWORD, make_coordinator, make_org, make_user, make_volunteer
from tests.helpers import csrf_token, login, notices_to, post_form
from tests.shifts.builders import (
    MON,
    THU,
    make_request,
    next_weekday,
    requests_of,
    ride_draft,
    shifts_of,
    visit_draft,
)
from webapp.core.errors import FieldError
from webapp.core.timeutil import at_local
from webapp.extensions import db
from webapp.orgs.settings import org_tz
from webapp.requests import occurrences
from webapp.requests.models import RequestStatus
from webapp.requests.planning import extend_horizon
from webapp.shifts import operations as ops
from webapp.shifts.models import ShiftStatus

S = ShiftStatus


def _weekly_visit(org, coord, weeks: int = 3):  # type: ignore[no-untyped-def]
    """Every Monday 10:00-12:00 for ``weeks`` weeks (three fit in the planning horizon)."""
    first = next_weekday(MON)
    draft = visit_draft(first, recurring=True, end_date=first + timedelta(weeks=weeks - 1))
    return make_request(org, draft, actor=coord)


def test_moving_one_date_keeps_the_series_and_the_planner_does_not_bring_it_back(db_session):
    org = make_org()
    coord = make_coordinator(org)
    req = _weekly_visit(org, coord)
    before = shifts_of(req)
    assert len(before) == 3
    second = before[1]
    old_day = second.occurrence_date
    new_day = old_day + timedelta(days=3)  # Thursday of that week
    occurrences.move_occurrence(second, new_day, time(15), coord, "doctor in the morning")
    tz = org_tz(org.id)
    assert second.occurrence_date == new_day and second.moved_from == old_day
    assert second.starts_at == at_local(new_day, time(15), tz)
    assert second.ends_at - second.starts_at == timedelta(minutes=60)
    # The other dates did not move, the request is the same and still active.
    assert [s.occurrence_date for s in shifts_of(req)] == [
        before[0].occurrence_date,
        new_day,
        before[2].occurrence_date,
    ]
    assert requests_of(req.resident) == [req] and req.status == RequestStatus.ACTIVE
    assert extend_horizon(org.id) == 0  # the Monday is not made again
    assert "moved to" in second.events[-1].reason and "doctor" in second.events[-1].reason


def test_a_volunteer_still_free_keeps_the_date_and_is_told(db_session):
    org = make_org()
    coord = make_coordinator(org)
    req = _weekly_visit(org, coord)
    vol = make_volunteer(org)  # free every day 08-20
    shift = shifts_of(req)[0]
    ops.assign(shift, vol, coord)
    occurrences.move_occurrence(shift, shift.occurrence_date + timedelta(days=1), time(9), coord)
    assert shift.status == S.APPROVED and shift.volunteer_ids == [vol.id]
    assert [n.kind for n in notices_to(vol)] == ["shift_changed"]


def test_a_volunteer_not_free_at_the_new_time_is_released_and_told(db_session):
    org = make_org()
    coord = make_coordinator(org)
    req = _weekly_visit(org, coord)
    vol = make_volunteer(org)
    shift = shifts_of(req)[0]
    ops.assign(shift, vol, coord)
    occurrences.move_occurrence(shift, shift.occurrence_date, time(20, 30), coord)  # after 20
    assert shift.status == S.OPEN and shift.assignments == []
    (notice,) = notices_to(vol)
    assert notice.kind == "shift_released"


def test_a_ride_moves_both_legs_by_its_appointment(db_session):
    org = make_org()
    coord = make_coordinator(org)
    req = make_request(org, ride_draft(next_weekday(THU)), actor=coord)
    out, back = shifts_of(req)
    gap = back.starts_at - out.ends_at
    new_day = out.occurrence_date + timedelta(days=1)
    occurrences.move_occurrence(back, new_day, time(9, 30), coord)
    out, back = shifts_of(req)
    assert out.ends_at == at_local(new_day, time(9, 30), org_tz(org.id))  # the appointment
    assert back.starts_at - out.ends_at == gap
    assert {out.occurrence_date, back.occurrence_date} == {new_day}
    assert occurrences.current_time([out, back]) == time(9, 30)


@pytest.mark.parametrize(
    ("when", "words"),
    [
        (lambda s: (s.occurrence_date, time(10)), "already has"),
        (lambda s: (s.occurrence_date - timedelta(days=30), time(10)), "in the past"),
        (lambda s: (s.occurrence_date + timedelta(days=7), time(10)), "already has an occ"),
        (lambda s: (None, time(10)), "Give the new date"),
        (lambda s: (s.occurrence_date, None), "Give the new time"),
    ],
)
def test_refused_moves_say_why(db_session, when, words):
    org = make_org()
    coord = make_coordinator(org)
    req = _weekly_visit(org, coord)
    shift = shifts_of(req)[0]
    day, at = when(shift)
    with pytest.raises(FieldError) as err:
        occurrences.move_occurrence(shift, day, at, coord)
    assert words in str(next(iter(err.value.errors.values())))


def test_a_date_the_series_will_have_later_is_refused(db_session):
    """Beyond the planning horizon the series has no shift yet, but it will."""
    org = make_org()
    coord = make_coordinator(org)
    req = _weekly_visit(org, coord, weeks=10)
    shift = shifts_of(req)[0]
    with pytest.raises(FieldError) as err:
        occurrences.move_occurrence(
            shift, shift.occurrence_date + timedelta(weeks=8), time(10), coord
        )
    assert "its own occurrence" in str(err.value.errors["date"])


def test_a_cancelled_date_cannot_be_moved(db_session):
    org = make_org()
    coord = make_coordinator(org)
    req = _weekly_visit(org, coord)
    shift = shifts_of(req)[0]
    ops.cancel(shift, coord, "away")
    with pytest.raises(FieldError):
        occurrences.move_occurrence(shift, shift.occurrence_date, time(15), coord)


# --- through the pages ---------------------------------------------------------------


def test_the_coordinator_moves_and_cancels_one_date_from_the_request_page(client, db_session):
    org = make_org()
    coord = make_coordinator(org, email="c-move@example.org")
    req = _weekly_visit(org, coord)
    db.session.commit()
    login(client, "c-move@example.org", PASSWORD)
    first, second = shifts_of(req)[:2]
    html = client.get(f"/requests/{req.id}").get_data(as_text=True)
    url = f"/requests/{req.id}/occurrences/{first.id}"
    assert url in html
    page = client.get(url).get_data(as_text=True)
    assert 'value="10:00"' in page  # prefilled with its time
    new_day = first.occurrence_date + timedelta(days=2)
    resp = post_form(client, url, {"date": new_day.isoformat(), "time": "16:00"})
    assert resp.status_code == 302 and resp.location == f"/requests/{req.id}"
    assert first.occurrence_date == new_day
    html = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert "moved from" in html
    resp = post_form(
        client,
        f"/requests/{req.id}/occurrences/{second.id}/cancel",
        {"reason": "hospital"},
        page=url,
    )
    assert resp.status_code == 302
    assert second.status == S.CANCELLED
    assert [s.status for s in shifts_of(req)].count(S.OPEN) == 2
    # A bad date comes back next to the field, nothing moved.
    resp = post_form(client, url, {"date": "", "time": "16:00"})
    assert resp.status_code == 200 and "Please fill this in." in resp.get_data(as_text=True)


def test_only_coordinators_of_the_organisation_move_dates(client, db_session):
    org, other = make_org(), make_org()
    coord = make_coordinator(org)
    req = _weekly_visit(org, coord)
    shift = shifts_of(req)[0]
    make_coordinator(other, email="c-other@example.org")
    db.session.commit()
    login(client, "c-other@example.org", PASSWORD)
    token = csrf_token(client)
    url = f"/requests/{req.id}/occurrences/{shift.id}"
    assert client.get(url).status_code == 404
    resp = client.post(url, data={"csrf_token": token, "date": "2030-01-01", "time": "10:00"})
    assert resp.status_code == 404
    client.post("/logout", data={"csrf_token": token})
    vol = make_volunteer(org, with_user=False)
    make_user(org, person=vol, email="v-move@example.org")
    db.session.commit()
    login(client, "v-move@example.org", PASSWORD)
    token = csrf_token(client)
    resp = client.post(url, data={"csrf_token": token, "date": "2030-01-01", "time": "10:00"})
    assert resp.status_code == 403
