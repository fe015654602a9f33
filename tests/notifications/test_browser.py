"""A volunteer on a phone: the bell, the inbox and the channel; a coordinator's lists.
Checked with axe for accessibility problems."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser import log_in, serious_violations
from tests.factories import make_coordinator, make_org, make_resident, make_volunteer
from webapp.extensions import db
from webapp.notifications.operations import enqueue

pytestmark = pytest.mark.browser
CTX = {"items": [], "days": 30}


def test_volunteer_reads_messages_and_chooses_a_channel_on_a_phone(page):
    org = make_org()
    vol = make_volunteer(org, email="vol@example.org")
    enqueue(vol, "credentials_lapsing", CTX)
    db.session.commit()
    log_in(page, vol.user.email)
    bell = page.locator("li.bell a")
    assert bell.get_attribute("aria-label") == "Messages: 1 unread"
    bell.click()
    assert page.locator("h2", has_text="Volunteer checks that run out soon").is_visible()
    assert serious_violations(page) == []
    page.click("text=Mark all as read")
    assert page.locator(".bell-count").count() == 0
    page.click("text=Choose how we reach you")
    page.check("input[value=sms]")
    page.click("button:has-text('Save')")
    # Waits for the page the save leads to (is_visible() reads the page at once: under a
    # loaded machine, still the form; the PostgreSQL suite failed on it once).
    expect(page.locator(".flash", has_text="We will reach you this way")).to_be_visible()
    assert serious_violations(page) == []


def test_coordinator_sees_whom_to_phone_and_failed_messages(desk_page):
    page = desk_page
    org = make_org()
    coord = make_coordinator(org)
    res = make_resident(org, email=None, first_name="Ida", last_name="Verdi")
    enqueue(res, "credentials_lapsing", CTX, event_at=datetime.now(UTC) + timedelta(hours=20))
    db.session.commit()
    log_in(page, coord.email)
    page.click("nav >> text=To phone")  # the desk's list (docs/desk.md)
    assert page.locator("h2", has_text="Ida Verdi").is_visible()
    assert serious_violations(page) == []
    # Reached, the message read out (ticked already): she leaves the list.
    page.get_by_role("button", name="Save").click()
    assert page.locator("text=Nobody to call today.").is_visible()
    page.click("nav >> text=Messages not sent")
    assert serious_violations(page) == []
