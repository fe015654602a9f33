"""Role x state: who may see which field of a shift (volunteers never see health notes)."""

from __future__ import annotations

import pytest

from tests.factories import (
    PASSWORD,
    make_coordinator,
    make_org,
    make_resident,
    make_user,
    make_volunteer,
)
from tests.helpers import login
from tests.shifts.builders import make_request, shifts_of, visit_draft
from webapp.extensions import db
from webapp.shifts.models import Assignment, ShiftStatus
from webapp.shifts.presenters import visible_fields

S = ShiftStatus
STATES = [S.OPEN, S.CLAIMED, S.PROPOSED, S.APPROVED, S.CONFIRMED, S.COMPLETED, S.CANCELLED]
REVEALED = {S.APPROVED, S.CONFIRMED}


@pytest.fixture
def world(db_session):  # type: ignore[no-untyped-def]
    org = make_org()
    resident = make_resident(org, address="Via Segreta 9", phone="+39 0865 4242")
    resident.resident.health_notes = "insulin at noon"
    (shift,) = shifts_of(make_request(org, visit_draft(notes="Ring twice"), resident=resident))
    mine = make_volunteer(org)
    db.session.add(Assignment(shift=shift, volunteer_id=mine.id, seat=1))
    other_org = make_org()
    users = {
        "coordinator": make_coordinator(org),
        "assigned volunteer": mine.user,
        "other volunteer": make_volunteer(org).user,
        "resident": make_user(org, person=resident),
        "other org coordinator": make_coordinator(other_org),
    }
    db.session.flush()
    return shift, users


@pytest.mark.parametrize("status", STATES)
@pytest.mark.parametrize(
    "role",
    ["coordinator", "assigned volunteer", "other volunteer", "resident", "other org coordinator"],
)
def test_visible_fields(world, role, status):
    shift, users = world
    shift.status = status
    fields = visible_fields(shift, users[role])
    if role == "other org coordinator":
        assert fields == frozenset()
        return
    assert ("health_notes" in fields) == (role == "coordinator")
    expect_address = role == "coordinator" or (role == "assigned volunteer" and status in REVEALED)
    assert ("address" in fields) == expect_address
    assert ("phone" in fields) == expect_address
    if role == "resident":
        assert "volunteer_first_names" in fields


@pytest.mark.parametrize("status", STATES)
def test_schedule_page_reveals_address_only_once_approved(client, world, status):
    shift, users = world
    shift.status = status
    db.session.commit()
    assert login(client, users["assigned volunteer"].email, PASSWORD).status_code == 302
    html = client.get("/shifts/mine").get_data(as_text=True)
    shown = status in (S.CLAIMED, S.PROPOSED, S.APPROVED, S.CONFIRMED, S.COMPLETED)
    assert (f'data-shift="{shift.id}"' in html) == shown
    assert ("Via Segreta 9" in html) == (status in REVEALED)
    assert ("+39 0865 4242" in html) == (status in REVEALED)
    assert "insulin" not in html
