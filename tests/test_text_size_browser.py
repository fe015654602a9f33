"""No page overflows sideways when the text is twice as large (WCAG 1.4.4 resize text,
1.4.10 reflow): the browser's text size doubled on a desk window zoomed to 200% (640 CSS
px wide), and the usual text on the narrowest phone (320 CSS px). A table too wide may
scroll inside its own box; the page itself never does."""

from __future__ import annotations

import pytest

from tests.browser import log_in
from tests.factories import make_coordinator, make_org, make_resident, make_user, make_volunteer
from tests.people.helpers import HOME, add_address
from tests.shifts.builders import (
    HOSPITAL,
    add_place,
    in_days,
    make_request,
    ride_draft,
    shifts_of,
    visit_draft,
)
from webapp.extensions import db
from webapp.shifts import operations as ops

pytestmark = pytest.mark.browser

# The page's widest parts, to say what to fix when a page overflows.
WIDEST = """() => {
  const limit = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > limit + 1 && !e.closest('.table-wrap')
                 && getComputedStyle(e).position !== 'absolute')
    .slice(0, 5)
    .map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' +
              Math.round(e.getBoundingClientRect().right));
}"""


def _town():  # type: ignore[no-untyped-def]
    org = make_org("Comune di Isernia")
    add_address(org, HOME)
    add_place(org, *HOSPITAL)
    coord = make_coordinator(org, email="coord@example.org")
    resident = make_resident(org, first_name="Annunziata", last_name="Santangelo-Berardinelli")
    make_user(org, person=resident, email="annunziata@example.org")
    vol = make_volunteer(org, driving=True, first_name="Massimiliano", last_name="Ciccarelli")
    visit = make_request(org, visit_draft(), resident=resident, actor=coord)
    ops.assign(shifts_of(visit)[0], vol, coord)
    ride = make_request(org, ride_draft(in_days(9)), resident=resident, actor=coord)
    ops.assign(shifts_of(ride)[0], vol, coord)
    db.session.commit()
    return org, coord, resident, vol, visit, ride


def _pages(org, resident, vol, visit, ride) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    day = shifts_of(ride)[0].occurrence_date.isoformat()
    return {
        "coord@example.org": [
            "/coordinator",
            "/coordinator/volunteers",
            "/coordinator/residents",
            "/coordinator/residents/new",
            "/coordinator/volunteers/new",
            f"/coordinator/people/{resident.id}",
            f"/coordinator/people/{resident.id}/map",
            f"/coordinator/people/{vol.id}/volunteering",
            f"/shifts/day?date={day}",
            f"/shifts/week?start={day}",
            f"/shifts/{shifts_of(ride)[0].id}/manage",
            f"/shifts/runsheets?date={day}",
            "/requests/new",
            f"/requests/{visit.id}",
            f"/requests/{visit.id}/occurrences/{shifts_of(visit)[0].id}",
            f"/requests/{ride.id}/destination",
            "/match/",
            "/timebank/coordinator",
            f"/timebank/people/{resident.id}",
            "/coordinator/queue",
            "/coordinator/lapsing",
            "/shifts/alerts",
            "/requests/settings",
            "/notifications/outbox",
            "/notifications/to-phone",
            "/notifications/",
            "/scheduler/",
        ],
        vol.user.email: ["/shifts/mine", "/shifts/board", "/me", "/timebank/"],
        resident.user.email: ["/requests/mine", "/requests/help", "/requests/help/ride", "/me"],
    }


@pytest.mark.parametrize(
    ("width", "text_px"),
    [(640, 32), (390, 32), (320, 16)],
    ids=["desk-200%-text", "phone-200%-text", "320px-phone"],
)
def test_no_page_overflows_sideways(browser, live_server, width, text_px):  # type: ignore[no-untyped-def]
    org, coord, resident, vol, visit, ride = _town()
    wide: dict[str, list[str]] = {}
    for email, urls in _pages(org, resident, vol, visit, ride).items():
        context = browser.new_context(
            viewport={"width": width, "height": 900}, locale="en-GB", base_url=live_server
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        # The browser's own text size setting (what a person with low vision changes).
        page.context.new_cdp_session(page).send(
            "Page.setFontSizes", {"fontSizes": {"standard": text_px, "fixed": text_px}}
        )
        try:
            public = ["/", "/login", f"/join/{org.slug}/volunteer", f"/join/{org.slug}/resident"]
            for url in public if email == vol.user.email else []:
                page.goto(url)
                if page.evaluate("document.documentElement.scrollWidth") > width:
                    wide[url] = page.evaluate(WIDEST)
            log_in(page, email)
            size = page.evaluate("getComputedStyle(document.documentElement).fontSize")
            assert size == f"{text_px * 1.125:g}px", size  # the setting took effect
            for url in urls:
                page.goto(url)
                if page.evaluate("document.documentElement.scrollWidth") > width:
                    wide[url] = page.evaluate(WIDEST)
        finally:
            context.close()
    assert wide == {}
