"""All drivers' run sheets of a day on one page, each printed on its own sheet."""

from __future__ import annotations

import re
from datetime import time

import pytest
from playwright.sync_api import expect

from tests.browser import log_in, serious_violations
from tests.factories import PASSWORD, make_coordinator, make_org, make_resident, make_volunteer
from tests.helpers import login
from tests.shifts.builders import in_days, make_request, ride_draft, shifts_of, visit_draft
from webapp.extensions import db
from webapp.shifts import operations as ops


def _two_drivers(org):  # type: ignore[no-untyped-def]
    coord = make_coordinator(org, email="c-run@example.org")
    day = in_days(5)
    guido = make_volunteer(org, driving=True, first_name="Guido", last_name="Ferri")
    piero = make_volunteer(org, driving=True, first_name="Piero", last_name="Sala")
    visitor = make_volunteer(org, first_name="Vera", last_name="Monti")
    for driver, hour in ((guido, 9), (piero, 14)):
        req = make_request(
            org, ride_draft(day, appointment_time=time(hour)), resident=make_resident(org),
            actor=coord,
        )  # fmt: skip
        ops.assign(shifts_of(req)[0], driver, coord)
    visit = make_request(org, visit_draft(day), actor=coord)
    ops.assign(shifts_of(visit)[0], visitor, coord)
    db.session.commit()
    return day, guido, piero, visitor


def test_every_driver_of_the_day_on_one_page(client, db_session):
    org = make_org()
    day, guido, piero, visitor = _two_drivers(org)
    login(client, "c-run@example.org", PASSWORD)
    day_page = client.get(f"/shifts/day?date={day.isoformat()}").get_data(as_text=True)
    assert f"/shifts/runsheets?date={day.isoformat()}" in day_page
    html = client.get(f"/shifts/runsheets?date={day.isoformat()}").get_data(as_text=True)
    assert html.count('class="runsheet"') == 2  # the visitor drives nobody
    assert html.index("Guido Ferri") < html.index("Piero Sala")  # earliest first
    assert "Vera Monti" not in html
    assert "2 drivers have rides this day" in html
    empty = client.get(f"/shifts/runsheets?date={in_days(30).isoformat()}")
    assert "No driver has a booked ride this day." in empty.get_data(as_text=True)


def test_another_organisation_sees_none_of_them(client, db_session):
    org, other = make_org(), make_org()
    day, *_ = _two_drivers(org)
    make_coordinator(other, email="c-other-run@example.org")
    db.session.commit()
    login(client, "c-other-run@example.org", PASSWORD)
    html = client.get(f"/shifts/runsheets?date={day.isoformat()}").get_data(as_text=True)
    assert 'class="runsheet"' not in html


@pytest.mark.browser
def test_the_run_sheets_print_one_driver_per_page(desk_page):
    org = make_org()
    day, *_ = _two_drivers(org)
    page = desk_page
    log_in(page, "c-run@example.org")
    page.goto(f"/shifts/day?date={day.isoformat()}")
    page.get_by_role("link", name="All run sheets of this day (print)").click()
    expect(page.get_by_role("button", name="Print all")).to_be_visible()
    assert serious_violations(page) == []
    page.emulate_media(media="print")
    sheets = page.locator("section.runsheet")
    expect(sheets).to_have_count(2)
    assert sheets.nth(1).evaluate("e => getComputedStyle(e).breakBefore") == "page"
    expect(page.get_by_role("button", name="Print all")).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()
    pdf = page.pdf()  # Chromium lays it out for paper: one page per driver
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 2
