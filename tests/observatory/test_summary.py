"""The monthly summary gives exactly the live figures: every table, every cell, every
suppression, for whole and partial periods, both grains and every filter; a late change
to a past month shows after the next refresh, and until then the page says how old its
figures are. Runs on SQLite and PostgreSQL (PONTE_TEST_DATABASE_URL)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests.factories import PASSWORD, make_coordinator, make_org
from tests.helpers import login
from tests.observatory.town import build_town
from webapp.extensions import db
from webapp.observatory import summary, tasks
from webapp.observatory.models import ObservatoryPeople, ObservatoryRefresh
from webapp.observatory.overview import figures_as_of, sections
from webapp.observatory.scope import Scope
from webapp.shifts.models import NoShowSide, Shift, ShiftStatus

NOW = datetime(2026, 4, 15, 2, 0, tzinfo=UTC)
SCOPES = [
    ("2026-01-01", "2026-03-31", "month", None, None),
    ("2026-01-01", "2026-03-31", "quarter", None, None),
    ("2025-12-01", "2026-03-31", "month", "Centro", None),
    ("2026-01-01", "2026-03-31", "month", None, "visit"),
    ("2026-01-01", "2026-03-31", "quarter", "Borgo", "ride"),
    ("2026-01-01", "2026-03-31", "month", None, "activity"),
    ("2026-01-11", "2026-03-12", "month", None, None),  # partial first and last months
    ("2026-02-14", "2026-02-20", "month", None, None),  # within one month
    ("2026-02-01", "2026-03-31", "quarter", None, None),  # from the middle of a quarter
    ("2026-01-20", "2026-03-31", "quarter", "Centro", "visit"),
]


def figures(scope: Scope) -> dict[str, list[tuple[str, dict[str, object], list[str]]]]:
    """Every table as published: each row's values and suppressed cells."""
    return {
        table.key: [(r.key, dict(r.values), sorted(r.suppressed)) for r in table.all_rows()]
        for sec in sections(scope)
        for _ind, table in sec.tables
    }


def scope_of(org_id: int, spec: tuple[str, str, str, str | None, str | None]) -> Scope:
    start, end, grain, hood, service = spec
    return Scope(org_id, date.fromisoformat(start), date.fromisoformat(end), grain, hood, service)


def live_figures(org_id: int, scope: Scope) -> dict[str, object]:
    """The figures without the summary (as if never refreshed), the summary kept."""
    row = db.session.get(ObservatoryRefresh, org_id)
    saved = (row.through, row.refreshed_at) if row else None
    if row is not None:
        db.session.delete(row)
        db.session.flush()
    out = figures(scope)
    if saved is not None:
        db.session.add(ObservatoryRefresh(organisation_id=org_id, through=saved[0],
                                          refreshed_at=saved[1]))
        db.session.flush()
    return out


@pytest.mark.parametrize("today", [date(2026, 4, 15), date(2026, 3, 10), date(2026, 2, 1)])
def test_the_summary_gives_the_live_figures(app, db_session, today):
    # Refreshed in April: every month stored; in March: January and February stored,
    # March live; on 1 February: January stored, the rest live.
    with app.test_request_context():
        town = build_town()
        expected = {spec: figures(scope_of(town.org.id, spec)) for spec in SCOPES}
        summary.refresh(town.org.id, today, NOW)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ObservatoryPeople)) > 0
        for spec in SCOPES:
            assert figures(scope_of(town.org.id, spec)) == expected[spec], spec


