"""Journeys in a real Chromium: sign-up on a phone, approval at a desk, a resident
registered by phone with the keyboard only, and an axe-core check of the main pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser import context_page, log_in, serious_violations
from tests.factories import make_coordinator, make_org, make_resident, make_volunteer
from tests.people.helpers import HOME, OTHER_HOME, add_address
from webapp.extensions import db
from webapp.people.models import Person, VolunteerStatus

pytestmark = pytest.mark.browser


def seed():  # type: ignore[no-untyped-def]
    org = make_org("Comune di Isernia")
    add_address(org, HOME)
    add_address(org, OTHER_HOME, 41.6, 14.24)
    coordinator = make_coordinator(org, email="coord@example.org")
    db.session.commit()
    return org, coordinator


def test_volunteer_signs_up_on_a_phone_and_waits(page):
    seed()
    page.goto("/")
    page.get_by_role("link", name="Volunteer with us").click()
    page.get_by_label("First name", exact=True).fill("Giulia")
    page.get_by_label("Last name", exact=True).fill("Bianchi")
    page.get_by_label("Phone", exact=True).fill("333 1234567")
    page.get_by_label("E-mail", exact=True).fill("giulia@example.org")
    page.get_by_label("Password", exact=True).fill("a long password 1")
    page.get_by_label("Home address", exact=True).fill("Via Roma 3, Isernia")
    page.get_by_label("Both", exact=True).check()
    page.get_by_label("How far will you travel? (km)", exact=True).fill("8")
    page.get_by_label("Hours per week you can give", exact=True).fill("3")
    page.get_by_label("Passenger seats in your car", exact=True).fill("3")
    page.get_by_label("Italian", exact=True).check()
    page.get_by_label("Music", exact=True).check()
    page.locator("#slots-0-weekday").select_option("1")
    page.locator("#slots-0-start").fill("09:00")
    page.locator("#slots-0-end").fill("12:00")
    page.locator("#slots-1-weekday").select_option("1")
    page.locator("#slots-1-start").fill("15:00")
    page.locator("#slots-1-end").fill("18:00")
    # A third slot without JavaScript: the button re-renders the form with a new row.
    with page.expect_navigation():
        page.get_by_role("button", name="Add another time slot").click()
    page.locator("#slots-2-weekday").select_option("3")
    page.locator("#slots-2-start").fill("10:00")
    page.locator("#slots-2-end").fill("11:30")
    assert page.locator("#slots-0-start").input_value() == "09:00"  # kept
    # Fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_label("I agree that Ponte keeps these details to arrange my volunteering").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    expect(
        page.get_by_text("We will contact you once a coordinator has approved you.")
    ).to_be_visible()
    person = db.session.scalar(sa.select(Person).where(Person.email == "giulia@example.org"))
    assert person.volunteer.status == VolunteerStatus.PENDING and len(person.slots) == 3
    assert person.volunteer.consent_method == "online"


def test_coordinator_records_checks_and_approves(desk_page):
    org, _ = seed()
    volunteer = make_volunteer(
        org, status=VolunteerStatus.PENDING, credentials=False, first_name="Piero"
    )
    db.session.commit()
    page = desk_page
    log_in(page, "coord@example.org")
    page.get_by_role("link", name="Awaiting approval", exact=True).click()
    page.get_by_role("link", name="Piero Rossi").click()
    today = date.today()
    for kind, expiry in (("identity", None), ("background_check", today + timedelta(days=700))):
        page.get_by_label("Check", exact=True).select_option(kind)
        page.get_by_label("Checked on", exact=True).fill(today.isoformat())
        if expiry:
            page.get_by_label("Expires on", exact=True).fill(expiry.isoformat())
        with page.expect_navigation():
            page.get_by_role("button", name="Record check").click()
        expect(page.get_by_text("Check recorded.")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Piero Rossi: Approved.")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Person, volunteer.id).volunteer.status == VolunteerStatus.APPROVED


def tab_to(page, element_id: str, press_space_on: tuple[str, ...] = ()) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until ``element_id`` has the focus, ticking the boxes named on the way."""
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.id")
        if focused in press_space_on:
            page.keyboard.press("Space")
        if focused == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_coordinator_registers_a_resident_with_the_keyboard_only(desk_page):
    seed()
    page = desk_page
    log_in(page, "coord@example.org")
    page.goto("/coordinator/residents/new")
    # The first name has the focus at once: the coordinator just types.
    # Browsers apply autofocus at a later rendering step than the load event: wait for it
    # (a page without autofocus fails here by timeout).
    page.wait_for_function("document.activeElement && document.activeElement.id === 'first_name'")
    assert page.evaluate("document.activeElement.id") == "first_name"
    page.keyboard.type("Maria")
    page.keyboard.press("Tab")
    page.keyboard.type("Verdi")
    page.keyboard.press("Tab")
    page.keyboard.type("0865 412345")
    page.keyboard.press("Tab")
    page.keyboard.type("Corso Garibaldi 12, Isernia")
    tab_to(page, "guardian_name", press_space_on=("wants_rides", "uses_walker"))
    page.keyboard.type("Luca Verdi")
    page.keyboard.press("Tab")
    page.keyboard.type("son")
    tab_to(page, "health_notes", press_space_on=("languages-0",))
    page.keyboard.type("Hard to reach by phone before 10.")
    tab_to(page, "consent")
    page.keyboard.press("Space")
    tab_to(page, "submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Maria Verdi is registered.")).to_be_visible()
    person = db.session.scalar(sa.select(Person).where(Person.last_name == "Verdi"))
    r = person.resident
    assert (r.wants_rides, r.wants_visits, r.uses_walker, r.consent_method) == (
        True, False, True, "phone",
    )  # fmt: skip
    assert person.languages == ["it"] and r.guardian_relation == "son"
    assert person.location_source == "gazetteer"


def test_main_pages_have_no_serious_accessibility_violations(page, browser, live_server):
    org, _ = seed()
    volunteer = make_volunteer(org, status=VolunteerStatus.PENDING, first_name="Piero")
    make_resident(org)
    db.session.commit()
    found = {}
    public = ["/", "/login", f"/join/{org.slug}/volunteer", f"/join/{org.slug}/resident"]
    for url in public:
        page.goto(url)
        found[url] = serious_violations(page)
    # A form with errors shows them next to the fields: check that state too.
    page.goto(f"/join/{org.slug}/volunteer")
    page.get_by_role("button", name="Sign up").click()
    found["volunteer sign-up with errors"] = serious_violations(page)
    desk, coordinator_page = context_page(browser, live_server, phone=False)
    log_in(coordinator_page, "coord@example.org")
    for url in (
        "/coordinator",
        "/coordinator/queue",
        f"/coordinator/people/{volunteer.id}",
        "/coordinator/residents/new",
    ):
        coordinator_page.goto(url)
        found[url] = serious_violations(coordinator_page)
    desk.close()
    assert {url: v for url, v in found.items() if v} == {}
