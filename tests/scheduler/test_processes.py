"""Two real scheduler processes: one runs the jobs, the other waits; kill the active one
with SIGKILL mid-job and the standby takes over, with every due time run exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.helpers import wait_for
from webapp.extensions import db
from webapp.scheduler.models import JobRun

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _start(app, tmp_path: Path, name: str) -> tuple[subprocess.Popen, Path]:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "PONTE_SCHEDULER_JOBS": "test_tick",
        "PONTE_SCHEDULER_TEST_JOB_SECONDS": "1",
        "PONTE_SCHEDULER_TEST_JOB_SLEEP": "0.4",  # a kill often lands inside the job
        "PONTE_SCHEDULER_LOCK_POLL_SECONDS": "0.3",
        "PONTE_SCHEDULER_HEARTBEAT_SECONDS": "0.3",
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / f"{name}.log"
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return proc, log


def _runs() -> list[JobRun]:
    db.session.rollback()  # a fresh snapshot: the rows come from other processes
    return list(
        db.session.scalars(
            sa.select(JobRun).where(JobRun.job == "test_tick").order_by(JobRun.due_at)
        )
    )


def test_one_active_scheduler_and_a_standby_that_takes_over(app, committed_db, tmp_path):
    a, a_log = _start(app, tmp_path, "a")
    b = None
    try:
        wait_for(lambda: "is active with jobs" in a_log.read_text())
        b, b_log = _start(app, tmp_path, "b")
        wait_for(lambda: "waits as standby" in b_log.read_text())
        wait_for(lambda: len(_runs()) >= 4)
        assert "is active with jobs" not in b_log.read_text()
        assert {r.worker.rsplit(":", 1)[1] for r in _runs()} == {str(a.pid)}

        # Kill the active one while a job is inside its transaction.
        wait_for(lambda: "job test_tick" in a_log.read_text())
        time.sleep(0.15)
        a.send_signal(signal.SIGKILL)
        a.wait(timeout=10)
        killed_at = time.time()

        wait_for(lambda: "is active with jobs" in b_log.read_text(), timeout=15)
        takeover = time.time() - killed_at
        wait_for(lambda: sum(r.worker.endswith(f":{b.pid}") for r in _runs()) >= 4)
    finally:
        for proc in (a, b):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=15)

    runs = _runs()
    dues = [r.due_at for r in runs]
    assert len(dues) == len(set(dues))  # every due time once (and the key forbids more)
    a_runs = [r for r in runs if r.worker.endswith(f":{a.pid}")]
    b_runs = [r for r in runs if r.worker.endswith(f":{b.pid}")]
    assert len(a_runs) + len(b_runs) == len(runs)
    assert max(r.due_at for r in a_runs) < min(r.due_at for r in b_runs)  # never both
    # A due time is missed only while no scheduler was active (the kill and takeover).
    gaps = [(y - x).total_seconds() for x, y in zip(dues, dues[1:], strict=False)]
    assert sum(g - 1 for g in gaps) <= takeover + 3
    assert b.returncode == 0  # SIGTERM: jobs finished, lock released, clean exit
    assert "stopped" in b_log.read_text()
