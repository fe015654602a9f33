"""The desk in real Chromium: a call from an unknown number that turns out to be a
registered resident, ending in a ride (keyboard only); a worried check-in reaching the
coordinator on duty and closed with an outcome; a duplicate caught at registration; and
axe-core on every desk page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser import context_page, log_in, serious_violations
from tests.factories import make_coordinator, make_org, make_resident, make_volunteer
from tests.people.helpers import HOME, add_address
from tests.shifts.builders import (
    HOSPITAL,
    add_place,
    in_days,
    make_request,
    shifts_of,
    visit_draft,
)
from webapp.db import utcnow
from webapp.desk.models import Alert, Contact
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.people.models import Person
from webapp.requests.models import Request, RequestKind
from webapp.shifts import operations as shift_ops

pytestmark = pytest.mark.browser


def _tab_to(page, name: str, limit: int = 60) -> int:  # type: ignore[no-untyped-def]
    """Press Tab until the focused element's accessible text is ``name``; the presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        text = page.evaluate(
            "() => { const e = document.activeElement; return (e.labels && e.labels[0] ?"
            " e.labels[0].innerText : e.innerText || e.value || '').trim(); }"
        )
        if text == name:
            return presses
    raise AssertionError(f"{name!r} not reached with {limit} presses of Tab")


