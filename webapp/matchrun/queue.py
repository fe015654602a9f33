"""Match runs on the task queue (``MATCHRUN_QUEUE=procrastinate``): the job a solve
worker runs, and the sweep that leaves no run queued or running for ever.

A run's job carries a ``lock`` per organisation (``launch.job_lock``): the queue never
runs two jobs of one lock at once, whichever workers hold them, so an organisation has at
most ``MATCH_RUNS_PER_ORGANISATION`` solves going. The job writes the run's progress as
the local worker does, so the page is the same whoever solves.

What can go wrong, and what happens:

* The worker dies mid-solve (SIGKILL, out of memory, machine lost): its heartbeats stop;
  a sweep of any other worker puts its job back (``taskqueue.retry_stalled``), and the
  next worker takes the run over (same job id: ``worker._claim``) and solves it from the
  start. After ``MATCHRUN_ATTEMPTS`` tries the run is failed with a message instead.
* The defer after the commit failed, or the job vanished: the run is queued with no job;
  the sweep queues it again (``requeue_lost``; one worker's sweep at a time, so two
  never queue it twice).
* The job ended without finishing the run (a database error outside the solver's own
  try): the sweep fails the run (``fail_orphans``).
* No worker at all: nothing can solve; the page's ``expire_if_stale`` fails the run past
  its deadline, as before.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import procrastinate
import sqlalchemy as sa
from flask import Flask, current_app

from webapp.core import taskqueue
from webapp.core.locks import begin_write
from webapp.db import rows_matched, utcnow
from webapp.extensions import db
from webapp.matchrun.announce import announce
from webapp.matchrun.launch import QUEUE, TASK, enqueue, queueing_lock
from webapp.matchrun.models import MatchRun, RunStatus
from webapp.matchrun.worker import run

log = logging.getLogger(__name__)
ALIVE = ("todo", "doing")


def register(queue: procrastinate.App) -> None:
    """Add the match-run task to a worker's procrastinate App."""
    queue.task(name=TASK, queue=QUEUE, pass_context=True)(solve_task)


def solve_task(context: procrastinate.JobContext, run_id: int) -> str:
    """The job: solve the run in an app context of this worker's Flask app (a thread of
    its own, with its own session)."""
    flask_app: Flask = context.additional_context["flask_app"]
    job = context.job
    assert job.id is not None
    with flask_app.app_context():
        try:
            return solve_job(run_id, job.id, job.attempts)
        finally:
            db.session.remove()


def solve_job(run_id: int, job_id: int, attempts: int) -> str:
    """``attempts``: how many times the queue gave this job back after its worker died."""
    tries = max(1, int(current_app.config.get("MATCHRUN_ATTEMPTS", 2)))
    if attempts >= tries:
        stop(run_id, job_id,
             f"crash|its solve worker stopped without finishing ({attempts} of {tries} tries)")
        return "gave up"
    status = run(run_id, job_id=job_id)
    if status == RunStatus.DONE:
        announce(run_id)
    return status.value


def stop(run_id: int, job_id: int | None, message: str) -> bool:
    """Fail the run if it is still queued, or running under ``job_id`` (never a run
    another job took, nor one that just finished). One short transaction."""
    still = MatchRun.status == RunStatus.QUEUED
    if job_id is not None:
        still = sa.or_(still, sa.and_(MatchRun.status == RunStatus.RUNNING,
                                      MatchRun.job_id == job_id))
    begin_write(MatchRun)
    result = db.session.execute(
        sa.update(MatchRun)
        .where(MatchRun.id == run_id, still)
        .values(status=RunStatus.FAILED, error=message[:2000], progress_text="failed",
                finished_at=utcnow())
    )
    db.session.commit()
    return rows_matched(result) == 1


# The sweep's advisory lock (PostgreSQL, which the queue needs): one worker at a time
# looks for lost runs. Two sweeping at once could both find a run with no job, and the
# queueing lock keeps out only a second *waiting* copy: the first copy may already run.
SWEEP_LOCK = (20261207, 1)


def requeue_lost() -> list[int]:
    """Queued runs older than ``QUEUE_REQUEUE_SECONDS`` with no waiting or running job:
    queue them again. A run whose jobs failed ``MATCHRUN_ATTEMPTS`` times is failed
    instead. Another worker sweeping at this moment: nothing (it does it)."""
    grace = timedelta(seconds=int(current_app.config.get("QUEUE_REQUEUE_SECONDS", 30)))
    tries = max(1, int(current_app.config.get("MATCHRUN_ATTEMPTS", 2)))
    # The lock lives on a connection of its own, held to the end: ``stop`` commits the
    # session, which would let a transaction's lock go half-way.
    with db.engine.connect() as holder:
        if not holder.execute(sa.select(sa.func.pg_try_advisory_xact_lock(*SWEEP_LOCK))).scalar():
            return []
        waiting = db.session.scalars(
            sa.select(MatchRun.id).where(MatchRun.status == RunStatus.QUEUED,
                                         MatchRun.created_at < utcnow() - grace)
        ).all()
        db.session.rollback()
        queued = []
        for run_id in waiting:
            statuses = taskqueue.job_statuses(current_app, queueing_lock(run_id))
            if any(s in ALIVE for s in statuses) or not _still_queued(run_id):
                continue  # its job ended between the two reads: it is not lost
            if statuses.count("failed") >= tries:
                stop(run_id, None, f"crash|the matcher failed {tries} times")
                continue
            if enqueue(run_id) is not None:
                log.warning("match run %s had no job (lost defer?): queued again", run_id)
                queued.append(run_id)
        return queued


def _still_queued(run_id: int) -> bool:
    """Read after the jobs: a job marks its run finished before the queue marks the job
    done, so a run still queued now had no job running when they were read."""
    status = db.session.scalar(sa.select(MatchRun.status).where(MatchRun.id == run_id))
    db.session.rollback()
    return status == RunStatus.QUEUED


def fail_orphans() -> list[int]:
    """Running runs whose job is over (or gone) without having finished them: failed."""
    running = db.session.execute(
        sa.select(MatchRun.id, MatchRun.job_id).where(
            MatchRun.status == RunStatus.RUNNING, MatchRun.job_id.is_not(None)
        )
    ).all()
    db.session.rollback()
    failed = []
    for run_id, job_id in running:
        if job_id is None or (taskqueue.job_status(current_app, job_id) or "gone") in ALIVE:
            continue
        if stop(run_id, job_id, "crash|the matcher stopped without finishing"):
            log.warning("match run %s: its job %s ended without it; failed", run_id, job_id)
            failed.append(run_id)
    return failed


def sweep(flask_app: Flask) -> tuple[list[int], list[int]]:
    """One pass over this feature's runs (a solve worker calls it every few seconds)."""
    with flask_app.app_context():
        try:
            return requeue_lost(), fail_orphans()
        finally:
            db.session.remove()
