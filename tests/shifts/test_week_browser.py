"""The coordinator's week in a browser: a busy day shows its first rows and its counts, and
the keyboard reaches "show all" and the whole day; axe-core clean on a phone in Italian and
at a desk in English."""

from __future__ import annotations

from datetime import time

import pytest
from playwright.sync_api import expect

from tests.browser import context_page, log_in, serious_violations
from tests.factories import make_coordinator, make_org, make_resident
from tests.shifts.builders import WED, make_request, next_weekday, shifts_of, visit_draft
from webapp.extensions import db
from webapp.shifts import calendar_views

pytestmark = pytest.mark.browser

DAY = next_weekday(WED, at_least=4)


def _tab_to(page, name: str, most: int = 150) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the focused element's text starts with ``name``."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.innerText || ''").strip().startswith(name):
            return
    raise AssertionError(f"{name!r} is not reachable with the keyboard")


def test_a_busy_week_by_keyboard_on_a_phone_and_at_a_desk(browser, live_server, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(calendar_views, "WEEK_ROWS_PER_DAY", 2)
    org = make_org()
    make_coordinator(org, email="coord@week.example")
    ids = []
    for hour in (9, 10, 11, 14):
        draft = visit_draft(DAY, windows=[(DAY.weekday(), time(hour), time(hour + 1))],
                            duration_minutes=45)  # fmt: skip
        ids += [s.id for s in shifts_of(make_request(org, draft, resident=make_resident(org)))]
    db.session.commit()
    # English first: the language chosen on the phone stays the coordinator's choice.
    for phone, show_all in ((False, "Show all 4 shifts"), (True, "Mostra tutti i 4 turni")):
        ctx, page = context_page(browser, live_server, phone=phone)
        try:
            log_in(page, "coord@week.example")
            if phone:  # and in Italian
                page.locator("#locale-select").select_option("it")
                page.get_by_role("button", name="Change").click()
                expect(page.locator("html")).to_have_attribute("lang", "it")
            page.goto(f"/shifts/week?start={DAY.isoformat()}")
            assert page.locator("tr[data-shift]").count() == 2
            assert serious_violations(page) == []
            if phone:
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= 390, f"the week is {width}px wide"
            _tab_to(page, show_all)
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert f"/shifts/day?date={DAY.isoformat()}" in page.url
            rows = page.locator("tr[data-shift]")
            assert sorted(int(rows.nth(i).get_attribute("data-shift")) for i in range(4)) == ids
            assert serious_violations(page) == []
        finally:
            ctx.close()
