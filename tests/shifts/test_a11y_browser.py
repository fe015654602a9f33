"""axe-core finds no serious or critical accessibility problem on the shift pages."""

from __future__ import annotations

import pytest

from tests.browser import context_page, log_in, serious_violations
from tests.factories import make_coordinator, make_org, make_resident, make_user, make_volunteer
from tests.shifts.builders import make_request, ride_draft, shifts_of, visit_draft
from webapp.extensions import db
from webapp.shifts import operations as ops

pytestmark = pytest.mark.browser


def test_shift_pages_have_no_serious_accessibility_violations(browser, live_server):
    org = make_org()
    coord = make_coordinator(org, email="coord@example.org")
    resident = make_resident(org)
    make_user(org, person=resident, email="res@example.org")
    vol = make_volunteer(org, driving=True, email="vol@example.org", with_user=False)
    make_user(org, person=vol, email="vol@example.org")
    ride = make_request(org, ride_draft(), resident=resident, actor=coord)
    visit = make_request(org, visit_draft(two_volunteers=True), actor=coord)
    ops.assign(shifts_of(ride)[0], vol, coord)
    db.session.commit()
    out, visit_shift = shifts_of(ride)[0], shifts_of(visit)[0]
    found: dict[str, list[str]] = {}
    pages = {
        "vol@example.org": ["/shifts/board", "/shifts/mine"],
        "res@example.org": ["/requests/help", "/requests/help/visit", "/requests/mine"],
        "coord@example.org": [
            f"/shifts/day?date={out.occurrence_date.isoformat()}",
            "/shifts/week",
            f"/shifts/{out.id}/manage",
            f"/shifts/{visit_shift.id}/manage",
            "/desk/alerts",
            "/requests/new",
            "/requests/settings",
            f"/requests/{ride.id}",
            f"/shifts/runsheet/{vol.id}?date={out.occurrence_date.isoformat()}",
        ],
    }
    for email, urls in pages.items():
        ctx, page = context_page(browser, live_server, phone=email != "coord@example.org")
        try:
            log_in(page, email)
            for url in urls:
                page.goto(url)
                found[url] = serious_violations(page)
            if email == "res@example.org":  # a form with errors next to the fields
                page.goto("/requests/help/ride")
                page.get_by_role("button", name="Send my request").click()
                found["ride form with errors"] = serious_violations(page)
        finally:
            ctx.close()
    assert {url: v for url, v in found.items() if v} == {}
