"""The coordinator's week, day and desk home are kept rendered between reloads
(shifts/calendar_cache.py): in real Chromium, a volunteer's claim on their phone shows at
the coordinator's next reload of each of them, and the kept week stays axe-core clean."""

from __future__ import annotations

import pytest

from tests.browser import context_page, log_in, serious_violations
from tests.factories import make_coordinator, make_org, make_volunteer
from tests.shifts.builders import make_request, next_weekday, visit_draft
from webapp.extensions import db

pytestmark = pytest.mark.browser

DAY = next_weekday(3, at_least=4)
PAGES = (f"/shifts/week?start={DAY.isoformat()}", f"/shifts/day?date={DAY.isoformat()}", "/desk/")


def test_a_claim_on_a_phone_shows_at_the_coordinators_next_reload(browser, live_server):  # type: ignore[no-untyped-def]
    org = make_org()
    coord = make_coordinator(org, email="coord@kept.example")
    vol = make_volunteer(org, first_name="Ilaria", last_name="Di Iorio")
    make_request(org, visit_draft(DAY), actor=coord)
    db.session.commit()
    email = vol.user.email
    contexts = []
    try:
        ctx, desk = context_page(browser, live_server, phone=False)
        contexts.append(ctx)
        log_in(desk, "coord@kept.example")
        for url in PAGES:  # each drawn, then served kept on the reload
            desk.goto(url)
            desk.reload()
            assert "Di Iorio" not in desk.content(), url

        ctx, phone = context_page(browser, live_server, phone=True)
        contexts.append(ctx)
        log_in(phone, email)
        phone.goto("/shifts/board")
        phone.locator("article.card", has_text="Home visit").get_by_role(
            "button", name="I'll do it"
        ).click()
        phone.get_by_text("A coordinator will confirm it soon").wait_for()

        for url in PAGES:
            desk.goto(url)
            assert "Ilaria Di Iorio" in desk.content(), url
        assert desk.get_by_role("heading", name="Waiting for your approval").count() == 1
        desk.goto(PAGES[0])
        assert serious_violations(desk) == []
    finally:
        for ctx in contexts:
            ctx.close()
