"""The task queue's choice and its sweep, in this process: what a solve worker's sweep
does with a run whose job was lost or ended without it (PostgreSQL), and the clear
refusal of the queue on SQLite."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.matchrun.scenario import small_org
from tests.matchrun.workers import needs_postgres, queue_backend
from webapp.core import taskqueue
from webapp.extensions import db
from webapp.matchrun import operations as ops
from webapp.matchrun import queue
from webapp.matchrun.launch import job_lock, launch, queueing_lock
from webapp.matchrun.models import MatchRun, RunScope, RunStatus
from webapp.notifications.models import Notification


def _config(url: str, choice: str) -> Flask:
    app = Flask(__name__)
    app.config.update(SQLALCHEMY_DATABASE_URI=url, MATCHRUN_QUEUE=choice)
    return app


def test_the_queue_is_chosen_by_configuration_and_needs_postgresql():
    assert taskqueue.backend(_config("sqlite:///x.db", "local")) == "local"
    on_postgres = _config("postgresql+psycopg://h/db", "procrastinate")
    assert taskqueue.backend(on_postgres) == "procrastinate"
    with pytest.raises(RuntimeError, match="needs PostgreSQL"):
        taskqueue.backend(_config("sqlite:///x.db", "procrastinate"))
    with pytest.raises(RuntimeError, match="must be one of local, procrastinate, not 'celery'"):
        taskqueue.backend(_config("sqlite:///x.db", "celery"))
    assert taskqueue.conninfo("postgresql+psycopg://u:p@h:5433/db") == "postgresql://u:p@h:5433/db"


def test_an_organisation_s_jobs_share_one_lock_per_run_it_may_have_going(app, monkeypatch):
    assert job_lock(7, 41) == job_lock(7, 42) == "matchrun:org7"  # one at a time
    monkeypatch.setitem(app.config, "MATCH_RUNS_PER_ORGANISATION", 2)
    assert {job_lock(7, n) for n in range(40, 46)} == {"matchrun:org7:0", "matchrun:org7:1"}


@needs_postgres
def test_a_solve_worker_without_the_migration_says_what_to_run(app, committed_db):
    with queue_backend(app):
        assert taskqueue.schema_present()
        with db.engine.begin() as conn:
            taskqueue.drop_schema(conn.connection.driver_connection)
        result = app.test_cli_runner().invoke(args=["worker", "solve"])
        assert result.exit_code == 1 and "run `flask db upgrade`" in result.output


@pytest.mark.skipif(
    os.environ.get("PONTE_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="on PostgreSQL this command would start a real worker",
)
def test_a_solve_worker_on_sqlite_says_why_it_cannot_start(app):
    result = app.test_cli_runner().invoke(args=["worker", "solve"])
    assert result.exit_code == 1 and "PONTE_MATCHRUN_QUEUE=procrastinate" in result.output


def _queued_run(o) -> MatchRun:  # type: ignore[no-untyped-def]
    run = ops.start_run(o.coordinator, o.monday, o.monday + timedelta(days=6), RunScope.VISITS,
                        time_limit_s=2)
    db.session.commit()
    return run


def _statuses(app, run_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    return taskqueue.job_statuses(app, queueing_lock(run_id))


@needs_postgres
def test_the_sweep_queues_a_lost_run_once_and_fails_a_run_its_job_left(app, committed_db):
    with queue_backend(app):
        o = small_org()
        db.session.commit()
        run = _queued_run(o)
        run_id = run.id
        assert queue.sweep(app) == ([], [])  # too young: its defer may still be coming
        run.created_at -= timedelta(minutes=5)
        db.session.commit()
        assert queue.sweep(app) == ([run_id], [])
        assert queue.sweep(app) == ([], [])  # its job waits: nothing twice
        assert _statuses(app, run_id) == ["todo"]

        # A worker took it, then its job ended (cancelled here) without finishing the run.
        (job,) = taskqueue.web_app(app).job_manager.list_jobs(queueing_lock=queueing_lock(run_id))
        assert job.id is not None
        run = db.session.get(MatchRun, run_id)
        run.status, run.job_id = RunStatus.RUNNING, job.id
        db.session.commit()
        assert queue.sweep(app) == ([], [])  # its job is alive
        taskqueue.web_app(app).job_manager.cancel_job_by_id(job.id)
        assert queue.sweep(app) == ([], [run_id])
        db.session.expire_all()
        run = db.session.get(MatchRun, run_id)
        assert run.status == RunStatus.FAILED
        assert run.error == "crash|the matcher stopped without finishing"


@needs_postgres
def test_a_queued_morning_run_is_announced_by_whoever_solves_it(app, committed_db):
    with queue_backend(app):
        o = small_org()
        db.session.commit()
        run = _queued_run(o)
        run.params = {**run.params, "announce_days": 21}
        db.session.commit()
        launch(run.id)
        (job,) = taskqueue.web_app(app).job_manager.list_jobs(queueing_lock=queueing_lock(run.id))
        assert job.id is not None and job.task_kwargs == {"run_id": run.id}
        assert queue.solve_job(run.id, job.id, 0) == "done"
        db.session.expire_all()
        assert db.session.get(MatchRun, run.id).job_id == job.id
        (alert,) = db.session.scalars(
            sa.select(Notification).where(Notification.kind == "matches_proposed")
        ).all()
        assert alert.user_id == o.coordinator.id
        assert queue.solve_job(run.id, job.id, 2) == "gave up"  # no tries left: a no-op now
        assert db.session.get(MatchRun, run.id).status == RunStatus.DONE


@needs_postgres
def test_one_worker_sweeps_at_a_time_and_a_run_solved_meanwhile_is_not_lost(
    app, committed_db, monkeypatch
):
    """Two workers' sweeps both found a run with no job and both queued it (seen in CI:
    the first copy was already running, which the queueing lock does not keep out)."""
    with queue_backend(app):
        o = small_org()
        db.session.commit()
        run = _queued_run(o)
        run.created_at -= timedelta(minutes=5)
        db.session.commit()
        run_id = run.id
        with db.engine.connect() as other:  # another worker's sweep, under way
            other.execute(sa.select(sa.func.pg_advisory_xact_lock(*queue.SWEEP_LOCK)))
            assert queue.sweep(app) == ([], [])
            other.rollback()
        assert _statuses(app, run_id) == []

        # Its job ends while this sweep reads the jobs: the run is solved, not lost.
        read_jobs = taskqueue.job_statuses

        def solved_meanwhile(flask_app: Flask, lock: str) -> list[str]:
            with db.engine.begin() as solver:
                solver.execute(sa.update(MatchRun).where(MatchRun.id == run_id)
                               .values(status=RunStatus.DONE, finished_at=sa.func.now()))
            return read_jobs(flask_app, lock)

        monkeypatch.setattr(taskqueue, "job_statuses", solved_meanwhile)
        assert queue.sweep(app) == ([], [])
        assert _statuses(app, run_id) == []
