"""A coordinator presses "Propose matches", watches progress, then approves a proposal."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.browser import log_in
from tests.matchrun.scenario import small_org
from webapp.extensions import db
from webapp.shifts.models import Assignment, Shift, ShiftStatus


@pytest.mark.browser
def test_coordinator_proposes_and_approves(app, desk_page):
    with app.test_request_context():
        o = small_org()
        email, monday = o.coordinator.email, o.monday
        ada_id = o.visits["ada"].id
        db.session.commit()
    page = desk_page
    log_in(page, email)
    page.goto("/match/")
    page.get_by_role("link", name="Match").wait_for()
    page.fill("#date_from", monday.isoformat())
    page.fill("#date_to", (monday + timedelta(days=6)).isoformat())
    page.get_by_role("button", name="Propose matches").click()
    # The worker is a separate process: the page shows progress first, never frozen.
    page.get_by_role("heading", name="Matching in progress").wait_for()
    page.get_by_role("heading", name="Proposed matches").wait_for(timeout=90_000)
    assert page.get_by_text("no volunteer lives close enough").is_visible()
    page.check(f"#pick-{ada_id}")
    page.get_by_role("button", name="Approve selected").click()
    page.get_by_text("1 proposals approved").wait_for()
    db.session.rollback()
    shift = db.session.get(Shift, ada_id)
    db.session.refresh(shift)
    assert shift.status == ShiftStatus.APPROVED
    assert db.session.scalar(
        sa.select(sa.func.count(Assignment.id)).where(Assignment.shift_id == ada_id)) == 1
