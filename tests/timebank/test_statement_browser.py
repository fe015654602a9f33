"""The member's statement in a browser, a page at a time: the keyboard reaches the next
page, the balances stay the ledger's; axe-core clean on a phone, in Italian and English."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser import context_page, log_in, serious_violations
from tests.factories import make_org, make_resident, make_user
from webapp.auth.models import Role
from webapp.extensions import db
from webapp.timebank import operations as ops
from webapp.timebank import statements

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_statement_by_keyboard_on_a_phone(browser, live_server, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(statements, "PAGE_LINES", 3)
    org = make_org()
    teresa = make_resident(org, first_name="Teresa")
    make_user(org, Role.MEMBER, person=teresa, email="teresa@st.example")
    for i in range(7):  # 10, 20, ... 70 minutes: a balance of 4 h 40 min
        ops.grant(key=f"g{i}", recipient=teresa, minutes=10 * (i + 1), actor_id=None,
                  service_date=date.today(), reason="welcome")  # fmt: skip
    db.session.commit()
    for locale, next_label, second in (
        ("en", "Next", "Lines 4 to 6 of 7"),
        ("it", "Successiva", "Righe da 4 a 6 di 7"),
    ):
        ctx, page = context_page(browser, live_server, phone=True)
        try:
            log_in(page, "teresa@st.example")
            if locale == "it":
                page.locator("#locale-select").select_option("it")
                page.get_by_role("button", name="Change").click()
                expect(page.locator("html")).to_have_attribute("lang", "it")
            page.goto("/timebank/")
            assert page.locator("#balance").inner_text() == "4 h 40 min"
            assert serious_violations(page) == []
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the statement is {width}px wide"
            for _ in range(150):
                page.keyboard.press("Tab")
                text = page.evaluate("document.activeElement.innerText || ''").strip()
                if text.startswith(next_label):
                    break
            else:
                raise AssertionError("the next page is not reachable with the keyboard")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert "page=2" in page.url
            expect(page.get_by_text(second)).to_be_visible()
            # Newest first: the fourth newest grant (40 min) left 1 h 40 min after it.
            cells = page.locator("tbody tr").first.locator("td")
            expect(cells.nth(4)).to_have_text("+40 min")
            expect(cells.nth(5)).to_have_text("1 h 40 min")
            assert serious_violations(page) == []
        finally:
            ctx.close()
