"""Browser journeys of the observatory: a coordinator preparing the quarter's report
(filters, map, charts, CSV and PDF downloaded and opened) and an observer who sees the
observatory and nothing else; axe-core clean in English and Italian."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser import log_in, serious_violations
from tests.factories import make_coordinator, make_user
from tests.observatory.town import build_town
from webapp.auth.models import Role
from webapp.extensions import db

pytestmark = pytest.mark.browser


@pytest.fixture
def town(committed_db):  # type: ignore[no-untyped-def]
    town = build_town()
    make_coordinator(town.org, email="coord@example.org")
    make_user(town.org, Role.OBSERVER, email="council@example.org")
    db.session.commit()
    return town


def _italian(page) -> None:  # type: ignore[no-untyped-def]
    page.select_option("#locale-select", "it")
    with page.expect_navigation():
        page.locator(".language-switch button").click()


def test_a_coordinator_prepares_the_quarters_report(desk_page, town, tmp_path):
    page = desk_page
    log_in(page, "coord@example.org")
    page.get_by_role("link", name="Observatory").first.click()
    expect(page.get_by_role("heading", name="Observatory", level=1)).to_be_visible()
    # The quarter: January to March 2026, by month, every neighbourhood, both services.
    page.get_by_label("From", exact=True).fill("2026-01-01")
    page.get_by_label("To", exact=True).fill("2026-03-31")
    page.get_by_label("By", exact=True).select_option("month")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    assert "start=2026-01-01" in page.url
    reach = page.locator("#tbl-reach_by_period")
    expect(reach.locator("tbody tr")).to_have_count(3)
    expect(reach.locator("tfoot")).to_contain_text("8")
    # Each chart is drawn from its table (the table stays as its text alternative).
    chart = page.locator("#reach_by_period figure.obs-chart")
    expect(chart).to_be_visible()
    assert page.evaluate("() => !!window.Chart && Object.keys(window.Chart.instances).length") >= 8
    # The map draws the neighbourhoods on a plain background (no tiles configured).
    expect(page.locator(".obs-map.leaflet-container")).to_be_visible()
    page.locator(".obs-map").focus()
    page.keyboard.press("+")
    # Colle's five residents at high risk with no service, beside its circle and in the
    # table the map links to.
    expect(page.locator(".obs-map .obs-risk")).to_have_text("\u25b2 5")
    expect(page.locator("#tbl-risk_by_neighbourhood tfoot")).to_contain_text("8")
    # Narrow to Centro's visits: the filters travel into the downloads.
    page.get_by_label("Neighbourhood", exact=True).select_option("Centro")
    page.get_by_label("Service", exact=True).select_option("visit")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    # Activities alone: participants and attendances; the referral funnel per source.
    page.get_by_label("Service", exact=True).select_option("activity")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    expect(page.locator("#tbl-activities_by_period tfoot")).to_contain_text("19")
    expect(page.locator("#tbl-referrals_by_source tbody tr")).to_have_count(10)
    page.get_by_label("Neighbourhood", exact=True).select_option("")
    page.get_by_label("Service", exact=True).select_option("")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    with page.expect_download() as got:
        page.get_by_role("link", name="All tables (CSV)").click()
    path = Path(tmp_path) / "obs.csv"
    got.value.save_as(path)
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["Comune di Prova", "2026-01-01 to 2026-03-31"]
    assert ["Total", "8", "7"] in rows
    with page.expect_download() as got:
        page.get_by_role("link", name="Report (PDF)").click()
    pdf = Path(tmp_path) / "report.pdf"
    got.value.save_as(pdf)
    text = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Comune di Prova" in text and "People reached" in text
    assert "8 people received at least one service, 7 of them for the first time" in text


def test_an_observer_sees_the_observatory_and_nothing_else(desk_page, town):
    page = desk_page
    log_in(page, "council@example.org")
    assert page.url.endswith("/observatory/")
    links = {a.get_attribute("href") for a in page.locator("header a").all()}
    assert "/observatory/" in links
    # Nothing else but the home link (which leads back here) and their own login.
    assert links <= {"/", "/observatory/", "/notifications/", "/account/password", "#main"}
    for url in ("/desk/", "/coordinator/people/", "/shifts/board", "/timebank/"):
        response = page.goto(url)
        assert response is not None and response.status in (403, 404), url
    page.goto("/observatory/?start=2026-01-01&end=2026-03-31")
    expect(page.locator("#tbl-services_by_period tfoot")).to_contain_text("17")


@pytest.mark.parametrize("locale", ["en", "it"])
def test_the_observatory_is_axe_clean(desk_page, town, locale):
    page = desk_page
    log_in(page, "council@example.org")
    if locale == "it":
        _italian(page)
    page.goto("/observatory/?start=2026-01-01&end=2026-03-31")
    assert page.locator("html").get_attribute("lang") == locale
    if locale == "it":
        expect(page.get_by_role("heading", name="Osservatorio", level=1)).to_be_visible()
        expect(page.get_by_role("heading", name="Segnalazioni", exact=True)).to_be_visible()
    expect(page.locator(".obs-map.leaflet-container")).to_be_visible()
    assert serious_violations(page) == []
    page.goto("/observatory/?start=2026-03-31&end=2026-01-01")  # the error summary too
    assert serious_violations(page) == []
