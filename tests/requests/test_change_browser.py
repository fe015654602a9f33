"""In real Chromium: a coordinator moves a booked visit to the afternoon."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.browser import log_in
from tests.factories import make_coordinator, make_org, make_volunteer
from tests.shifts.builders import make_request, shifts_of, visit_draft
from webapp.extensions import db
from webapp.requests.models import Request, RequestStatus
from webapp.shifts import operations as ops
from webapp.shifts.models import ShiftStatus

pytestmark = pytest.mark.browser


def test_coordinator_changes_the_time_of_a_visit(desk_page, live_server):
    org = make_org()
    coord = make_coordinator(org, email="coord@example.org")
    req = make_request(org, visit_draft(notes="Ring twice"), actor=coord)
    ops.assign(shifts_of(req)[0], make_volunteer(org), coord)
    db.session.commit()
    old_id = req.id

    page = desk_page
    log_in(page, "coord@example.org")
    page.goto(f"/requests/{old_id}")
    page.get_by_role("link", name="Change date, time or place").click()
    assert page.input_value("#window_start") == "10:00"  # prefilled
    page.fill("#window_start", "15:00")
    page.fill("#window_end", "17:00")
    page.get_by_role("button", name="Save the change").click()
    page.get_by_text("This is the new request.").wait_for()

    db.session.rollback()  # end the read transaction: see what the server committed
    new = db.session.scalars(sa.select(Request).where(Request.id != old_id)).one()
    assert re.search(rf"/requests/{new.id}$", page.url)
    assert page.locator("table").get_by_text(re.compile(r"15:00")).count() == 1  # its shift
    assert "15:00–17:00" in page.locator("ul.windows").inner_text()  # its window
    old = db.session.get(Request, old_id)
    assert old.status == RequestStatus.CANCELLED
    assert [s.status for s in shifts_of(old)] == [ShiftStatus.CANCELLED]
