"""Issue 14, defect 4: a resident's own bookings are checked against each other. A
resident asking is refused with the clash named; a coordinator is warned with the clash
named and may go ahead knowingly."""

from __future__ import annotations

from datetime import time

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident, make_user
from tests.helpers import login, post_form
from tests.shifts.builders import (
    HOSPITAL,
    add_place,
    in_days,
    make_request,
    ride_draft,
    visit_draft,
)
from webapp.core.errors import FieldError
from webapp.extensions import db
from webapp.requests.models import Request
from webapp.requests.operations import create_request

DAY = in_days(5)


def _morning_visit(org, resident, coord):  # type: ignore[no-untyped-def]
    """The resident's home visit, 10:00-11:00 on DAY."""
    draft = visit_draft(DAY, windows=[(DAY.weekday(), time(10), time(11))])
    return make_request(org, draft, resident=resident, actor=coord)


def _ride(resident) -> dict:  # type: ignore[no-untyped-def]
    """A hospital appointment at 10:40 on DAY: the pickup is during the visit."""
    return {
        "start_date": DAY.isoformat(), "appointment_time": "10:40",
        "destination_name": "Ospedale Veneziale", "destination_address": HOSPITAL[0],
        "purpose": "medical",
    }  # fmt: skip


def _count(resident) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(
        sa.select(sa.func.count(Request.id)).where(Request.resident_id == resident.id)
    )


def test_a_resident_is_refused_a_ride_during_their_own_visit(client, db_session):
    org = make_org()
    add_place(org, *HOSPITAL)
    coord = make_coordinator(org)
    maria = make_resident(org, first_name="Maria")
    _morning_visit(org, maria, coord)
    db.session.commit()
    assert login(client, make_user(org, person=maria).email, PASSWORD).status_code == 302
    resp = post_form(client, "/requests/help/ride", _ride(maria))
    html = resp.get_data(as_text=True)
    assert "You already have a home visit on " in html and "from 10:00 to 11:00" in html
    assert 'id="appointment_time-error"' in html
    assert _count(maria) == 1
    # The afternoon is free: accepted.
    later = dict(_ride(maria), appointment_time="15:30")
    assert post_form(client, "/requests/help/ride", later).status_code == 302
    assert _count(maria) == 2


def test_a_coordinator_is_warned_with_the_clash_named_and_may_go_ahead(client, db_session):
    org = make_org()
    add_place(org, *HOSPITAL)
    coord = make_coordinator(org)
    maria = make_resident(org, first_name="Maria", last_name="Rossi")
    _morning_visit(org, maria, coord)
    db.session.commit()
    assert login(client, coord.email, PASSWORD).status_code == 302
    data = dict(
        _ride(maria),
        resident=maria.id,
        kind="ride",
        passengers="1",
        pickup_address="",
        duration_minutes="60",
    )
    resp = post_form(client, "/requests/new", data)
    html = resp.get_data(as_text=True)
    assert "Maria Rossi already has a home visit on " in html
    assert "from 10:00 to 11:00, which overlaps this booking" in html
    assert 'name="accept_clash"' in html
    assert _count(maria) == 1
    resp = post_form(client, "/requests/new", dict(data, accept_clash="y"))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert _count(maria) == 2


def test_the_rule_in_the_operation_itself(db_session):
    org = make_org()
    add_place(org, *HOSPITAL)
    coord = make_coordinator(org)
    maria = make_resident(org)
    _morning_visit(org, maria, coord)
    user = make_user(org, person=maria)
    ride = ride_draft(DAY, appointment_time=time(10, 40))
    with pytest.raises(FieldError) as err:
        create_request(maria, ride, user)
    assert err.value.field == "appointment_time"
    with pytest.raises(FieldError) as err:
        create_request(maria, ride, coord)
    assert err.value.field == "accept_clash"
    ride.accept_clash = True
    assert create_request(maria, ride, coord).id
    # Another resident's visit at the same time is no clash.
    assert create_request(make_resident(org), ride_draft(DAY, appointment_time=time(10, 40)), coord)
