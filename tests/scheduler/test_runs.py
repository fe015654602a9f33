"""Run records make every job exactly-once per due time; times per organisation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tests.factories import make_org
from webapp.extensions import db
from webapp.orgs.models import OrganisationSchedule
from webapp.orgs.settings import schedule_for
from webapp.scheduler.models import JobRun
from webapp.scheduler.runs import claim_run, floor_time, for_each_org, last_local_time


def test_claim_run_once_per_job_and_due_time(db_session):
    due = datetime(2026, 3, 2, 7, tzinfo=UTC)
    assert claim_run("job_a", due) is not None
    assert claim_run("job_a", due) is None
    assert claim_run("job_b", due) is not None
    assert claim_run("job_a", due + timedelta(seconds=1)) is not None
    count = db.session.scalar(sa.select(sa.func.count(JobRun.id)))
    assert count == 3


def test_floor_time_aligns_on_the_epoch():
    t = datetime(2026, 3, 2, 7, 13, 47, 500, tzinfo=UTC)
    assert floor_time(t, 20) == datetime(2026, 3, 2, 7, 13, 40, tzinfo=UTC)
    assert floor_time(t, 600) == datetime(2026, 3, 2, 7, 10, tzinfo=UTC)
    assert floor_time(t, 86400) == datetime(2026, 3, 2, tzinfo=UTC)


def test_last_local_time_follows_the_organisation_clock_across_dst():
    # Rome is UTC+1 in winter, UTC+2 from 29 March 2026.
    winter = datetime(2026, 3, 2, 6, 30, tzinfo=UTC)  # 07:30 in Rome
    assert last_local_time(winter, "Europe/Rome", 7) == datetime(2026, 3, 2, 6, tzinfo=UTC)
    assert last_local_time(winter, "Europe/Rome", 8) == datetime(2026, 3, 1, 7, tzinfo=UTC)
    summer = datetime(2026, 4, 2, 6, 30, tzinfo=UTC)  # 08:30 in Rome
    assert last_local_time(summer, "Europe/Rome", 7) == datetime(2026, 4, 2, 5, tzinfo=UTC)


def test_schedule_defaults_and_saved_values(db_session):
    org = make_org()
    default = schedule_for(org.id)
    assert (default.escalate_days, default.reminder_hours) == (3, [24, 2])
    db.session.add(OrganisationSchedule(organisation_id=org.id, escalate_days=5,
                                        volunteer_reminder_hours_2=0))
    db.session.flush()
    saved = schedule_for(org.id)
    assert (saved.escalate_days, saved.reminder_hours) == (5, [24])


def test_for_each_org_runs_each_organisation_once_after_its_hour(db_session):
    a = make_org()
    b = make_org()
    b.timezone = "America/New_York"
    calls = []

    def work(org, schedule, due):  # type: ignore[no-untyped-def]
        calls.append((org.id, due))
        return "ok"

    hour = lambda s: 7  # noqa: E731
    # 07:30 in Rome, 01:30 in New York: only Rome is due.
    now = datetime(2026, 3, 2, 6, 30, tzinfo=UTC)
    for_each_org("daily", now, hour, timedelta(hours=2), work)
    for_each_org("daily", now + timedelta(minutes=10), hour, timedelta(hours=2), work)
    assert [c[0] for c in calls if c[0] in (a.id, b.id)] == [a.id]
    # 07:10 in New York: New York's turn; Rome already done today.
    later = datetime(2026, 3, 2, 12, 10, tzinfo=UTC)
    for_each_org("daily", later, hour, timedelta(hours=2), work)
    assert [c[0] for c in calls if c[0] in (a.id, b.id)] == [a.id, b.id]


def test_an_error_in_one_organisation_does_not_stop_the_others(db_session):
    a = make_org()
    b = make_org()

    def work(org, schedule, due):  # type: ignore[no-untyped-def]
        if org.id == a.id:
            raise RuntimeError("boom")
        return "ok"

    now = datetime(2026, 3, 2, 6, 30, tzinfo=UTC)
    done = for_each_org("daily", now, lambda s: 7, timedelta(hours=2), work)
    assert f"org{b.id}: ok" in done and not any(d.startswith(f"org{a.id}:") for d in done)
    # a's run record was rolled back with its work: it is tried again next tick.
    jobs = set(db.session.scalars(sa.select(JobRun.job)))
    assert f"daily:org{b.id}" in jobs and f"daily:org{a.id}" not in jobs