def test_a_late_change_to_a_past_month_shows_after_the_next_refresh(app, db_session):
    with app.test_request_context():
        town = build_town()
        org = town.org.id
        scope = scope_of(org, SCOPES[0])
        summary.refresh(org, date(2026, 4, 15), NOW)
        before = figures(scope)
        assert figures_as_of(scope) == NOW
        # Yesterday a coordinator marked R1's March visit "the volunteer did not come".
        shift = db.session.scalars(
            sa.select(Shift).where(Shift.organisation_id == org,
                                   Shift.occurrence_date == date(2026, 3, 10))
            .order_by(Shift.id)
        ).first()
        assert shift is not None and shift.status == ShiftStatus.COMPLETED
        shift.status, shift.no_show_side = ShiftStatus.NO_SHOW, NoShowSide.VOLUNTEER
        db.session.flush()
        live = live_figures(org, scope)
        assert live != before  # the change moves figures ...
        assert figures(scope) == before  # ... which the summary has not seen yet
        later = datetime(2026, 4, 16, 2, 0, tzinfo=UTC)
        summary.refresh(org, date(2026, 4, 16), later)
        assert figures(scope) == live
        assert figures_as_of(scope) == later


def test_the_current_month_is_live_and_says_so(app, db_session):
    with app.test_request_context():
        town = build_town()
        org = town.org.id
        march = Scope(org, date(2026, 3, 1), date(2026, 3, 31))
        assert figures_as_of(march) is None  # never refreshed: all live
        summary.refresh(org, date(2026, 3, 10), NOW)
        assert figures_as_of(march) is None  # March is the current month: live
        assert figures_as_of(scope_of(org, SCOPES[0])) == NOW


def test_a_refresh_replaces_the_organisations_summary_and_no_other(app, db_session):
    with app.test_request_context():
        town = build_town()
        other = make_org("Altro comune")
        summary.refresh(town.org.id, date(2026, 4, 15), NOW)

        def rows(org_id: int) -> int:
            return db.session.scalar(
                sa.select(sa.func.count()).select_from(ObservatoryPeople)
                .where(ObservatoryPeople.organisation_id == org_id)
            )

        n = rows(town.org.id)
        assert summary.refresh(other.id, date(2026, 4, 15), NOW) == "nothing before this month"
        summary.refresh(town.org.id, date(2026, 4, 15), NOW)
        assert rows(town.org.id) == n > 0
        assert rows(other.id) == 0


def test_the_nightly_job_refreshes_each_organisation_once_a_night(app, db_session):
    with app.test_request_context():
        town = build_town()
        # 03:00 in Rome on 15 April is 01:00 UTC: the job is due from then on.
        night = datetime(2026, 4, 15, 1, 30, tzinfo=UTC)
        assert "org" in tasks.run_observatory_summary(night)
        state = summary.state(town.org.id)
        assert state is not None and state.through == date(2026, 4, 1)
        assert state.refreshed_at == night
        assert tasks.run_observatory_summary(night + timedelta(minutes=10)) == "not due"
        assert figures_as_of(scope_of(town.org.id, SCOPES[0])) == night


def test_flask_observatory_refresh(app, db_session):
    with app.test_request_context():
        town = build_town()
        slug = town.org.slug
    runner = app.test_cli_runner()
    result = runner.invoke(args=["observatory", "refresh", "--org", slug])
    assert result.exit_code == 0, result.output
    assert f"{slug}: " in result.output
    assert summary.state(town.org.id) is not None
    result = runner.invoke(args=["observatory", "refresh", "--org", "nowhere"])
    assert result.exit_code != 0 and "nowhere" in result.output


def test_the_page_says_how_old_its_figures_are(client, db_session):
    town = build_town()
    coordinator = make_coordinator(town.org)
    assert login(client, coordinator.email, PASSWORD).status_code == 302
    q1 = "/observatory/?start=2026-01-01&end=2026-03-31&grain=month"
    assert "as of" not in client.get(q1).get_data(as_text=True)  # never refreshed: live
    summary.refresh(town.org.id, date(2026, 4, 15), NOW)
    html = client.get(q1).get_data(as_text=True)
    # 02:00 UTC is 04:00 in Rome (summer time).
    assert "Figures of past months as of 15/04/2026 04:00" in html
    assert "People reached" in html
    pdf = client.get(q1.replace("/?", "/report.pdf?"))
    assert pdf.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "as of 15/04/2026 04:00" in " ".join(text.split())
