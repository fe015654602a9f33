"""In real Chromium: a pin placed on the map for an address the gazetteer does not know
(a resident's home, a hospital outside the town), by pointer and by keyboard, offline (the
tests have no tile server: the map is the town's known addresses on a plain background)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser import context_page, log_in, serious_violations
from tests.factories import make_coordinator, make_org, make_resident, make_volunteer
from tests.people.helpers import HOME, add_address
from webapp.extensions import db
from webapp.people.models import Person
from webapp.places.models import GeocodeCache
from webapp.requests.models import Request
from webapp.shifts.models import Shift

pytestmark = pytest.mark.browser

UNKNOWN = "Contrada Colle Cioffi 7, Pesche"


def seed():  # type: ignore[no-untyped-def]
    org = make_org("Comune di Isernia")
    add_address(org, HOME)
    for i in range(40):  # a few streets of dots for the offline background
        add_address(org, f"Via Test {i}", 41.590 + i * 0.0002, 14.228 + (i % 7) * 0.0008)
    coordinator = make_coordinator(org, email="coord@example.org")
    db.session.commit()
    return org, coordinator


def _register_by_phone(page, last_name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/coordinator/residents/new")
    page.get_by_label("First name", exact=True).fill("Maria")
    page.get_by_label("Last name", exact=True).fill(last_name)
    page.get_by_label("Phone", exact=True).fill("0865 412345")
    page.get_by_label("Home address", exact=True).fill(UNKNOWN)
    page.get_by_label("Visits and company").check()
    page.get_by_label("Consent given by phone").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save resident").click()


def test_a_pin_placed_on_the_map_for_an_address_the_gazetteer_does_not_know(desk_page):
    org, _ = seed()
    volunteer = make_volunteer(org, first_name="Giulia", last_name="Neri", lat=41.5945)
    db.session.commit()
    page = desk_page
    log_in(page, "coord@example.org")
    _register_by_phone(page, "Verdi")
    # Saved at once, and sent to the map: the address is not in the town's list.
    expect(page.get_by_role("heading", name="Where Maria Verdi lives")).to_be_visible()
    expect(page.get_by_text("not on the map yet")).to_be_visible()
    resident = db.session.scalar(sa.select(Person).where(Person.last_name == "Verdi"))
    assert resident.lat is None and resident.address == UNKNOWN
    the_map = page.locator(".pin-map")
    expect(the_map).to_have_class(re.compile(r"\bpin-map-offline\b"))  # no tiles here
    assert serious_violations(page) == []
    the_map.scroll_into_view_if_needed()  # a click lands where the map is on screen
    box = the_map.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.4)
    expect(page.locator("#lat")).not_to_have_value("")
    lat, lon = float(page.input_value("#lat")), float(page.input_value("#lon"))
    assert 41.55 < lat < 41.65 and 14.18 < lon < 14.28  # near the town's centre
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    with page.expect_navigation():
        page.get_by_role("button", name="Place pin").click()
    expect(page.get_by_text("The pin is placed.")).to_be_visible()
    db.session.rollback()  # see what the server committed
    resident = db.session.get(Person, resident.id)
    assert (round(resident.lat, 5), round(resident.lon, 5)) == (round(lat, 5), round(lon, 5))
    assert resident.location_source == "manual"
    # Now the volunteers around are listed (and drawn), nearest first.
    expect(page.get_by_role("cell", name="Giulia Neri")).to_be_visible()
    assert volunteer.id
    # The address is remembered: the next person there is on the map at once.
    cached = db.session.scalar(sa.select(GeocodeCache).where(GeocodeCache.source == "manual"))
    assert cached is not None and cached.lat == resident.lat
    _register_by_phone(page, "Bruno")
    # Same phone and address as Maria Verdi: the desk asks first, then saves on a second go.
    expect(page.get_by_role("alert").get_by_text("This may be Maria Verdi")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Save resident").click()
    expect(page.get_by_role("heading", name="Maria Bruno")).to_be_visible()
    db.session.rollback()
    bruno = db.session.scalar(sa.select(Person).where(Person.last_name == "Bruno"))
    assert (bruno.lat, bruno.lon) == (resident.lat, resident.lon)


def test_the_pin_moves_with_the_keyboard_alone(desk_page):
    org, _ = seed()
    resident = make_resident(org, first_name="Ada", last_name="Neri", lat=None, lon=None,
                             location_source=None, address=UNKNOWN)  # fmt: skip
    db.session.commit()
    page = desk_page
    log_in(page, "coord@example.org")
    page.goto(f"/coordinator/people/{resident.id}/map")
    # Move the map with the arrow keys, then put the pin at its centre.
    page.locator(".pin-map").focus()
    page.keyboard.press("ArrowRight")
    page.get_by_role("button", name="Put the pin at the centre of the map").focus()
    page.keyboard.press("Enter")
    lat = float(page.input_value("#lat"))
    # Then nudge the pin itself: Tab reaches it, arrows move it about 11 m a step.
    page.locator(".leaflet-marker-icon").focus()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert float(page.input_value("#lat")) == pytest.approx(lat + 0.0002, abs=2e-5)
    expect(page.locator("[data-pin-status]")).to_contain_text("Pin at")
    # Typing coordinates works too and moves the pin.
    page.fill("#lat", "41,60010")
    page.fill("#lon", "14.23000")
    page.locator("#lon").press("Tab")
    page.locator("#submit").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    db.session.rollback()
    resident = db.session.get(Person, resident.id)
    assert (resident.lat, resident.lon) == (41.6001, 14.23)


def test_a_hospital_outside_the_town_is_booked_with_a_pin(desk_page):
    org, _ = seed()
    resident = make_resident(org, first_name="Lina", last_name="Russo")
    db.session.commit()
    page = desk_page
    log_in(page, "coord@example.org")
    page.goto(f"/requests/new?resident={resident.id}")
    page.get_by_label("Kind").select_option("ride")
    day = date.today() + timedelta(days=5)
    page.get_by_label("Date (first date)").fill(day.isoformat())
    page.get_by_label("Appointment time").fill("10:30")
    page.get_by_label("Destination name").fill("Ospedale Cardarelli")
    page.get_by_label("Destination address").fill("Contrada Tappino, Campobasso")
    page.get_by_label("Stay (minutes)").fill("90")  # there and back: the driver waits
    with page.expect_navigation():
        page.get_by_role("button", name="Save request").click()
    # Not refused for good: the map opens under the field to point at it.
    expect(page.locator("#destination_address-error")).to_contain_text("not in the town's list")
    expect(page.locator("details[open] .pin-map")).to_be_visible()
    assert serious_violations(page) == []
    box = page.locator(".pin-map").bounding_box()
    page.locator(".pin-map").scroll_into_view_if_needed()
    box = page.locator(".pin-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.2)
    assert page.input_value("#destination_lat") != ""
    with page.expect_navigation():
        page.get_by_role("button", name="Save request").click()
    expect(page.get_by_text("Request saved for Lina Russo")).to_be_visible()
    db.session.rollback()
    req = db.session.scalars(sa.select(Request)).one()
    assert req.destination_lat is not None
    out = db.session.scalars(sa.select(Shift).where(Shift.request_id == req.id)).first()
    assert (out.end_lat, out.end_lon) == (req.destination_lat, req.destination_lon)


def test_the_map_page_fits_a_phone(browser, live_server):  # type: ignore[no-untyped-def]
    org, _ = seed()
    resident = make_resident(org)
    db.session.commit()
    context, page = context_page(browser, live_server, phone=True)
    try:
        log_in(page, "coord@example.org")
        page.goto(f"/coordinator/people/{resident.id}/map")
        expect(page.locator(".pin-map")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert serious_violations(page) == []
    finally:
        context.close()
