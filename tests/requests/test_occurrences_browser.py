"""In real Chromium: a coordinator moves one date of a weekly visit; the series stays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser import log_in, serious_violations
from tests.factories import make_coordinator, make_org, make_volunteer
from tests.shifts.builders import MON, make_request, next_weekday, shifts_of, visit_draft
from webapp.extensions import db
from webapp.requests.models import Request, RequestStatus
from webapp.shifts import operations as ops
from webapp.shifts.models import Shift, ShiftStatus

pytestmark = pytest.mark.browser


def test_one_occurrence_moved(desk_page):
    org = make_org()
    coord = make_coordinator(org, email="coord@example.org")
    first = next_weekday(MON)
    draft = visit_draft(first, recurring=True, end_date=first + timedelta(weeks=2))
    req = make_request(org, draft, actor=coord)
    vol = make_volunteer(org, first_name="Giulia", last_name="Neri")
    shifts = shifts_of(req)
    ops.assign(shifts[1], vol, coord)
    db.session.commit()
    second_id, old_day = shifts[1].id, shifts[1].occurrence_date
    new_day = old_day + timedelta(days=2)

    page = desk_page
    log_in(page, "coord@example.org")
    page.goto(f"/requests/{req.id}")
    page.get_by_role("link", name="Move or cancel").nth(1).click()
    expect(page.get_by_role("heading", name="Move or cancel one date")).to_be_visible()
    assert page.input_value("#time") == "10:00"  # prefilled
    assert serious_violations(page) == []
    page.fill("#date", new_day.isoformat())
    page.fill("#time", "16:30")
    page.get_by_label("Reason (optional)").first.fill("Her daughter visits on Monday")
    with page.expect_navigation():
        page.get_by_role("button", name="Move this date").click()
    expect(page.get_by_text("The rest of the series stays as it was")).to_be_visible()
    expect(page.get_by_text("moved from")).to_be_visible()
    assert serious_violations(page) == []

    db.session.rollback()  # see what the server committed
    moved = db.session.get(Shift, second_id)
    assert moved.occurrence_date == new_day and moved.moved_from == old_day
    assert moved.status == ShiftStatus.APPROVED and moved.volunteer_ids == [vol.id]
    assert db.session.get(Request, req.id).status == RequestStatus.ACTIVE
    assert db.session.query(Request).count() == 1  # no new, unlinked request
    assert [s.status for s in shifts_of(req)] == [ShiftStatus.OPEN, ShiftStatus.APPROVED,
                                                  ShiftStatus.OPEN]  # fmt: skip