def test_unknown_number_is_a_registered_resident_and_books_a_ride_by_keyboard(desk_page):
    org = make_org()
    add_place(org, *HOSPITAL)
    make_coordinator(org, email="coord@example.org")
    maria = make_resident(
        org,
        first_name="Maria",
        last_name="Russo",
        phone="0865 412345",
        address="Via Roma 3, Isernia",
    )
    for first in ("Anna", "Lucia", "Pietro"):
        make_resident(org, first_name=first, last_name="Colombo")
    db.session.commit()
    page = desk_page
    log_in(page, "coord@example.org")
    expect(page.get_by_role("heading", name="Today's desk")).to_be_visible()
    # The phone rings: the display shows a mobile number nobody has on file.
    expect(page.get_by_label("Who is calling?")).to_be_focused()
    page.keyboard.type("+39 347 123 4567")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Nobody found. A new caller?")).to_be_visible()
    # "It's Maria Russo, I'm at my daughter's": the search keeps the focus for the name.
    expect(page.get_by_label("Name, phone or address")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("maria russo")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Maria Russo")).to_be_visible()  # one match: her file
    assert page.url.endswith(f"/desk/people/{maria.id}")
    _tab_to(page, "New ride")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The form knows who and what: the date has the focus.
    expect(page.get_by_text("Maria Russo · Via Roma 3, Isernia")).to_be_visible()
    expect(page.get_by_label("Date (first date)")).to_be_focused()
    day = in_days(7)
    # Debian's Chromium lays date fields out month first, whatever the page's language.
    page.keyboard.type(day.strftime("%m%d%Y"))
    _tab_to(page, "Appointment time")
    page.keyboard.type("1030A")  # the A: a 12-hour field (Chromium's own locale) wants AM
    _tab_to(page, "Destination name")
    page.keyboard.type("Ospedale Veneziale")
    page.keyboard.press("Tab")
    page.keyboard.type(HOSPITAL[0])
    _tab_to(page, "Return ride")
    expect(page.get_by_label("Return ride")).to_be_checked()  # most rides come back
    page.keyboard.press("Tab")
    page.keyboard.type("90")
    _tab_to(page, "Save request")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Request saved for Maria Russo.")).to_be_visible()
    db.session.commit()  # a fresh transaction: see what the server wrote
    (ride,) = db.session.scalars(sa.select(Request).where(Request.resident_id == maria.id)).all()
    assert (ride.kind, ride.start_date, ride.return_wanted) == (RequestKind.RIDE, day, True)
    assert ride.destination_name == "Ospedale Veneziale"


def test_a_worried_checkin_reaches_the_coordinator_on_duty_and_is_closed(browser, live_server):
    org = make_org()
    make_coordinator(org, email="coord@example.org")
    make_coordinator(org, email="colleague@example.org")
    maria = make_resident(org, first_name="Maria", last_name="Russo", phone="0865 412345")
    vol = make_volunteer(org, first_name="Giulia", last_name="Bianchi", email="giulia@example.org")
    (shift,) = shifts_of(make_request(org, visit_draft(), resident=maria))
    shift_ops.assign(shift, vol, None)
    shift.starts_at = utcnow() - timedelta(hours=3)
    shift.ends_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    contexts = []
    try:
        ctx, desk = context_page(browser, live_server, phone=False)
        contexts.append(ctx)
        log_in(desk, "coord@example.org")
        desk.get_by_role("button", name="I am on duty").click()
        expect(desk.get_by_text("On duty: coord@example.org")).to_be_visible()

        ctx, phone = context_page(browser, live_server, phone=True)
        contexts.append(ctx)
        log_in(phone, vol.user.email)
        phone.get_by_role("link", name="My schedule").click()
        phone.get_by_role("link", name="Log how it went").click()
        phone.get_by_label("Low or lonely").check()
        phone.get_by_label("Something worries me").check()
        phone.fill("#note", "She has not eaten since Friday")
        phone.get_by_role("button", name="Send").click()
        phone.get_by_text("Thank you for your note").wait_for()

        # The coordinator on duty: in the bell, on the home page, by e-mail.
        desk.goto("/")
        expect(desk.locator(".bell-count")).to_have_text("1")
        card = desk.locator("article.alert")
        expect(card).to_contain_text("She has not eaten since Friday")
        expect(card.get_by_role("link", name="0865 412345")).to_have_attribute(
            "href", "tel:0865 412345"
        )
        expect(card).to_contain_text("Owner: coord@example.org")
        assert serious_violations(desk) == []
        db.session.commit()
        mail = db.session.scalars(
            sa.select(Notification).where(Notification.kind == "alert_raised")
        ).all()
        assert [m.address for m in mail] == ["coord@example.org"]
        # Closing needs an outcome.
        card.get_by_role("button", name="Handled").click()
        expect(desk.get_by_text("Say what was done before closing the alert.")).to_be_visible()
        desk.locator("article.alert").get_by_label("What was done").fill(
            "Called her daughter; the GP visits today"
        )
        desk.locator("article.alert").get_by_role("button", name="Handled").click()
        expect(desk.get_by_text("Alert closed: Maria Russo.")).to_be_visible()
        expect(desk.locator("article.alert")).to_have_count(0)
        desk.goto(f"/desk/people/{maria.id}")
        expect(
            desk.get_by_text("Handled: Called her daughter; the GP visits today")
        ).to_be_visible()
        db.session.commit()
        (alert,) = db.session.scalars(sa.select(Alert)).all()
        assert alert.outcome == "Called her daughter; the GP visits today"
    finally:
        for ctx in contexts:
            ctx.close()


def test_a_duplicate_is_caught_at_registration(desk_page):
    org = make_org()
    add_address(org, HOME)
    make_coordinator(org, email="coord@example.org")
    maria = make_resident(
        org, first_name="Maria", last_name="Russo", phone="0865 412345", address=HOME
    )
    db.session.commit()
    page = desk_page
    log_in(page, "coord@example.org")
    page.get_by_role("link", name="Register a new resident").click()
    expect(page.get_by_role("heading", name="Read this out")).to_be_visible()
    page.get_by_label("First name", exact=True).fill("Maria")
    page.get_by_label("Last name", exact=True).fill("Rosso")  # misheard on the phone
    page.get_by_label("Phone", exact=True).fill("0865/41.23.45")
    page.get_by_label("Home address", exact=True).fill(HOME)
    page.get_by_label("Visits and company").check()
    page.get_by_label("Consent given by phone").check()
    page.get_by_role("button", name="Save resident").click()
    warning = page.get_by_role("alert").filter(has_text="This may be someone already registered")
    expect(warning).to_contain_text("This may be Maria Russo")
    expect(warning).to_contain_text("same phone number, similar name, similar address")
    assert serious_violations(page) == []
    assert page.get_by_label("Last name", exact=True).input_value() == "Rosso"  # kept
    warning.get_by_role("link", name="Open Maria Russo's file").click()
    expect(page.get_by_role("heading", name="Maria Russo")).to_be_visible()
    assert page.url.endswith(f"/desk/people/{maria.id}")
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 1


def test_desk_pages_are_axe_clean_in_both_languages_and_fit_a_phone(browser, live_server):
    org = make_org()
    make_coordinator(org, email="coord@example.org")
    maria = make_resident(org, first_name="Maria", last_name="Russo", phone="0865 412345")
    make_request(org, visit_draft(in_days(2)), resident=maria)
    db.session.add(
        Contact(
            organisation_id=org.id,
            person_id=maria.id,
            outcome="no_answer",
            follow_up_at=utcnow() + timedelta(hours=1),
        )
    )
    db.session.commit()
    pages = [
        "/desk/",
        f"/desk/people/{maria.id}",
        "/desk/find?q=russo+ma",
        "/desk/calls",
        "/desk/alerts",
        "/desk/todo?list=unfilled",
        "/organisation",
        "/coordinator/residents?q=russo",
        "/coordinator/volunteers?q=x",
        "/requests/new",
        "/coordinator/residents/new",
    ]
    for phone in (False, True):
        ctx, page = context_page(browser, live_server, phone=phone)
        try:
            log_in(page, "coord@example.org")
            if phone:  # and in Italian
                page.locator("#locale-select").select_option("it")
                page.get_by_role("button", name="Change").click()
                expect(page.locator("html")).to_have_attribute("lang", "it")
            for url in pages:
                page.goto(url)
                assert serious_violations(page) == [], url
                if phone:
                    width = page.evaluate("document.documentElement.scrollWidth")
                    assert width <= 390, f"{url} is {width}px wide"
        finally:
            ctx.close()
    # The typeahead: matches appear while typing, before any button.
    ctx, page = context_page(browser, live_server, phone=False)
    try:
        log_in(page, "coord@example.org")
        page.goto("/requests/new")
        page.locator("#resident_q").press_sequentially("412345", delay=30)
        radio = page.get_by_role("radio", name=re.compile("Maria Russo"))
        expect(radio).to_be_checked()  # the only match is chosen
        assert page.url.endswith("/requests/new")  # no page load: the script did it
    finally:
        ctx.close()


def test_a_long_volunteer_picker_narrows_as_the_coordinator_types(desk_page):
    org = make_org()
    coord = make_coordinator(org, email="coord@example.org")
    (shift,) = shifts_of(make_request(org, visit_draft(), actor=coord))
    for i in range(9):
        make_volunteer(org, first_name=f"Vol{i}", last_name="Neri", phone=f"333 000 00{i:02d}",
                       with_user=False)  # fmt: skip
    make_volunteer(org, first_name="Giulia", last_name="Bianchi", phone="347 555 0101",
                   with_user=False)  # fmt: skip
    db.session.commit()
    page = desk_page
    log_in(page, "coord@example.org")
    page.goto(f"/shifts/{shift.id}/manage")
    box = page.get_by_label("Find a volunteer")
    box.fill("5550101")  # part of her phone number
    visible = page.locator("#volunteer option:not([hidden])")
    expect(visible).to_have_count(1)
    assert page.locator("#volunteer").input_value() == visible.get_attribute("value")
    assert visible.inner_text() == "Giulia Bianchi"
    assert serious_violations(page) == []
