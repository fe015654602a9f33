"""The demo town has a year of history: the observatory shows something real on first
run (every month of the last twelve has people reached, volunteers active, services
completed and not, alerts; the time bank paid the last weeks)."""

from __future__ import annotations

from datetime import date

from webapp.demo.loader import DEMO_SLUG, load_demo
from webapp.extensions import db
from webapp.observatory.overview import sections
from webapp.observatory.scope import default_scope
from webapp.orgs.models import Organisation

TODAY = date(2026, 11, 20)


def test_the_demo_town_fills_the_observatory_for_a_year(app, db_session):
    with app.test_request_context():
        load_demo(today=TODAY)
        org = db.session.query(Organisation).filter_by(slug=DEMO_SLUG).one()
        scope = default_scope(org.id, TODAY)
        tables = {t.key: t for sec in sections(scope) for _i, t in sec.tables}
    reach = tables["reach_by_period"]
    assert len(reach.rows) == 12
    # Every month but the current (partial) one shows people reached, unsuppressed.
    for row in reach.rows[:-1]:
        assert (row.shown("reached") or 0) >= 5, row
    assert (tables["volunteers_by_period"].total.shown("active") or 0) >= 10
    outcomes = tables["outcomes_by_period"].total
    assert outcomes.shown("completed") > 500 and outcomes.shown("cancelled") > 10
    assert (tables["alerts_by_period"].total.shown("raised") or 0) >= 5
    assert (tables["timebank_by_period"].total.shown("services") or 0) > 0
    assert len(tables["reach_by_neighbourhood"].rows) >= 3
