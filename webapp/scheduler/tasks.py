"""Jobs that need only people and notifications. Shift and ledger jobs live in
:mod:`webapp.scheduler.shift_tasks` and register themselves once those features exist."""

from __future__ import annotations

import time as _time
from datetime import datetime, timedelta
from importlib.util import find_spec
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask, current_app

from webapp.extensions import db
from webapp.notifications.operations import notify_coordinators
from webapp.orgs.models import Organisation
from webapp.people.models import Credential, Person
from webapp.scheduler.models import CredentialWarning, JobRun, OrganisationSchedule
from webapp.scheduler.registry import Job, register, setting
from webapp.scheduler.runs import claim_run, floor_time, for_each_org

DAY = timedelta(days=1)
TICK = 600  # daily per-organisation jobs look at the clock every 10 minutes


def run_credential_warnings(now: datetime) -> str:
    """Tell coordinators, once per credential, which ones lapse within the window."""

    def work(org: Organisation, schedule: OrganisationSchedule, due: datetime) -> str:
        today = now.astimezone(ZoneInfo(org.timezone)).date()
        limit = today + timedelta(days=schedule.credential_warning_days)
        already = sa.select(CredentialWarning.id).where(
            CredentialWarning.credential_id == Credential.id,
            CredentialWarning.expires_on == Credential.expires_on,
        )
        lapsing = db.session.execute(
            sa.select(Credential, Person)
            .join(Person, Person.id == Credential.person_id)
            .where(
                Person.organisation_id == org.id,
                Person.is_volunteer,
                Credential.expires_on.is_not(None),
                Credential.expires_on >= today,
                Credential.expires_on <= limit,
                ~sa.exists(already),
            )
            .order_by(Credential.expires_on, Person.last_name)
        ).all()
        if not lapsing:
            return "nothing lapsing"
        items = [
            {
                "name": person.full_name,
                "kind": credential.kind.value,
                "expires_on": credential.expires_on,
            }
            for credential, person in lapsing
        ]
        for credential, _person in lapsing:
            db.session.add(
                CredentialWarning(credential_id=credential.id, expires_on=credential.expires_on)
            )
        notify_coordinators(
            org.id,
            "credentials_lapsing",
            {"items": items, "days": schedule.credential_warning_days},
            dedupe_key=f"credentials:{org.id}:{due.isoformat()}",
        )
        return f"{len(items)} credentials lapsing"

    done = for_each_org(
        "credential_warnings", now, lambda s: s.daily_hour, timedelta(hours=20), work
    )
    db.session.commit()
    return "; ".join(done) or "not due"


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
    return f"deleted {result.rowcount} old run records"


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


def register_jobs(app: Flask) -> None:
    from webapp.notifications.tasks import run_send_notifications

    send_every = int(setting(app, "NOTIFY_INTERVAL_SECONDS", "20") or 20)
    register(Job("send_notifications", run_send_notifications, send_every, send_every, True,
                 "Deliver queued e-mails and SMS, retrying with backoff."))
    register(Job("credential_warnings", run_credential_warnings, TICK, TICK, True,
                 "Tell coordinators which credentials lapse soon (daily, per organisation)."))
    register(Job("prune_job_runs", run_prune_job_runs, 86400, None, True,
                 "Forget run records older than 60 days."))
    test_seconds = setting(app, "SCHEDULER_TEST_JOB_SECONDS", None)
    if test_seconds:
        register(Job("test_tick", run_test_tick, int(test_seconds), int(test_seconds), True,
                     "Test job (only when PONTE_SCHEDULER_TEST_JOB_SECONDS is set)."))
    if find_spec("webapp.shifts") is None or find_spec("webapp.requests") is None:
        return  # the shifts feature is not installed (yet)
    from webapp.scheduler import shift_tasks

    shift_tasks.register_jobs(app)
