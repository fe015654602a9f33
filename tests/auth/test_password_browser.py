"""Forgot password in a real Chromium on a phone: ask, get the e-mail from a real SMTP
server, open the link, choose a new password, log in with it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser import serious_violations
from tests.factories import PASSWORD, make_org, make_user, make_volunteer
from webapp.extensions import db
from webapp.notifications.sender import send_due

pytestmark = pytest.mark.browser

NEW = "my new long password"


def test_forgotten_password_by_email_on_a_phone(page, live_server, smtp):
    org = make_org("Comune di Isernia")
    person = make_volunteer(org, with_user=False, first_name="Giulia")
    make_user(org, person=person, email="giulia@example.org")
    db.session.commit()
    smtp.start()

    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    assert serious_violations(page) == []
    page.get_by_label("E-mail", exact=True).fill("giulia@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_text("we have sent it a link to choose a new password")).to_be_visible()

    # The scheduler's sender would do this within seconds.
    assert send_due(datetime.now(UTC) + timedelta(minutes=1)).sent == 1
    [mail] = smtp.inbox.messages
    assert mail["To"] == "giulia@example.org"
    body = mail.get_payload(decode=True).decode()
    link = re.search(r"(http://\S+/password/reset/\S+)", body).group(1)
    assert link.startswith(live_server)

    page.goto(link)
    assert serious_violations(page) == []
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("New password again", exact=True).fill(NEW)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone
    with page.expect_navigation():
        page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_text("Your new password is saved. Log in with it now.")).to_be_visible()

    # The old password no longer works; the new one does.
    page.get_by_label("E-mail", exact=True).fill("giulia@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("E-mail or password is not correct.")).to_be_visible()
    page.get_by_label("Password", exact=True).fill(NEW)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    # The link was for one use only.
    page.goto(link)
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()

    # Logged in, the menu leads to Change password (checked for accessibility too).
    page.goto("/")
    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_label("Current password", exact=True)).to_be_visible()
    assert serious_violations(page) == []
