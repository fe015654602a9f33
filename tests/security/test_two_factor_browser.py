"""Browser journey: a coordinator sets up the two-step login, keeps the recovery codes,
and logs in again with a code from the app (desk-sized; keyboard and axe checks)."""

from __future__ import annotations

import time

import pyotp
import pytest

from tests.browser import serious_violations
from tests.factories import PASSWORD, make_coordinator, make_org
from webapp.extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_coordinator_sets_up_and_uses_the_two_step_login(app, desk_page, monkeypatch):
    monkeypatch.setitem(app.config, "SECOND_FACTOR_ROLES", ("coordinator", "admin"))
    org = make_org()
    make_coordinator(org, email="two@step.example")
    db.session.commit()
    page = desk_page
    page.goto("/login")
    page.get_by_label("E-mail", exact=True).fill("two@step.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Set up the two-step login").wait_for()
    assert serious_violations(page) == []
    secret = page.locator("code.secret-key").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    field = page.get_by_label("Code from the app")
    field.fill(totp.now())
    field.press("Enter")  # by keyboard
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    assert page.locator(".recovery-codes li").count() == 10
    assert serious_violations(page) == []
    page.get_by_role("link", name="I have kept them: go on").click()
    page.get_by_role("heading", name="Today's desk").wait_for()

    page.get_by_role("button", name="Log out").click()
    page.goto("/login")
    page.get_by_label("E-mail", exact=True).fill("two@step.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Two-step login").wait_for()
    assert serious_violations(page) == []
    # The code used to set it up works once: take the next one.
    page.get_by_label("Code").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Today's desk").wait_for()
