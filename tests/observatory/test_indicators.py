"""Every figure of the observatory against the fixture town (tests/observatory/town.py),
worked out by hand, suppression included: "x" is a suppressed cell, "–" nothing to show.
Runs on SQLite and PostgreSQL alike (PONTE_TEST_DATABASE_URL)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.observatory.town import build_town
from webapp.observatory.indicators import INDICATORS
from webapp.observatory.overview import sections as compute
from webapp.observatory.scope import Scope
from webapp.observatory.tables import Table

X = "x"


def grid(table: Table) -> dict[str, list[str]]:
    return {row.key: [row.text(c) for c in table.columns] for row in table.all_rows()}


@pytest.fixture
def tables(app, db_session):  # type: ignore[no-untyped-def]
    with app.test_request_context():
        town = build_town()
        scope = Scope(town.org.id, date(2026, 1, 1), date(2026, 3, 31), "month")
        yield {t.key: t for sec in compute(scope) for _ind, t in sec.tables}


def test_every_registered_indicator_is_computed(tables):
    assert len(INDICATORS) == 13
    assert set(tables) == set(INDICATORS)


def test_people_reached_and_newly_reached(tables):
    # R1 was first helped in December: not new. Feb's two newcomers (R6, R8) are too
    # few, so January's five are withheld too (else 7 - 0 - 5 = 2 gives them away).
    assert grid(tables["reach_by_period"]) == {
        "2026-01": ["6", X],
        "2026-02": ["7", X],
        "2026-03": ["5", "0"],
        "total": ["8", "7"],
    }


def test_served_and_unmet_by_neighbourhood(tables):
    # Borgo (R7, R8) is two people: all withheld, and Centro with it (the total is
    # shown); Borgo's two unmet services concern R7 alone, so the total is withheld.
    # The six approved volunteers all live in Centro storico, where nobody was served.
    assert grid(tables["reach_by_neighbourhood"]) == {
        "Borgo": [X, X, X, "0"],
        "Centro": [X, X, "0", "0"],
        "Centro storico": ["0", "0", "0", "6"],
        "total": ["8", "18", X, "6"],
    }


def test_services_and_hours(tables):
    # February's single ride (R8) is withheld, and so is its total; March's hours
    # given are by four volunteers, so January's (the smallest other) go too.
    assert grid(tables["services_by_period"]) == {
        "2026-01": ["6", "0", "6.0", X],
        "2026-02": ["6", X, "7.0", "7.0"],
        "2026-03": ["5", "0", "5.0", X],
        "total": ["17", X, "18.0", "18.0"],
    }


def test_outcomes_of_services_due(tables):
    # completed, cancelled, resident absent, volunteer absent, unfilled
    assert grid(tables["outcomes_by_period"]) == {
        "2026-01": ["6", "0", "0", "0", "0"],
        "2026-02": ["7", "0", "0", "0", X],
        "2026-03": ["5", X, "0", X, "0"],
        "total": ["18", X, "0", X, X],
    }


def test_requests_and_time_to_first_help(tables):
    # January: R2-R5 (5, 6, 7, 8 days) and R7 (12): median 7. February: R6 and R8, two
    # people, withheld, and January's counts with them. All seven: median 8.
    assert grid(tables["wait_by_period"]) == {
        "2026-01": [X, X, "7"],
        "2026-02": [X, X, X],
        "2026-03": ["0", "0", "–"],
        "total": ["7", "7", "8"],
    }


def test_volunteers_active_recruited_retained_lapsed_continuity(tables):
    # Active: Jan V1-V5, Feb V1-V6, Mar V1-V4 (4: withheld, and Jan's 5 with it).
    # Retained from December: V1 only. Lapsed in March: V5, V6. Same volunteer again:
    # 1 of 6 in Jan, 4 of 7 in Feb, 5 of 5 in Mar, 10 of 18 over the quarter.
    assert grid(tables["volunteers_by_period"]) == {
        "2026-01": [X, "0", X, "0", "17%"],
        "2026-02": ["6", X, "5", "0", "57%"],
        "2026-03": [X, "0", X, X, "100%"],
        "total": ["6", X, "–", X, "56%"],
    }


def test_alerts_raised_and_closed(tables):
    # January's one alert is about one person: withheld, and February's with it.
    # Closed after 4; 2, 4, 6, 8 hours: medians 5.0 (Feb) and 4.0 (all).
    assert grid(tables["alerts_by_period"]) == {
        "2026-01": [X, X, X, X],
        "2026-02": [X, X, X, "5.0"],
        "2026-03": ["0", "0", "0", "–"],
        "total": ["6", "5", "3", "4.0"],
    }


def test_time_bank_flows(tables):
    # Six visits paid in January (7 members); one donor, one grantee: withheld.
    assert grid(tables["timebank_by_period"]) == {
        "2026-01": ["6.0", "0.0", "0.0", "0.0"],
        "2026-02": ["0.0", X, "0.0", "0.0"],
        "2026-03": ["0.0", "0.0", X, "0.0"],
        "total": ["6.0", X, X, "0.0"],
    }


def test_filters_by_neighbourhood_service_and_quarter(app, db_session):
    with app.test_request_context():
        town = build_town()
        scope = Scope(
            town.org.id, date(2026, 1, 1), date(2026, 3, 31), "quarter", "Centro", "visit"
        )
        tables = {t.key: t for sec in compute(scope) for _ind, t in sec.tables}
    # Centro's visits: R1-R5 in January (R2-R5 new), R1-R6 in February (R6 new).
    assert grid(tables["reach_by_period"]) == {"2026-Q1": ["6", "5"], "total": ["6", "5"]}
    assert grid(tables["services_by_period"]) == {
        "2026-Q1": ["16", "0", "16.0", "16.0"],
        "total": ["16", "0", "16.0", "16.0"],
    }


def test_referrals_by_source_the_path_to_help(tables):
    # received, contacted, assessed, helped, median days to contact, to help.
    # Neighbours: five people, but only four assessed (withheld, and the total with it:
    # no other source has an assessed referral). The pharmacy's two people and the GP's
    # one are withheld; so the neighbours' contacted and helped go too (else the total
    # less them gives the pharmacy's). All: contact after 1,1,1,2,3,4,5 days (median 2),
    # help after 5,10,10,12,14,20 (median 11).
    grid_ = grid(tables["referrals_by_source"])
    assert grid_["neighbour"] == ["5", X, X, X, "3.0", "12.0"]
    assert grid_["pharmacy"] == [X, X, "0", X, X, X]
    assert grid_["gp"] == [X, "0", "0", "0", "–", "–"]
    assert grid_["self"] == ["0", "0", "0", "0", "–", "–"]
    assert grid_["total"] == ["8", "7", X, "6", "2.0", "11.0"]
    assert len(grid_) == 11  # every source and the total


def test_referrals_by_period(tables):
    assert grid(tables["referrals_by_period"]) == {
        "2026-01": ["5", X, X, X, "3.0", "12.0"],
        "2026-02": [X, X, "0", X, X, X],
        "2026-03": [X, "0", "0", "0", "–", "–"],
        "total": ["8", "7", X, "6", "2.0", "11.0"],
    }


def test_loneliness_first_and_latest_measure(tables):
    # people, mean/median first, mean/median latest, mean/median change.
    # March: R1-R5, 9 8 7 7 6 -> 6 6 5 7 3 (mean 7.4 -> 5.4, change -3 -2 -2 0 -3).
    # February: R7 alone (8 -> 7): withheld, and March's count with it (6 - x = 1).
    # R8 was measured once: not counted. All six: 7.5 -> 5.7, mean change -11/6.
    assert grid(tables["loneliness_by_period"]) == {
        "2026-01": ["0", "–", "–", "–", "–", "–", "–"],
        "2026-02": [X, X, X, X, X, X, X],
        "2026-03": [X, "7.4", "7.0", "5.4", "6.0", "-2.0", "-2.0"],
        "total": ["6", "7.5", "7.5", "5.7", "6.0", "-1.8", "-2.0"],
    }


def test_referrals_and_loneliness_by_neighbourhood(app, db_session):
    with app.test_request_context():
        town = build_town()
        scope = Scope(town.org.id, date(2026, 1, 1), date(2026, 3, 31), "quarter", "Centro")
        tables = {t.key: t for sec in compute(scope) for _ind, t in sec.tables}
    # Centro: the neighbours' five referrals (R1-R5) only; the GP's unidentified person
    # has no neighbourhood yet. Four assessed: withheld.
    row = ["5", "5", X, "5", "3.0", "12.0"]
    assert grid(tables["referrals_by_source"])["neighbour"] == row
    assert grid(tables["referrals_by_source"])["total"] == row
    q1 = ["5", "7.4", "7.0", "5.4", "6.0", "-2.0", "-2.0"]
    assert grid(tables["loneliness_by_period"]) == {"2026-Q1": q1, "total": q1}


def test_activities_participants_and_attendances(tables):
    # January: six present (R7 absent: not counted). February: R1-R3, withheld, and so
    # March's five participants (the smallest other) and January's six attendances.
    # The quarter: R1-R6, 6 + 3 + 10 = 19 attendances.
    assert grid(tables["activities_by_period"]) == {
        "2026-01": ["6", X],
        "2026-02": [X, X],
        "2026-03": [X, "10"],
        "total": ["6", "19"],
    }


def test_the_activity_filter_shows_activities_alone(app, db_session):
    with app.test_request_context():
        town = build_town()
        start, end = date(2026, 1, 1), date(2026, 3, 31)
        only = Scope(town.org.id, start, end, "quarter", service="activity")
        visits = Scope(town.org.id, start, end, "quarter", service="visit")
        a = {t.key: t for sec in compute(only) for _ind, t in sec.tables}
        v = {t.key: t for sec in compute(visits) for _ind, t in sec.tables}
    assert grid(a["activities_by_period"])["total"] == ["6", "19"]
    assert grid(a["services_by_period"])["total"] == ["0", "0", "0.0", "0.0"]
    assert grid(a["wait_by_period"])["total"] == ["0", "0", "–"]
    assert grid(a["timebank_by_period"])["total"][0] == "0.0"
    assert grid(v["activities_by_period"])["total"] == ["0", "0"]
