"""In real Chromium, phone-sized: a coordinator books Monday mornings or Thursday
afternoons as one visit, sees both on the request page, and the change form keeps them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.browser import log_in, serious_violations
from tests.factories import make_coordinator, make_org, make_resident
from tests.shifts.builders import TUE, next_weekday
from webapp.extensions import db
from webapp.requests.models import Request

pytestmark = pytest.mark.browser


def test_coordinator_books_two_days_at_different_times(page, live_server):
    org = make_org()
    make_coordinator(org, email="coord@example.org")
    pietro = make_resident(org, first_name="Pietro", last_name="Verdi")
    db.session.commit()
    start = next_weekday(TUE)  # the first week's visit falls on Thursday, the next on Monday

    log_in(page, "coord@example.org")
    page.goto("/requests/new")
    page.fill("#resident_q", "Verdi")
    with page.expect_navigation():
        page.get_by_role("button", name="Find", exact=True).click()
    page.check(f"#resident-{pietro.id}")
    page.select_option("#kind", "visit")
    page.fill("#start_date", start.isoformat())
    page.check("#recurring")
    page.fill("#end_date", (start + timedelta(days=7)).isoformat())
    page.check("#weekdays-0")  # Monday
    page.check("#weekdays-3")  # Thursday
    page.get_by_label("From (every chosen day)").fill("10:00")
    page.get_by_label("Until (every chosen day)").fill("12:00")
    thursday_from = page.get_by_label("Thursday from", exact=True)
    assert not thursday_from.is_visible()  # the usual call does not see the per-day times
    page.get_by_text("A different time on some days").click()
    thursday_from.fill("15:00")
    # The form fits a phone: nothing to scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="Save request").click()

    # "until" was forgotten: said next to it, what was typed is still there.
    error = page.locator("#day_3_end-error")
    error.wait_for()
    assert "Thursday: give both from and until" in error.inner_text()
    assert page.get_by_label("Thursday from", exact=True).input_value() == "15:00"
    assert page.get_by_label("From (every chosen day)").input_value() == "10:00"
    assert serious_violations(page) == []
    page.get_by_label("Thursday until", exact=True).fill("17:00")
    page.get_by_role("button", name="Save request").click()
    page.get_by_text("Request saved for Pietro Verdi").wait_for()

    db.session.rollback()  # end the read transaction: see what the server committed
    req = db.session.scalars(sa.select(Request)).one()
    assert re.search(rf"/requests/{req.id}$", page.url)
    days = page.locator("ul.windows li").all_inner_texts()
    assert days == ["Monday 10:00–12:00", "Thursday 15:00–17:00"]
    shifts = page.locator("table tbody tr td:first-child").all_inner_texts()
    assert [s.split()[0] for s in shifts] == ["Thu", "Mon"]
    assert [s.split()[-1] for s in shifts] == ["15:00", "10:00"]

    # Changing it shows each day's own time, and saving it as it is changes nothing.
    page.get_by_role("link", name="Change date, time or place").click()
    assert page.get_by_label("Thursday from", exact=True).is_visible()  # open by itself
    assert page.get_by_label("Thursday until", exact=True).input_value() == "17:00"
    assert page.get_by_label("Monday from", exact=True).input_value() == ""
    assert page.get_by_label("From (every chosen day)").input_value() == "10:00"
    page.get_by_role("button", name="Save the change").click()
    page.get_by_text("Nothing changed, so the shifts stay as they were.").wait_for()
    db.session.rollback()
    assert db.session.scalars(sa.select(Request)).one().id == req.id
