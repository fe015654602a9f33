"""axe-core on every page the desk's map, volunteer and occurrence work added (no serious or
critical violation), in English and Italian, and each one keyboard-reachable."""

from __future__ import annotations

import pytest

from tests.browser import log_in, serious_violations
from tests.factories import make_coordinator, make_org, make_resident, make_volunteer
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


@pytest.mark.parametrize("locale", ["en", "it"])
def test_new_pages_have_no_serious_violations(desk_page, locale):
    org = make_org("Comune di Isernia")
    add_address(org, HOME)
    add_place(org, *HOSPITAL)
    coord = make_coordinator(org, email="coord@example.org")
    resident = make_resident(org)
    vol = make_volunteer(org, driving=True)
    draft = visit_draft(priority=3, preferred_volunteer_id=vol.id)
    visit = make_request(org, draft, resident=resident, actor=coord)
    ride = make_request(org, ride_draft(in_days(9)), resident=resident, actor=coord)
    ops.assign(shifts_of(ride)[0], vol, coord)
    db.session.commit()
    page = desk_page
    log_in(page, "coord@example.org")
    if locale == "it":
        page.select_option("#locale-select", "it")
        with page.expect_navigation():
            page.locator(".language-switch button").click()
    day = shifts_of(ride)[0].occurrence_date.isoformat()
    pages = [
        f"/requests/{visit.id}",
        f"/requests/{visit.id}/occurrences/{shifts_of(visit)[0].id}",
        f"/requests/{ride.id}/destination",
        "/requests/new",
        f"/coordinator/people/{resident.id}",
        f"/coordinator/people/{resident.id}/map",
        f"/coordinator/people/{vol.id}/map",
        f"/coordinator/people/{vol.id}/volunteering",
        f"/coordinator/people/{vol.id}/roles/resident",
        f"/coordinator/people/{resident.id}/roles/volunteer",
        "/coordinator/volunteers/new",
        f"/shifts/runsheets?date={day}",
        f"/shifts/day?date={day}",
    ]
    found = {}
    for url in pages:
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == locale
        problems = serious_violations(page)
        if problems:
            found[url] = problems
    assert found == {}
    # The volunteer's own schedule with the calendar buttons.
    page.context.clear_cookies()
    log_in(page, vol.user.email)
    page.goto("/shifts/mine")
    assert serious_violations(page) == []
