from __future__ import annotations

from datetime import timedelta

from tests.factories import make_org
from tests.shifts.builders import in_days, make_request, shifts_of, visit_draft
from webapp.extensions import db
from webapp.requests.planning import extend_horizon
from webapp.shifts.models import ShiftStatus
from webapp.shifts.operations import mark_unfilled


def test_jobs_are_idempotent(db_session):
    org = make_org()
    start = in_days(3)
    end = start + timedelta(weeks=20)
    req = make_request(org, visit_draft(start, recurring=True, end_date=end))
    before = len(shifts_of(req))
    later = shifts_of(req)[0].starts_at + timedelta(weeks=2)
    assert extend_horizon(org.id, now=later) >= 1
    assert extend_horizon(org.id, now=later) == 0
    assert len(shifts_of(req)) > before
    assert mark_unfilled(org.id, now=later) == 3  # weeks 0, 1 and 2 have started
    assert mark_unfilled(org.id, now=later) == 0
    db.session.expire_all()
    assert [s.status for s in shifts_of(req)[:3]] == [ShiftStatus.UNFILLED] * 3


def test_cli_extend_horizon(app, db_session):
    org = make_org()
    start = in_days(3)
    end = start + timedelta(weeks=20)
    req = make_request(org, visit_draft(start, recurring=True, end_date=end))
    runner = app.test_cli_runner()
    until = (start + timedelta(weeks=10)).isoformat()
    result = runner.invoke(args=["shifts", "extend-horizon", "--org", org.slug, "--until", until])
    assert result.exit_code == 0 and "Created" in result.output
    assert len(shifts_of(req)) == 11
    result = runner.invoke(args=["shifts", "extend-horizon", "--until", "tomorrow"])
    assert result.exit_code != 0 and "--until must be a date" in result.output
