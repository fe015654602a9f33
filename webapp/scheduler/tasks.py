"""The scheduler's own jobs: forgetting old run records, ending expired login sessions
(the accounts feature sits below the scheduler, so its housekeeping is listed here), and
a test job. Every other feature's jobs live in its own ``tasks.py``."""

from __future__ import annotations

import time as _time
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app

from webapp.auth.sessions import prune_expired
from webapp.auth.throttle import prune_old
from webapp.db import rows_matched
from webapp.extensions import db
from webapp.scheduler.models import JobRun
from webapp.scheduler.registry import Job, setting
from webapp.scheduler.runs import claim_run, floor_time

DAY = timedelta(days=1)
TICK = 600  # daily per-organisation jobs look at the clock every 10 minutes


def run_prune_job_runs(now: datetime) -> str:
    """Forget run records older than 60 days (the unique key only matters near the
    due time; the sender alone writes thousands a month)."""
    if claim_run("prune_job_runs", floor_time(now, 86400)) is None:
        db.session.rollback()
        return "already done"
    result = db.session.execute(
        sa.delete(JobRun).where(JobRun.due_at < now - timedelta(days=60))
    )
    db.session.commit()
    return f"deleted {rows_matched(result)} old run records"


def run_prune_login_sessions(now: datetime) -> str:
    """Delete login sessions past their idle or absolute limit (they already stopped
    working when used; this removes the rows, with the address and browser they hold),
    and throttle counters nobody has added to for a day."""
    if claim_run("prune_login_sessions", floor_time(now, 3600)) is None:
        db.session.rollback()
        return "already done"
    sessions = prune_expired(now)
    counters = prune_old(now)
    db.session.commit()
    return f"deleted {sessions} expired sessions, {counters} old throttle counters"


def run_test_tick(now: datetime) -> str:
    """A job for proving exactly-once across processes: records its run, then holds the
    transaction open for a moment (a kill lands mid-way through it)."""
    seconds = int(setting(current_app, "SCHEDULER_TEST_JOB_SECONDS", "1") or 1)
    run = claim_run("test_tick", floor_time(now, seconds))
    if run is None:
        db.session.rollback()
        return "already done"
    run.summary = "tick"
    _time.sleep(float(setting(current_app, "SCHEDULER_TEST_JOB_SLEEP", "0") or 0))
    db.session.commit()
    return "tick"


def jobs(app: Flask) -> list[Job]:
    found = [Job("prune_job_runs", run_prune_job_runs, 86400, None, True,
                 "Forget run records older than 60 days."),
             Job("prune_login_sessions", run_prune_login_sessions, 3600, None, True,
                 "Delete expired login sessions and old login-throttle counters.")]
    test_seconds = setting(app, "SCHEDULER_TEST_JOB_SECONDS", None)
    if test_seconds:
        found.append(Job("test_tick", run_test_tick, int(test_seconds), int(test_seconds), True,
                         "Test job (only when PONTE_SCHEDULER_TEST_JOB_SECONDS is set)."))
    return found
