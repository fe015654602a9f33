"""Referrals in real Chromium: a neighbour refers someone from a phone-sized page
(English and Italian, axe-clean); a coordinator takes the referral from the desk, finds
the person already on file, logs the call, measures loneliness on the phone, books a
weekly visit and sees the times of the path on the case file and the report."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser import log_in, serious_violations
from tests.factories import make_coordinator, make_org, make_resident
from tests.shifts.builders import in_days
from webapp.extensions import db
from webapp.referrals import operations
from webapp.referrals.models import LonelinessMeasure, Referral, ReferralStatus
from webapp.requests.models import Request

pytestmark = pytest.mark.browser


def test_a_neighbour_refers_someone_from_a_phone(page):
    org = make_org("Comune di Isernia")
    db.session.commit()
    page.goto("/")
    page.get_by_role("link", name="Worried about someone?").click()
    expect(page.get_by_role("heading", name="Worried about someone?")).to_be_visible()
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    # Sent too soon: every problem named, next to its field.
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("alert")).to_contain_text("Give their name")
    expect(page.get_by_role("alert")).to_contain_text("Tick the box")
    assert serious_violations(page) == []
    page.get_by_label("Their name").fill("Signora Maria, Via Roma 3")
    page.get_by_label("Their address").fill("Via Roma 3, Isernia")
    page.get_by_label("Why are you worried?").fill("Her shutters stay closed all day.")
    page.get_by_label("No, or I am not sure").check()
    page.get_by_label("How do you know them?").select_option(label="A neighbour")
    page.get_by_label("Your name").fill("Lucia Neri")
    page.get_by_label("Your phone or e-mail").fill("333 7654321")
    page.get_by_label("I agree that these details are kept").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    expect(page.get_by_text("within two working days")).to_be_visible()
    db.session.commit()
    (referral,) = db.session.scalars(sa.select(Referral)).all()
    assert referral.organisation_id == org.id and referral.subject_phone is None
    assert referral.consent.value == "not_asked"
    # The same page in Italian is as clean.
    page.goto(f"/refer/{org.slug}")
    page.get_by_label("Language").select_option("it")
    page.get_by_role("button", name="Change").click()
    expect(page.get_by_role("heading", name="Sei preoccupato per qualcuno?")).to_be_visible()
    assert serious_violations(page) == []


def test_the_coordinator_takes_it_from_the_desk_to_a_weekly_visit(desk_page):
    org = make_org()
    make_coordinator(org, email="coord@example.org")
    maria = make_resident(org, first_name="Maria", last_name="Russo", phone="0865 412345",
                          address="Via Roma 3, Isernia")  # fmt: skip
    operations.add_activity(org.id, {"name": "Caffè della memoria", "schedule": "Tuesdays 15:00",
                                     "place": "Centro anziani, Via Kennedy 2"})  # fmt: skip
    db.session.commit()
    page = desk_page
    page.goto(f"/refer/{org.slug}")
    page.get_by_label("Their name").fill("Maria Russo")
    page.get_by_label("Their phone number").fill("+39 0865 41 23 45")
    page.get_by_label("Yes, they know and agree").check()
    page.get_by_label("How do you know them?").select_option(label="Pharmacy")
    page.get_by_label("Your name").fill("Farmacia Centrale")
    page.get_by_label("Your phone or e-mail").fill("0865 111222")
    page.get_by_label("I agree that these details are kept").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    # The pharmacist keeps the private link to follow the referral.
    status_link = page.locator("a[href*='/refer/status/']").get_attribute("href")
    page.goto(status_link)
    expect(page.get_by_text("Now: received.")).to_be_visible()

    log_in(page, "coord@example.org")
    assert serious_violations(page) == []
    section = page.locator("#referrals")
    expect(section).to_contain_text("Maria Russo")
    expect(section).to_contain_text("Pharmacy")
    section.get_by_role("link", name="Maria Russo").click()
    expect(page.get_by_role("heading", name="Referral: Maria Russo")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Make it mine").click()
    expect(page.get_by_text("The referral is yours.")).to_be_visible()
    # The number was given in another format: the duplicate check finds her anyway.
    page.get_by_role("button", name="This is Maria Russo").click()
    expect(page.get_by_text("Linked to Maria Russo.")).to_be_visible()
    page.get_by_role("link", name="Call and log it").click()
    # The call: she is glad someone rang.
    page.get_by_label("Outcome").select_option(label="Reached")
    page.get_by_label("Note").first.fill("Glad of a call; would like company in the afternoon")
    page.get_by_role("button", name="Save the call").click()
    expect(page.get_by_text("Call recorded for Maria Russo.")).to_be_visible()
    loneliness = page.locator("#loneliness")
    expect(loneliness).to_contain_text("Contacted")
    expect(loneliness).to_contain_text("after the referral")
    # The loneliness measure, read out on the phone.
    loneliness.get_by_role("link", name="Measure loneliness").click()
    assert serious_violations(page) == []
    for question, answer in (
        ("How often do you feel that you lack companionship?", "Often"),
        ("How often do you feel left out?", "Some of the time"),
        ("How often do you feel isolated from others?", "Often"),
        ("How often do you feel lonely?", "Some of the time"),
    ):
        page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    page.get_by_label("Lives alone").check()
    page.get_by_role("button", name="Save the measure").click()
    expect(page.get_by_text("Loneliness measure saved.")).to_be_visible()
    expect(loneliness).to_contain_text("8 of 9")
    expect(loneliness).to_contain_text("Assessed")
    assert serious_violations(page) == []
    # A first visit, weekly.
    page.get_by_role("link", name="New visit").click()
    day = in_days(7)
    page.get_by_label("Date (first date)").fill(day.isoformat())
    page.get_by_label("Repeats every week").check()
    page.get_by_label("Repeat until").fill(in_days(7 + 12 * 7).isoformat())
    page.get_by_label(day.strftime("%A"), exact=True).check()
    page.get_by_label("From (every chosen day)").fill("15:00")
    page.get_by_label("Until (every chosen day)").fill("18:00")
    page.get_by_role("button", name="Save request").click()
    expect(page.get_by_text("Request saved for Maria Russo.")).to_be_visible()
    page.goto(f"/desk/people/{maria.id}")
    # An activity from the directory, with a ride there: the ride form opens for her.
    activities = page.locator("#activities")
    activities.get_by_label("Activity").select_option(label="Caffè della memoria")
    activities.get_by_label("Needs a ride there and back").check()
    activities.get_by_role("button", name="Prescribe").click()
    expect(page.get_by_text("Now book the ride there and back.")).to_be_visible()
    expect(page.get_by_text("Maria Russo · Via Roma 3, Isernia")).to_be_visible()
    page.goto(f"/desk/people/{maria.id}")
    expect(page.locator("#activities")).to_contain_text("Caffè della memoria")
    expect(page.locator("#activities")).to_contain_text("with a ride")
    assert serious_violations(page) == []
    expect(page.locator("#loneliness")).to_contain_text("First help booked")
    expect(page.locator("#loneliness")).not_to_contain_text("First help booked -")
    page.locator("#loneliness").get_by_role("link", name=re.compile("Referred by")).click()
    page.get_by_role("button", name="Accept into the service").click()
    expect(page.get_by_text("Accepted into the service.")).to_be_visible()
    # The report: one pharmacy referral, contacted, assessed and accepted.
    page.get_by_role("link", name="Activities directory").first.click()
    expect(page.get_by_text("Caffè della memoria")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("link", name="Path to help").first.click()
    row = page.get_by_role("row", name=re.compile("^Pharmacy"))
    expect(row).to_contain_text("1")
    assert serious_violations(page) == []
    db.session.commit()
    referral = db.session.scalars(sa.select(Referral)).one()
    assert referral.status == ReferralStatus.ACCEPTED and referral.person_id == maria.id
    assert referral.first_contact_at is not None and referral.assessed_at is not None
    assert db.session.scalars(sa.select(LonelinessMeasure)).one().score == 8
    assert db.session.scalars(sa.select(Request)).one().recurring
    # The pharmacist sees "helped", and nothing about her.
    page.goto(status_link)
    expect(page.get_by_text("Now: helped.")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Maria")
    assert serious_violations(page) == []
