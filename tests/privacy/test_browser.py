"""Privacy in real Chromium: a coordinator exports a resident's data, erases them (the
page says what will happen and asks once), then reads the audit log from the desk's menu;
a member downloads their own data on a phone; axe-core on every privacy page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser import context_page, log_in, serious_violations
from tests.factories import make_coordinator, make_org, make_resident, make_user, make_volunteer
from tests.shifts.builders import in_days, make_request, shifts_of, visit_draft
from webapp.extensions import db
from webapp.people.models import Person
from webapp.shifts import operations as shift_ops

pytestmark = pytest.mark.browser


def _world():  # type: ignore[no-untyped-def]
    org = make_org()
    coordinator = make_coordinator(org, email="coord@example.org")
    resident = make_resident(
        org, first_name="Teodora", last_name="Fantini", phone="0865 778899",
        address="Vicolo Stretto 4, Isernia",
    )  # fmt: skip
    resident.resident.health_notes = "pacemaker"
    make_user(org, person=resident, email="teodora@example.org")
    volunteer = make_volunteer(org, first_name="Bruno")
    req = make_request(org, visit_draft(in_days(6)), resident=resident, actor=coordinator)
    shift_ops.assign(shifts_of(req)[0], volunteer, coordinator)
    db.session.commit()
    return org, coordinator, resident


def test_coordinator_exports_then_erases_a_person_and_reads_the_audit_log(desk_page):
    org, coordinator, resident = _world()
    page = desk_page
    log_in(page, "coord@example.org")
    page.goto(f"/desk/people/{resident.id}")
    with page.expect_navigation():
        page.get_by_role("link", name="Data, consent, export, erasure").click()
    expect(page.get_by_role("heading", name="Data of Teodora Fantini")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Export (JSON)").click()
    exported = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert exported["person"]["last_name"] == "Fantini"
    assert exported["resident_profile"]["health_notes"] == "pacemaker"
    with page.expect_download() as info:
        page.get_by_role("link", name="Export (CSV)").click()
    assert "Fantini" in Path(info.value.path()).read_text(encoding="utf-8")
    with page.expect_navigation():
        page.get_by_role("link", name="Erase…").click()
    expect(page.get_by_role("heading", name="Erase the data of Teodora Fantini")).to_be_visible()
    expect(page.get_by_text("1 active requests are cancelled")).to_be_visible()
    expect(page.get_by_text("Their login stops working")).to_be_visible()
    # Asked once: without the box ticked nothing happens and the field says why.
    with page.expect_navigation():
        page.get_by_role("button", name="Erase this person's data").click()
    expect(page.get_by_text("Tick the box to confirm the erasure.")).to_be_visible()
    page.get_by_label("I understand: this cannot be undone").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Erase this person's data").click()
    expect(page.get_by_text("The personal data are erased.")).to_be_visible()
    expect(page.get_by_role("heading", name="Data of Erased P-")).to_be_visible()
    # The audit log, from the desk's menu.
    with page.expect_navigation():
        page.get_by_role("navigation").get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    table = page.locator("table.audit-log")
    expect(table.get_by_text("Personal data erased")).to_be_visible()
    expect(table.get_by_text("Data exported").first).to_be_visible()
    expect(table.get_by_text("Record viewed").first).to_be_visible()
    assert "Fantini" not in page.content() and "pacemaker" not in page.content()
    # Filtered by the person: the link on their (pseudonymous) name.
    with page.expect_navigation():
        table.get_by_role("link", name="Erased P-").first.click()
    expect(page.get_by_role("heading", name="Audit log: Erased P-")).to_be_visible()
    db.session.commit()  # a fresh transaction: what the server wrote
    person = db.session.scalar(sa.select(Person).where(Person.id == resident.id))
    assert person.erased_at is not None and person.phone is None


def test_privacy_pages_have_no_serious_accessibility_violations(browser, live_server):
    org, coordinator, resident = _world()
    found = {}
    context, page = context_page(browser, live_server, phone=False)
    log_in(page, "coord@example.org")
    page.goto(f"/desk/people/{resident.id}")  # something in the log
    for url in (
        "/privacy/audit",
        f"/privacy/people/{resident.id}",
        f"/privacy/people/{resident.id}/erase",
        "/privacy/",
        "/privacy/processing",
    ):
        page.goto(url)
        found[url] = serious_violations(page)
    page.goto(f"/privacy/people/{resident.id}/erase")
    with page.expect_navigation():
        page.get_by_role("button", name="Erase this person's data").click()
    found["erase with an error"] = serious_violations(page)
    context.close()
    phone, member = context_page(browser, live_server, phone=True)
    log_in(member, "teodora@example.org")
    with member.expect_navigation():
        member.get_by_role("link", name="My data").click()
    expect(member.get_by_role("heading", name="My data")).to_be_visible()
    assert member.evaluate("document.documentElement.scrollWidth") <= 390
    found["/privacy/me"] = serious_violations(member)
    with member.expect_download() as info:
        member.get_by_role("link", name="Download my data (JSON)").click()
    assert json.loads(Path(info.value.path()).read_text(encoding="utf-8"))["person"][
        "first_name"
    ] == ("Teodora")
    phone.close()
    assert {url: v for url, v in found.items() if v} == {}
