"""Jobs that fire in the same second (every hour, several do) must not fail each other.

On SQLite a job's transaction that reads first and writes later cannot be upgraded to a
write once another job has written since its read: it fails at once with "database is
locked", and waiting (busy_timeout) does not help. Seen at 08:00 in `make run`: two of the
hourly jobs failed. Each job's transaction now takes the write lock when it begins.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import sqlalchemy as sa

from webapp.extensions import db
from webapp.scheduler.models import JobRun
from webapp.scheduler.process import run_job
from webapp.scheduler.registry import Job
from webapp.scheduler.runs import claim_run

DUE = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def read_then_write(name: str):
    def func(now: datetime) -> str:
        db.session.scalar(sa.select(sa.func.count(JobRun.id)))  # read first ...
        time.sleep(0.05)  # ... while the others read and write
        claim_run(name, DUE)  # ... then write
        db.session.commit()
        return "done"

    return func


def test_jobs_firing_together_all_run(app, committed_db):
    names = [f"job{k}" for k in range(4)]
    start = threading.Barrier(len(names), timeout=30)
    jobs = [Job(n, read_then_write(n), 3600, None, True, "test") for n in names]

    def fire(job: Job) -> None:
        start.wait()  # all at the same moment, as APScheduler fires them on the hour
        run_job(app, job)

    threads = [threading.Thread(target=fire, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    db.session.rollback()
    ran = set(db.session.scalars(sa.select(JobRun.job)))
    assert ran == set(names)
