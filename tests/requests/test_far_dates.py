"""Issue 14, defect 5 (first half): a date more than a year ahead is asked about once,
and the question shows the whole date, year included, in the reader's language."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident, make_user
from tests.helpers import login, post_form
from tests.shifts.builders import HOSPITAL, add_place, make_request, shifts_of, visit_draft
from webapp.core.dates import reader_date
from webapp.core.errors import FieldError
from webapp.extensions import db
from webapp.requests import occurrences
from webapp.requests.models import Request

FAR = date.today() + timedelta(days=4 * 365)  # 2030 typed for this year


def _count(resident) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(
        sa.select(sa.func.count(Request.id)).where(Request.resident_id == resident.id)
    )


def test_a_ride_typed_years_ahead_asks_once_with_the_full_date(client, app, db_session):
    org = make_org()
    add_place(org, *HOSPITAL)
    maria = make_resident(org)
    assert login(client, make_user(org, person=maria).email, PASSWORD).status_code == 302
    data = {
        "start_date": FAR.isoformat(), "appointment_time": "10:30",
        "destination_name": "Ospedale Veneziale", "destination_address": HOSPITAL[0],
        "purpose": "medical",
    }  # fmt: skip
    resp = post_form(client, "/requests/help/ride", data)
    html = resp.get_data(as_text=True)
    with app.test_request_context():
        spoken = reader_date(FAR)
    assert str(FAR.year) in spoken
    assert f"That is {spoken}, more than a year from now." in html
    assert 'name="confirm_far_date"' in html
    assert _count(maria) == 0
    resp = post_form(client, "/requests/help/ride", dict(data, confirm_far_date="y"))
    assert resp.status_code == 302
    assert _count(maria) == 1


def test_within_a_year_nothing_is_asked(db_session):
    org = make_org()
    coord = make_coordinator(org)
    near = date.today() + timedelta(days=300)
    assert make_request(org, visit_draft(near), actor=coord).id
    with pytest.raises(FieldError) as err:
        make_request(org, visit_draft(date.today() + timedelta(days=400)), actor=coord)
    assert err.value.field == "confirm_far_date"
    assert make_request(
        org, visit_draft(date.today() + timedelta(days=400), confirm_far_date=True), actor=coord
    ).id


def test_a_coordinator_is_asked_too(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    resident = make_resident(org)
    assert login(client, coord.email, PASSWORD).status_code == 302
    data = {
        "resident": resident.id, "kind": "visit", "start_date": FAR.isoformat(),
        "weekdays": [FAR.weekday()], "window_start": "10:00", "window_end": "12:00",
        "duration_minutes": "60", "purpose": "other", "passengers": "1",
    }  # fmt: skip
    resp = post_form(client, "/requests/new", data)
    assert "more than a year from now" in resp.get_data(as_text=True)
    assert _count(resident) == 0
    assert post_form(client, "/requests/new", dict(data, confirm_far_date="y")).status_code == 302
    assert _count(resident) == 1


def test_moving_one_date_years_ahead_asks_once(db_session):
    org = make_org()
    coord = make_coordinator(org)
    (shift,) = shifts_of(make_request(org, visit_draft(), actor=coord))
    with pytest.raises(FieldError) as err:
        occurrences.move_occurrence(shift, FAR, time(10), coord)
    assert err.value.field == "confirm_far_date"
    assert str(FAR.year) in str(err.value.message)
    occurrences.move_occurrence(shift, FAR, time(10), coord, confirm_far_date=True)
    assert shift.occurrence_date == FAR
