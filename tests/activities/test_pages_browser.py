"""The other activity pages in Chromium: a resident applies on a phone and drops out; a
volunteer offers to help from the board; a coordinator records attendance and the
follow-up survey. axe-core on each page, English and Italian."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.activities.builders import applicant, make_activity
from tests.browser import context_page, log_in, serious_violations
from tests.factories import make_coordinator, make_org, make_resident, make_user, make_volunteer
from webapp.activities import operations as ops
from webapp.extensions import db

pytestmark = pytest.mark.browser


def test_resident_volunteer_and_coordinator_pages(app, browser, live_server, page):
    with app.test_request_context():
        org = make_org()
        act = make_activity(org, capacity=2, helpers_needed=1, title="Garden afternoon")
        past = make_activity(org, capacity=2, title="Craft workshop", days=5)
        applicant(org, past, first_name="Gina")
        ops.select(past)
        for s in past.sessions:  # it took place a while ago
            s.starts_at -= timedelta(days=120)
            s.ends_at -= timedelta(days=120)
        make_user(org, person=make_resident(org, first_name="Rosa"), email="rosa@example.org")
        vol = make_volunteer(org, first_name="Vito")
        vol.user.email = "vito@example.org"
        make_coordinator(org, email="coord@example.org")
        db.session.commit()
        act_id, past_id, session_id = act.id, past.id, past.sessions[0].id
    # A resident, on a phone, keyboard only to send the form.
    log_in(page, "rosa@example.org")
    page.goto("/activities/")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Apply for Garden afternoon").click()
    page.get_by_label("Age", exact=True).fill("79")
    page.get_by_label("Lives alone").check()
    page.get_by_label("Needs a ride there and back").focus()
    page.keyboard.press("Space")
    assert serious_violations(page) == []
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Thank you: you have applied.")).to_be_visible()
    expect(page.get_by_role("heading", name="My applications")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="I can no longer come").click()
    expect(page.get_by_text("You are no longer taking part.")).to_be_visible()
    # In Italian.
    page.goto("/activities/")
    page.locator("#locale-select").select_option("it")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page.get_by_role("heading", name="Attività", exact=True)).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # fits the phone
    assert serious_violations(page) == []
    # A volunteer offers to help, from the board.
    context, phone = context_page(browser, live_server, phone=True)
    try:
        log_in(phone, "vito@example.org")
        phone.goto("/shifts/board")
        item = phone.locator(f"[data-board-item=activity-{act_id}]")
        expect(item).to_contain_text("Helper at Garden afternoon")
        assert serious_violations(phone) == []
        with phone.expect_navigation():
            item.get_by_role("button", name="I'll help").click()
        expect(
            phone.get_by_text("Thank you: you are a helper at Garden afternoon.")
        ).to_be_visible()
    finally:
        context.close()
    # The coordinator: attendance, and the survey due on the desk.
    context, desk = context_page(browser, live_server, phone=False)
    try:
        log_in(desk, "coord@example.org")
        desk.goto("/desk/")
        expect(desk.get_by_role("heading", name="Follow-up surveys due")).to_be_visible()
        desk.get_by_role("link", name="Craft workshop").click()
        desk.goto(f"/activities/sessions/{session_id}/attendance")
        assert serious_violations(desk) == []
        desk.get_by_label("Gina Rossi").check()
        with desk.expect_navigation():
            desk.get_by_role("button", name="Save attendance").click()
        expect(desk.get_by_text("Attendance saved for 1 participants.")).to_be_visible()
        desk.get_by_label("What the survey found").fill("Gina now meets the group weekly.")
        with desk.expect_navigation():
            desk.get_by_role("button", name="Record the survey").click()
        expect(desk.get_by_text("The follow-up survey is recorded.")).to_be_visible()
        assert serious_violations(desk) == []
        desk.goto("/activities/manage")
        assert serious_violations(desk) == []
        desk.goto(f"/activities/{past_id}")
        expect(desk.get_by_text("Gina now meets the group weekly.")).to_be_visible()
    finally:
        context.close()
