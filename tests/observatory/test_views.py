"""The observatory's pages and downloads as a coordinator and an observer see them:
the figures of the fixture town, filters that say what is wrong, CSV / XLSX / PDF that
open and hold the same (suppressed) figures, and an observer who sees nothing else."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.factories import PASSWORD, make_coordinator, make_user
from tests.helpers import login
from tests.observatory.town import build_town
from webapp.auth.models import Role
from webapp.observatory.indicators import INDICATORS

Q1 = "start=2026-01-01&end=2026-03-31&grain=month"


@pytest.fixture
def town(db_session):  # type: ignore[no-untyped-def]
    town = build_town()
    town.people["coordinator"] = make_coordinator(town.org)
    town.people["observer"] = make_user(town.org, Role.OBSERVER)
    return town


def _as(client, user):  # type: ignore[no-untyped-def]
    assert login(client, user.email, PASSWORD).status_code == 302


@pytest.mark.parametrize("who", ["coordinator", "observer"])
def test_the_overview_shows_the_suppressed_figures_and_no_names(client, town, who):
    _as(client, town.people[who])
    html = client.get(f"/observatory/?{Q1}").get_data(as_text=True)
    assert "People reached" in html and "2026-02" in html
    # January's reach: 6 reached, newly reached withheld (see test_indicators).
    assert '<th scope="row">2026-01</th><td data-value="6">6</td><td data-value="">x</td>' in html
    for person in town.people.values():
        if hasattr(person, "first_name"):
            assert person.first_name not in html and person.last_name + "<" not in html


def test_the_observer_lands_on_the_observatory_and_sees_nothing_else(client, town):
    _as(client, town.people["observer"])
    home = client.get("/")
    assert home.status_code == 302 and home.location.endswith("/observatory/")
    html = client.get("/observatory/").get_data(as_text=True)
    assert "/desk" not in html and "/people" not in html  # no menu entry to anything else
    for url in ("/desk/", "/people/residents", "/timebank/coordinator", "/shifts/board"):
        assert client.get(url).status_code in (403, 404), url


def test_a_bad_filter_is_named_in_the_page(client, town):
    _as(client, town.people["coordinator"])
    resp = client.get("/observatory/?start=2026-03-31&end=2026-01-01")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "The end of the period comes before its start." in html and 'href="#f-end"' in html
    resp = client.get("/observatory/?start=31/01/2026&neighbourhood=Atlantis")
    assert "Type a date as YYYY-MM-DD" in resp.get_data(as_text=True)
    resp = client.get("/observatory/export.csv?grain=weekly")
    assert resp.status_code == 400 and b"grain" in resp.data
    assert client.get(f"/observatory/export.csv?{Q1}&table=nope").status_code == 404


def test_csv_of_one_table_and_of_all(client, town):
    _as(client, town.people["coordinator"])
    resp = client.get(f"/observatory/export.csv?{Q1}&table=services_by_period")
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Comune di Prova", "2026-01-01 to 2026-03-31"]
    assert ["2026-02", "6", "x", "7.0", "7.0"] in rows
    assert ["Total", "17", "x", "18.0", "18.0"] in rows
    everything = client.get(f"/observatory/export.csv?{Q1}").get_data(as_text=True)
    assert everything.count("\nTotal,") == len(INDICATORS) == 13


def test_xlsx_has_a_sheet_per_table_with_numbers_and_x(client, town):
    _as(client, town.people["observer"])
    resp = client.get(f"/observatory/export.xlsx?{Q1}")
    book = load_workbook(io.BytesIO(resp.data))
    assert len(book.sheetnames) == len(INDICATORS)
    sheet = book["services_by_period"]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=4, max_row=7)]
    assert values[1] == ["2026-02", 6, "x", 7.0, 7.0]


def test_the_pdf_report_opens_with_the_period_summaries_and_figures(client, town):
    _as(client, town.people["coordinator"])
    resp = client.get(f"/observatory/report.pdf?{Q1}&grain=quarter")
    assert resp.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(resp.data)).pages)
    assert "Comune di Prova" in text and "2026-01-01 to 2026-03-31" in text
    assert "8 people received at least one service" in text
    assert "Time bank flows" in text


def test_the_activity_filter_in_the_page_and_the_pdf_and_no_referral_names(client, town):
    _as(client, town.people["observer"])
    html = client.get(f"/observatory/?{Q1}&service=activity").get_data(as_text=True)
    assert '<option value="activity" selected>' in html
    assert "Activities: participants and attendances" in html
    assert '<th scope="row">Total</th><td>6</td><td>19</td></tr>' in html
    assert "Referrals by source" in html and "Loneliness scores" in html
    assert "Ada Referente" not in html and "Bice Segnalata" not in html
    pdf = client.get(f"/observatory/report.pdf?{Q1}&service=activity")
    assert pdf.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "activities only" in text and "Referrals received" in text
