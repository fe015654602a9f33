"""Residents at high risk with no service (catalogue/risk.py) against the fixture town,
worked out by hand from town.AT_RISK (and the alert still open about R5)."""

from __future__ import annotations

import csv
import html as htmllib
import io
import json
import re
from datetime import date

from tests.factories import PASSWORD, make_coordinator
from tests.helpers import login
from tests.observatory.town import build_town
from webapp.observatory.catalogue.risk import load_residents_at_risk
from webapp.observatory.overview import sections as compute
from webapp.observatory.scope import Scope
from webapp.observatory.tables import Table

Q1 = (date(2026, 1, 1), date(2026, 3, 31))
X = "x"


def grid(table: Table) -> dict[str, list[str]]:
    return {row.key: [row.text(c) for c in table.columns] for row in table.all_rows()}


def _tables(scope: Scope) -> dict:  # type: ignore[type-arg]
    return {t.key: t for sec in compute(scope) for _ind, t in sec.tables}


def test_residents_at_high_risk_with_no_service_by_neighbourhood(app, db_session):
    with app.test_request_context():
        town = build_town()
        tables = _tables(Scope(town.org.id, *Q1, "month"))
    # Colle: R9, R10, R11, R12 (open alert), R14, R15 at high risk; R13's high measure
    # comes after March and R16's alert was closed in December. R11 has an April visit
    # booked: served; R14's April visit was cancelled: not. So 6 at risk, 5 unserved.
    # Centro: R5 (February's alert is still open), served. Borgo: R17, a ride booked.
    # Both are one person: withheld; Colle's 6 stays (two cells withheld in the column).
    assert grid(tables["risk_by_neighbourhood"]) == {
        "Borgo": [X, "0"],
        "Centro": [X, "0"],
        "Colle": ["6", "5"],
        "total": ["8", "5"],
    }


def test_the_neighbourhood_filter_and_the_section_summary(app, db_session):
    with app.test_request_context():
        town = build_town()
        scope = Scope(town.org.id, *Q1, "quarter", "Colle", "ride")  # service: ignored
        secs = compute(scope)
        tables = {t.key: t for sec in secs for _ind, t in sec.tables}
        demand = next(s for s in secs if s.key == "demand")
    assert grid(tables["risk_by_neighbourhood"]) == {"Colle": ["6", "5"], "total": ["6", "5"]}
    assert "6 residents were at high risk" in demand.summary
    assert "5 of them had no visit or ride" in demand.summary


def test_risk_is_judged_at_the_end_of_the_period(app, db_session):
    with app.test_request_context():
        town = build_town()
        ids = {p.id: key for key, p in town.people.items()}
        january = load_residents_at_risk(Scope(town.org.id, date(2026, 1, 1), date(2026, 1, 31)))
        quarter = load_residents_at_risk(Scope(town.org.id, *Q1))
    # By 31 January only R9, R10 (measured on the 20th and 21st) and R12 (alert open
    # since December) were at high risk; nothing of theirs was given or booked.
    assert {ids[f.person]: f.served for f in january} == {"R9": False, "R10": False, "R12": False}
    assert {ids[f.person]: (f.hood, f.served) for f in quarter} == {
        "R5": ("Centro", True),
        "R9": ("Colle", False),
        "R10": ("Colle", False),
        "R11": ("Colle", True),
        "R12": ("Colle", False),
        "R14": ("Colle", False),
        "R15": ("Colle", False),
        "R17": ("Borgo", True),
    }


def test_the_map_and_the_csv_carry_the_counts_never_a_name(client, db_session):
    town = build_town()
    coordinator = make_coordinator(town.org)
    assert login(client, coordinator.email, PASSWORD).status_code == 302
    q1 = "start=2026-01-01&end=2026-03-31&grain=month"
    page = client.get(f"/observatory/?{q1}").get_data(as_text=True)
    found = re.search(r"data-observatory-map='([^']*)'", page)
    assert found is not None
    cfg = json.loads(htmllib.unescape(found.group(1)))
    # Every fixture home is at one point; Colle and Centro have 5+ people (a centre),
    # Borgo three (no centre: not drawn, its figures are in the tables).
    areas = {a["name"]: a for a in cfg["areas"]}
    assert set(areas) == {"Centro", "Centro storico", "Colle"}
    assert areas["Colle"]["text"] == {"at_risk": "6", "unserved": "5"}
    assert areas["Centro"]["text"]["at_risk"] == X
    assert areas["Centro"]["text"]["served"] == X  # the first table's cells too
    assert "unserved" in cfg["columns"] and "served" in cfg["columns"]
    assert 'href="#risk_by_neighbourhood"' in page
    body = client.get(f"/observatory/export.csv?{q1}&table=risk_by_neighbourhood")
    rows = list(csv.reader(io.StringIO(body.get_data(as_text=True).lstrip("\ufeff"))))
    assert ["Colle", "6", "5"] in rows and ["Total", "8", "5"] in rows
    assert ["Borgo", "x", "0"] in rows
    for key, person in town.people.items():
        if key.startswith("R"):
            assert f">{person.first_name}<" not in page and person.last_name not in str(rows)
