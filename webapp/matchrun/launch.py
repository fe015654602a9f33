"""Hand a committed run to whoever solves it (``MATCHRUN_QUEUE``, docs/deploy.md).

* ``local`` (the default, the only choice on SQLite, what ``make run`` uses): a child
  process of this one, ``python -m webapp.worker match RUN_ID``. It outlives the request
  (``start_new_session``: a restart of the web worker does not kill it), needs no broker
  or other service, and behaves the same under gunicorn, the dev server and the tests.
* ``procrastinate``: a job on the PostgreSQL task queue; any ``flask worker solve``
  process, on any machine, takes it (:mod:`webapp.matchrun.queue`).

Either way the run row is committed first: the solver must see it. If deferring fails
(the database went away between the commit and the defer), the run stays queued and a
worker's sweep queues it again (``queue.requeue_lost``).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from webapp.core import taskqueue
from webapp.extensions import db
from webapp.matchrun.models import MatchRun
from webapp.matchrun.worker import run

log = logging.getLogger(__name__)
PROJECT_ROOT = Path(__file__).resolve().parents[2]
TASK = "matchrun.solve"
QUEUE = "solve"
# Workers this process started: kept so they are reaped (no zombies) and not garbage
# collected while running; each launch polls the list and drops the finished ones.
_CHILDREN: list[subprocess.Popen[bytes]] = []


def launch(run_id: int) -> subprocess.Popen[bytes] | None:
    """Start solving a committed run. Locally, ``MATCHRUN_LAUNCH`` = "process" (default),
    "inline" (solve now, in this process: tests only) or "none" (tests drive the worker)."""
    if taskqueue.backend(current_app) == "procrastinate":
        enqueue(run_id)
        return None
    mode = current_app.config.get("MATCHRUN_LAUNCH") or "process"
    if mode == "inline":
        run(run_id)
        return None
    if mode != "process":
        return None
    return _child(run_id)


def job_lock(org_id: int, run_id: int) -> str:
    """The queue runs jobs sharing a lock one at a time, across every worker: one lock
    per organisation bounds it to one solve at a time; with a bound of N, run ids are
    spread over N locks (at most N at once, though two may wait on one lock while
    another is free)."""
    bound = max(1, int(current_app.config.get("MATCH_RUNS_PER_ORGANISATION", 1)))
    if bound == 1:
        return f"matchrun:org{org_id}"
    return f"matchrun:org{org_id}:{run_id % bound}"


def queueing_lock(run_id: int) -> str:
    return f"matchrun:run{run_id}"


def enqueue(run_id: int) -> int | None:
    """Defer the run's job; None if one is already waiting or deferring failed (logged:
    the sweep queues the run again)."""
    org_id = db.session.scalar(sa.select(MatchRun.organisation_id).where(MatchRun.id == run_id))
    if org_id is None:
        return None
    try:
        return taskqueue.defer(
            current_app,
            TASK,
            queue=QUEUE,
            lock=job_lock(org_id, run_id),
            queueing_lock=queueing_lock(run_id),
            run_id=run_id,
        )
    except Exception:  # noqa: BLE001 - the run is committed; the sweep will queue it
        log.exception("match run %s: could not queue it now; a solve worker's sweep will", run_id)
        return None


def _child(run_id: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    # The same database as this process, whatever configured it (tests, instance file).
    env["DATABASE_URL"] = db.engine.url.render_as_string(hide_password=False)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    _CHILDREN[:] = [c for c in _CHILDREN if c.poll() is None]  # reap finished workers
    proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "-m", "webapp.worker", "match", str(run_id)],
        cwd=str(PROJECT_ROOT),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,  # a restart of the web worker does not kill the solve
    )
    _CHILDREN.append(proc)
    return proc
