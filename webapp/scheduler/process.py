"""The scheduler process: wait for the leader lock, run the jobs, step down if the lock
is lost, and stop cleanly on SIGTERM/SIGINT.

Never started by ``create_app``: web workers only write to the outbox and the tables
the jobs read. ``flask scheduler run`` is the one way to start it.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from webapp.extensions import db
from webapp.scheduler.lock import LeaderLock, lock_for
from webapp.scheduler.registry import Job, all_jobs, setting
from webapp.scheduler.runs import EPOCH, WORKER

log = logging.getLogger("webapp.scheduler")


def run_job(app: Flask, job: Job) -> None:
    """What APScheduler calls: one app context, one session, errors logged not raised."""
    with app.app_context():
        try:
            # SQLite: the job's transaction takes the write lock when it begins. A job that
            # read first could not write once another job fired in the same second had
            # written ("database is locked" at once; busy_timeout cannot wait that out).
            # No effect on PostgreSQL.
            db.session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            summary = job.func(datetime.now(UTC))
            log.info("job %s: %s", job.name, summary)
        except Exception:
            log.exception("job %s failed", job.name)
            db.session.rollback()
        finally:
            db.session.remove()


def build_scheduler(app: Flask, jobs: list[Job]) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=UTC)
    for job in jobs:
        scheduler.add_job(
            run_job,
            IntervalTrigger(seconds=job.seconds, start_date=EPOCH, timezone=UTC),
            args=(app, job),
            id=job.name,
            name=job.name,
            misfire_grace_time=job.misfire_grace_time,
            coalesce=job.coalesce,
            max_instances=1,  # a slow run is never overlapped by the next firing
            replace_existing=True,
        )
    return scheduler


class SchedulerProcess:
    def __init__(self, app: Flask, lock: LeaderLock | None = None) -> None:
        self.app = app
        self.lock = lock or lock_for(app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path)
        self.stopping = threading.Event()
        self.poll = float(setting(app, "SCHEDULER_LOCK_POLL_SECONDS", "5") or 5)
        self.heartbeat = float(setting(app, "SCHEDULER_HEARTBEAT_SECONDS", "5") or 5)

    def stop(self, *_args: object) -> None:
        self.stopping.set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)

    def wait_for_lock(self) -> bool:
        announced = False
        while not self.stopping.is_set():
            try:
                if self.lock.try_acquire():
                    return True
            except Exception as exc:  # database down: keep waiting, say why
                log.warning("cannot reach the database for the scheduler lock: %s", exc)
            if not announced:
                log.info("another scheduler is active; %s waits as standby", WORKER)
                announced = True
            self.stopping.wait(self.poll)
        return False

    def run(self) -> None:
        """Loop until stopped: standby -> active -> (lock lost) -> standby."""
        jobs = all_jobs(self.app)
        while self.wait_for_lock():
            log.info("scheduler %s is active with jobs: %s", WORKER,
                     ", ".join(j.name for j in jobs))
            print(f"scheduler {WORKER} active", flush=True)
            scheduler = build_scheduler(self.app, jobs)
            scheduler.start()
            try:
                while not self.stopping.wait(self.heartbeat):
                    if not self.lock.is_held():
                        log.error("scheduler %s lost its lock; stepping down", WORKER)
                        break
            finally:
                # Wait for running jobs: each commits or rolls back as a whole.
                scheduler.shutdown(wait=True)
        self.lock.release()
        log.info("scheduler %s stopped", WORKER)
        print(f"scheduler {WORKER} stopped", flush=True)
