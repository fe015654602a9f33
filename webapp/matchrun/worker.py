"""Solving one match run, whoever does it: the local child process
(``python -m webapp.worker match RUN_ID``, see :mod:`webapp.matchrun.launch`), a solve
worker taking the run's job from the task queue (:mod:`webapp.matchrun.queue`), or the
scheduler's morning job.

Never a thread in the web worker: a solve takes seconds of CPU (CP-SAT releases the GIL
but the conversion does not), gunicorn may kill or recycle a web worker at any time
(timeouts, max-requests), and a thread would die with it, leaving the run "running".

The worker claims the run (``queued`` -> ``running`` in one conditional UPDATE, so two
workers never solve the same run), writes progress in short transactions of its own, and
finishes ``done`` with the results or ``failed`` with a message a coordinator can read:
a traceback goes to the worker's stderr (the server log), never to the page.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Any

import sqlalchemy as sa

from matching.common.errors import InputError
from webapp.core.locks import begin_write
from webapp.db import rows_matched, utcnow
from webapp.extensions import db
from webapp.matchrun.hours import count_loads, from_proposals, pinned_rides
from webapp.matchrun.models import MatchRun, RunScope, RunStatus
from webapp.matchrun.rides import solve_rides_range
from webapp.matchrun.solve import solve_visits_range


def _update(run_id: int, **values: object) -> None:
    """One short transaction: the page polling this row sees it at once.

    While the solver converts, the session holds a read snapshot; on SQLite a
    transaction that read cannot write once anyone else has written since ("database
    is locked" at once, which no busy timeout waits out). ``begin_write`` takes the write
    lock first, starting over from a fresh transaction if it must (the conversion's rows
    are reloaded if touched again). Inside a scheduler job the lock is already held."""
    begin_write(MatchRun)
    db.session.execute(sa.update(MatchRun).where(MatchRun.id == run_id).values(**values))
    db.session.commit()


def _claim(run_id: int, job_id: int | None) -> bool:
    """queued -> running, or, for the queue job that already held it (``job_id``): its
    worker died mid-solve and the queue gave the job to another worker, which starts over.
    Any other job finds the run taken and leaves it."""
    claimable = MatchRun.status == RunStatus.QUEUED
    if job_id is not None:
        claimable = sa.or_(
            claimable, sa.and_(MatchRun.status == RunStatus.RUNNING, MatchRun.job_id == job_id)
        )
    result = db.session.execute(
        sa.update(MatchRun)
        .where(MatchRun.id == run_id, claimable)
        .values(
            job_id=job_id,
            worker_pid=os.getpid(),
            status=RunStatus.RUNNING,
            started_at=utcnow(),
            progress=0.0,
            progress_text="starting",
        )
    )
    db.session.commit()
    return rows_matched(result) == 1


def run(run_id: int, job_id: int | None = None) -> RunStatus:
    """Solve one queued run inside the current app context; returns its final status.
    ``job_id``: the task queue's job doing it (see :func:`_claim`).

    Scope *Both* solves the visits, then the rides, and one weekly limit holds across
    the two: the visits part keeps free the rides pinned to a driver, and the rides part
    counts the visits just proposed (its first-come baseline: first come's visits). Once
    every part is planned, each proposal's "load this week" counts the whole run."""
    if not _claim(run_id, job_id):
        return RunStatus(
            db.session.scalar(sa.select(MatchRun.status).where(MatchRun.id == run_id))
            or RunStatus.FAILED
        )
    row = db.session.get(MatchRun, run_id)
    if row is None:  # claimed a moment ago: only a deletion in between
        raise LookupError(f"match run {run_id} is gone")
    org_id, first, last, scope = row.organisation_id, row.date_from, row.date_to, row.scope
    pins, seed, limit = row.pins, row.seed, row.time_limit_s
    no_share = set(row.no_share)
    db.session.rollback()  # nothing pending; start the conversion from a fresh snapshot

    def say(fraction: float, code: str) -> None:
        _update(run_id, progress=max(0.0, min(1.0, fraction)), progress_text=code[:200])

    try:
        results: dict[str, Any] = {}
        both = scope == RunScope.BOTH
        split = 0.7 if both else 1.0
        if scope in (RunScope.VISITS, RunScope.BOTH):
            results["visits"] = solve_visits_range(
                org_id,
                first,
                last,
                pins=pins,
                seed=seed,
                time_limit_s=limit,
                say=say,
                hi=split * 0.98,
                planned=pinned_rides(pins, first, last) if both else (),
            )
            db.session.rollback()
        if scope in (RunScope.RIDES, RunScope.BOTH):
            visits = results.get("visits", {})
            results["rides"] = solve_rides_range(
                org_id,
                first,
                last,
                pins=pins,
                seed=seed,
                time_limit_s=limit,
                say=say,
                lo=(split if both else 0.0) * 0.98,
                hi=0.98,
                planned=from_proposals(visits.get("proposals", [])),
                no_share=no_share,
                baseline_planned=from_proposals(visits.get("baseline", {}).get("proposals", [])),
            )
            db.session.rollback()
        count_loads(results)  # after the rides: a visit's load counts them too
        db.session.rollback()
        _update(
            run_id,
            status=RunStatus.DONE,
            results=results,
            progress=1.0,
            progress_text="done",
            finished_at=utcnow(),
        )
        return RunStatus.DONE
    except InputError as exc:
        db.session.rollback()
        fail(run_id, f"input|{exc.field}: {exc.message}")
    except Exception as exc:  # noqa: BLE001 - whatever happens, the run must end readable
        db.session.rollback()
        traceback.print_exc(file=sys.stderr)
        fail(run_id, f"crash|{type(exc).__name__}: {exc}")
    return RunStatus.FAILED


def fail(run_id: int, message: str) -> None:
    """``message`` is ``"input|detail"`` or ``"crash|detail"``: the page words it in the
    coordinator's language (see ``views.error_text``)."""
    _update(
        run_id,
        status=RunStatus.FAILED,
        error=message[:2000],
        progress_text="failed",
        finished_at=utcnow(),
    )
