"""The issue's journey in real Chromium: a coordinator creates a thematic day for 10,
12 people apply (one signed up on the phone), the selection explains itself, the 6
selected who need a ride get ride requests, the match run proposes shared rides (fewer
drivers than passengers), a driver sees the route in order on a phone, completes it,
and the time bank credits the route once. axe-core on every page on the way."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.activities.builders import CENTRE, HOMES
from tests.browser import context_page, log_in, serious_violations
from tests.factories import make_coordinator, make_org, make_resident, make_volunteer
from tests.matchrun.scenario import next_monday
from tests.shifts.builders import add_place
from webapp.activities import operations as ops
from webapp.activities.models import Activity, IncomeBand
from webapp.db import utcnow
from webapp.extensions import db
from webapp.people.models import Person
from webapp.shifts.legs import group_of
from webapp.shifts.models import RideRoute, ShiftStatus
from webapp.timebank.models import Transfer

pytestmark = pytest.mark.browser


def _in_order(times: list[str]) -> bool:
    """Stop times ("HH:MM") in time order, a route running past midnight included (the
    test moves the route to three hours ago, which at night crosses local midnight): a
    drop of more than twelve hours is the next day, any other drop is out of order."""
    minutes, day = [], 0
    for hh, mm in (t.split(":") for t in times):
        now = int(hh) * 60 + int(mm) + day
        if minutes and now < minutes[-1] - 12 * 60:
            day += 24 * 60
            now += 24 * 60
        minutes.append(now)
    return minutes == sorted(minutes)


def _no_serious(page) -> None:  # type: ignore[no-untyped-def]
    assert serious_violations(page) == [], page.url


def test_thematic_day_with_shared_rides_credited_once(app, browser, live_server, desk_page):
    app.config["MATCHRUN_TIME_LIMIT_S"] = 3.0
    with app.test_request_context():
        org = make_org()
        add_place(org, *CENTRE, hood="Centro storico")
        make_coordinator(org, email="coord@example.org")
        riders = [make_resident(org, first_name=f"Rider{i}", lat=lat, lon=lon)
                  for i, (lat, lon) in enumerate(HOMES)]  # fmt: skip
        others = [make_resident(org, first_name=f"Walker{i}") for i in range(5)]
        make_resident(org, first_name="Caller", last_name="Phone")
        for i in range(4):
            d = make_volunteer(org, visits=False, driving=True, seats=4, first_name=f"Drv{i}",
                               email=f"driver{i}@example.org", lat=41.5940, lon=14.231)  # fmt: skip
            d.user.email = f"driver{i}@example.org"
            d.volunteer.hours_per_week = 10
        db.session.commit()
        org_id, rider_ids, other_ids = org.id, [r.id for r in riders], [o.id for o in others]
    day = next_monday() + timedelta(days=9)  # a Wednesday, past the booking notice
    page = desk_page
    log_in(page, "coord@example.org")
    # The coordinator creates the day.
    page.goto("/activities/new")
    _no_serious(page)
    page.get_by_label("Name of the activity").fill("Museum day")
    page.get_by_label("Place", exact=True).fill("Museo civico")
    page.get_by_label("Address of the place").fill(CENTRE[0])
    page.get_by_label("Day (the first, for a series)").fill(day.isoformat())
    page.get_by_label("Starts at").fill("10:00")
    page.get_by_label("Places").fill("10")
    page.get_by_label("Outlying neighbourhoods (separated by commas)").fill("Castelromano")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and open the call").click()
    expect(page.get_by_text("its call for applications is open")).to_be_visible()
    activity_url = page.url
    # 11 apply online: the 6 who need a ride are older and live alone.
    with app.test_request_context():
        db.session.rollback()  # see what the server committed
        act = db.session.scalar(sa.select(Activity).where(Activity.organisation_id == org_id))
        for r in db.session.scalars(sa.select(Person).where(Person.id.in_(rider_ids))):
            ops.apply(act, r, None, age=84, lives_alone=True, income=IncomeBand.LOW,
                      needs_ride=True)  # fmt: skip
        for o in db.session.scalars(sa.select(Person).where(Person.id.in_(other_ids))):
            ops.apply(act, o, None, age=68, lives_alone=False,
                      income=IncomeBand.MIDDLE, needs_ride=False)  # fmt: skip
        db.session.commit()
    # The twelfth calls in; the coordinator signs her up on the phone.
    page.goto(activity_url)
    option = page.locator("#person_id option", has_text="Caller Phone").get_attribute("value")
    page.get_by_label("Person").select_option(value=option)
    page.get_by_label("Age", exact=True).fill("66")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("Caller Phone has applied.")).to_be_visible()
    _no_serious(page)
    # Selection: asks once, then explains each rank.
    with page.expect_navigation():
        page.get_by_role("button", name="Make the selection").click()
    expect(page.get_by_text("10 of the 12 applicants will be selected")).to_be_visible()
    _no_serious(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Select and tell everyone").click()
    expect(page.get_by_text("10 people selected; everyone has been told.")).to_be_visible()
    rows = page.locator("tr[data-status]")
    expect(rows).to_have_count(12)
    first = rows.nth(0).inner_text()
    assert "8 points" in first and "lives alone (+3)" in first and "applied" in first
    expect(page.locator("tr[data-status=waiting]")).to_have_count(2)
    # The waiting ones are the two who met no criterion and applied last.
    assert "Caller Phone" in page.locator("tr[data-status=waiting]").nth(1).inner_text()
    expect(page.get_by_text("6 selected participants need a ride.")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Ask for rides").click()
    expect(page.get_by_text("6 ride requests made")).to_be_visible()
    _no_serious(page)
    # The match run proposes shared rides.
    monday = day - timedelta(days=day.weekday())
    page.goto("/match/")
    page.fill("#date_from", monday.isoformat())
    page.fill("#date_to", (monday + timedelta(days=6)).isoformat())
    page.get_by_label("Rides", exact=True).check()
    page.get_by_role("button", name="Propose matches").click()
    page.get_by_role("heading", name="Proposed matches").wait_for(timeout=90_000)
    expect(page.get_by_text("Shared ride").first).to_be_visible()
    _no_serious(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Approve all").click()
    with app.test_request_context():
        db.session.rollback()
        routes = db.session.scalars(sa.select(RideRoute).order_by(RideRoute.id)).all()
        assert routes
        drivers = {r.driver_id for r in routes}
        assert len(drivers) < 6  # fewer drivers than passengers
        route = routes[0]
        legs = group_of(route.legs[0])
        assert all(leg.status == ShiftStatus.APPROVED for leg in legs)
        driver_email = route.driver.user.email
        # The day comes: the route started three hours ago.
        shift_by = utcnow() - timedelta(hours=3) - min(x.starts_at for x in legs)
        shift_by = timedelta(minutes=shift_by // timedelta(minutes=1))  # whole minutes
        for leg in legs:
            leg.starts_at += shift_by
            leg.ends_at += shift_by
        route.stops = [
            dict(s, at=(datetime.fromisoformat(s["at"]) + shift_by).isoformat())
            for s in route.stops
        ]
        span = (max(x.ends_at for x in legs) - min(x.starts_at for x in legs)).total_seconds()
        route_id, leg_ids = route.id, [x.id for x in legs]
        db.session.commit()
    # The driver, on the phone: the route in order, each stop with its time.
    context, phone = context_page(browser, live_server, phone=True)
    try:
        log_in(phone, driver_email)
        phone.goto("/shifts/mine")
        card = phone.locator("article", has=phone.locator(".route-stops")).first
        expect(card.get_by_role("heading", name=re.compile("Shared ride"))).to_be_visible()
        times = [t.split(" ")[0] for t in card.locator(".route-stops li").all_inner_texts()]
        assert len(times) >= 4 and _in_order(times), times
        _no_serious(phone)
        card.get_by_role("link", name="Log how it went").click()
        phone.get_by_label("As usual").check()
        with phone.expect_navigation():
            phone.get_by_role("button", name="Send").click()
        expect(phone.get_by_text("Thank you for your note.")).to_be_visible()
    finally:
        context.close()
    with app.test_request_context():
        db.session.rollback()
        done = db.session.scalars(sa.select(RideRoute).where(RideRoute.id == route_id)).one()
        assert all(leg.status == ShiftStatus.COMPLETED for leg in group_of(done.legs[0]))
        paid = db.session.scalars(sa.select(Transfer).where(Transfer.shift_id.in_(leg_ids))).all()
        assert len(paid) == 1 and paid[0].amount == round(span / 60)
