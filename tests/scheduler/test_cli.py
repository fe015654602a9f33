"""`flask scheduler jobs`, `flask scheduler run-job`, `flask notifications send`."""

from __future__ import annotations

import sqlalchemy as sa

from tests.factories import make_org, make_volunteer
from webapp.extensions import db
from webapp.notifications.operations import enqueue
from webapp.scheduler.models import JobRun


def test_jobs_lists_each_job_with_its_misfire_policy(app):
    out = app.test_cli_runner().invoke(args=["scheduler", "jobs"]).output
    assert "send_notifications" in out and "credential_warnings" in out
    assert "grace 20s  coalesce True" in out


def test_run_job_runs_once_and_a_second_time_does_nothing(app, committed_db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["scheduler", "run-job", "prune_job_runs"])
    second = runner.invoke(args=["scheduler", "run-job", "prune_job_runs"])
    assert "deleted 0 old run records" in first.output
    assert "already done" in second.output
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(JobRun.id))) == 1
    bad = runner.invoke(args=["scheduler", "run-job", "nope"])
    assert bad.exit_code != 0 and "no job named 'nope'" in bad.output


def test_notifications_send_delivers_once(app, committed_db, smtp):
    org = make_org()
    enqueue(make_volunteer(org, email="a@example.org"), "credentials_lapsing",
            {"items": [], "days": 30})
    db.session.commit()
    smtp.start()
    runner = app.test_cli_runner()
    assert "sent 1" in runner.invoke(args=["notifications", "send"]).output
    assert "sent 0" in runner.invoke(args=["notifications", "send"]).output
    assert len(smtp.inbox.messages) == 1
