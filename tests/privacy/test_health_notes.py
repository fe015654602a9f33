"""Health and mobility stay with coordinators: never in a message, never on a
volunteer's pages, whatever happens to the shift."""

from __future__ import annotations

import sqlalchemy as sa

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident, make_volunteer
from tests.helpers import login
from tests.shifts.builders import in_days, make_request, shifts_of, visit_draft
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.shifts import operations as ops
from webapp.shifts.messages import shift_context
from webapp.shifts.presenters import visible_fields

SECRET = "INSULIN-AT-NOON"
MOBILITY_WORDS = ("walker", "wheelchair", "hearing", "escort", "at their side")


def _world():  # type: ignore[no-untyped-def]
    org = make_org()
    coordinator = make_coordinator(org)
    resident = make_resident(org, first_name="Ida", last_name="Verdi")
    profile = resident.resident
    profile.health_notes = SECRET
    profile.uses_walker = profile.uses_wheelchair = True
    profile.needs_escort = profile.hard_of_hearing = True
    volunteer = make_volunteer(org, email="vol@example.org")
    req = make_request(org, visit_draft(in_days(5)), resident=resident, actor=coordinator)
    (shift,) = shifts_of(req)
    return org, coordinator, resident, volunteer, shift


def test_no_message_of_a_shifts_life_carries_health_or_mobility(db_session):
    org, coordinator, resident, volunteer, shift = _world()
    ops.assign(shift, volunteer, coordinator)
    ops.confirm(shift, volunteer, volunteer.user)
    shift.request.notes = "Ring twice"
    db.session.flush()
    ops.cancel(shift, coordinator, "resident in hospital")
    db.session.flush()
    messages = db.session.scalars(sa.select(Notification)).all()
    assert messages, "the shift's life sent messages"
    for message in messages:
        text = f"{message.subject}\n{message.body}".lower()
        assert SECRET.lower() not in text
        assert not [w for w in MOBILITY_WORDS if w in text], (message.kind, text)


def test_the_message_context_has_no_needs_and_volunteers_no_mobility_field(db_session):
    org, coordinator, resident, volunteer, shift = _world()
    ops.assign(shift, volunteer, coordinator)
    assert "needs" not in shift_context(shift)
    assert "health_notes" not in visible_fields(shift, volunteer.user)
    assert "mobility" not in visible_fields(shift, volunteer.user)
    assert {"health_notes", "mobility"} <= visible_fields(shift, coordinator)


def test_a_booked_volunteers_pages_show_no_health_or_mobility(client, db_session):
    org, coordinator, resident, volunteer, shift = _world()
    ops.assign(shift, volunteer, coordinator)
    db.session.commit()
    login(client, volunteer.user.email, PASSWORD)
    for url in ("/shifts/mine", "/shifts/board", f"/shifts/{shift.id}/checkin"):
        body = client.get(url).get_data(as_text=True)
        assert SECRET not in body, url
        assert "walker" not in body.lower() and "hard of hearing" not in body.lower(), url


def test_coordinators_see_them(client, db_session):
    org, coordinator, resident, volunteer, shift = _world()
    db.session.commit()
    login(client, coordinator.email, PASSWORD)
    assert SECRET in client.get(f"/desk/people/{resident.id}").get_data(as_text=True)
