"""Two solve workers (``flask worker solve``) against one PostgreSQL database: every run
solved exactly once, one run at a time per organisation, and a worker killed mid-run
leaves no run stuck (retried by the other worker, or failed with a message)."""

from __future__ import annotations

import signal
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.matchrun.scenario import small_org
from tests.matchrun.workers import Workers, needs_postgres, queue_backend, wait_for
from webapp.core import taskqueue
from webapp.extensions import db
from webapp.matchrun import operations as ops
from webapp.matchrun.launch import launch, queueing_lock
from webapp.matchrun.models import MatchRun, RunScope, RunStatus

pytestmark = [needs_postgres, pytest.mark.slow]


@pytest.fixture
def workers(app, committed_db, tmp_path):  # type: ignore[no-untyped-def]
    with queue_backend(app):
        procs = Workers(app, tmp_path)
        try:
            yield procs
        finally:
            procs.stop()


def _runs(ids: list[int]) -> list[MatchRun]:
    db.session.rollback()  # a fresh snapshot: the rows come from other processes
    db.session.expire_all()
    return list(db.session.scalars(sa.select(MatchRun).where(MatchRun.id.in_(ids))))


def _finished(ids: list[int]) -> bool:
    return all(r.finished for r in _runs(ids))


def _jobs(app, run_id: int) -> list:  # type: ignore[no-untyped-def]
    return taskqueue.web_app(app).job_manager.list_jobs(queueing_lock=queueing_lock(run_id))


def _queue_runs(app, o, n: int, time_limit_s: float = 2.0) -> list[int]:  # type: ignore[no-untyped-def]
    """``n`` runs of one organisation waiting at once (the bound on starting them is
    lifted here: the workers' lock per organisation is what is under test)."""
    app.config["MATCH_RUNS_PER_ORGANISATION"] = 99
    try:
        ids = [ops.start_run(o.coordinator, o.monday, o.monday + timedelta(days=6),
                             RunScope.VISITS, time_limit_s=time_limit_s).id for _ in range(n)]
    finally:
        app.config["MATCH_RUNS_PER_ORGANISATION"] = 1
    db.session.commit()
    return ids


def _over(app, ids: list[int]) -> bool:  # type: ignore[no-untyped-def]
    """Every run finished and its jobs ended: a worker commits the run's end first and
    marks its job done a moment later (seen in CI: read in between, still "doing")."""
    return _finished(ids) and all(
        j.status not in ("todo", "doing") for i in ids for j in _jobs(app, i)
    )


def _listening(workers: Workers, *names: str) -> bool:
    return all("Starting worker" in workers.log(name) for name in names)


def test_two_workers_solve_every_run_once_one_per_organisation_at_a_time(app, workers):
    a, b = workers.start("a"), workers.start("b")
    wait_for(lambda: _listening(workers, "a", "b"))
    first, second = small_org(), small_org()
    db.session.commit()
    runs = {first.org.id: _queue_runs(app, first, 3), second.org.id: _queue_runs(app, second, 3)}
    ids = [i for group in runs.values() for i in group]
    lost = ids[-1]  # its defer "failed" after the commit: the sweep must queue it
    for run_id in ids:
        if run_id != lost:
            launch(run_id)
    wait_for(lambda: _over(app, ids), timeout=240)

    solved = {r.id: r for r in _runs(ids)}
    assert [r.error for r in solved.values() if r.status != RunStatus.DONE] == []
    assert all(r.results["visits"]["solver"]["served"] == 4 for r in solved.values())
    # Exactly once: one job per run, succeeded at its first attempt (claims are
    # conditional, so a second solve could not even start).
    for run_id in ids:
        (job,) = _jobs(app, run_id)
        assert (job.status, job.attempts) == ("succeeded", 1)
    assert {r.worker_pid for r in solved.values()} == {a.pid, b.pid}  # both took a share
    # Never two at once for one organisation: each run starts after the previous ended.
    for group in runs.values():
        spans = sorted((solved[i].started_at, solved[i].finished_at) for i in group)
        for (_, ended), (started, _) in zip(spans, spans[1:], strict=False):
            assert started >= ended, spans
    # ... while the two organisations were solved side by side.
    (a0, a1), (b0, b1) = (
        (min(solved[i].started_at for i in g), max(solved[i].finished_at for i in g))
        for g in runs.values()
    )
    assert a0 < b1 and b0 < a1
    assert "had no job (lost defer?): queued again" in workers.log("a") + workers.log("b")


def _hold_shifts(holder: sa.Connection) -> None:
    """A small run solves in a tenth of a second, too fast to kill mid-run reliably.
    Holding the shift table from another connection keeps a claimed run waiting in its
    conversion (a slow database, as a worker may meet): "running" for as long as the
    test needs."""
    holder.execute(sa.text("LOCK TABLE shift IN ACCESS EXCLUSIVE MODE"))


@pytest.mark.parametrize(("attempts", "copy"), [(2, False), (1, False), (2, True)])
def test_a_worker_killed_mid_run_leaves_no_run_stuck(app, workers, attempts, copy):
    o = small_org()
    db.session.commit()
    (run_id,) = _queue_runs(app, o, 1)
    with db.engine.connect() as holder:
        _hold_shifts(holder)
        launch(run_id)
        a = workers.start("a", PONTE_MATCHRUN_ATTEMPTS=str(attempts))
        wait_for(lambda: _runs([run_id])[0].status == RunStatus.RUNNING)
        assert _runs([run_id])[0].worker_pid == a.pid
        a.send_signal(signal.SIGKILL)  # mid-run: no chance to write anything
        a.wait(timeout=10)
        holder.rollback()
    assert _runs([run_id])[0].status == RunStatus.RUNNING
    if copy:  # a second job for the run, deferred while the first ran (a slow defer
        launch(run_id)  # that the sweep doubled): the retry must not be refused for it
        assert {j.status for j in _jobs(app, run_id)} == {"doing", "todo"}

    b = workers.start("b", PONTE_MATCHRUN_ATTEMPTS=str(attempts))
    wait_for(lambda: _over(app, [run_id]), timeout=180)
    (run,) = _runs([run_id])
    jobs = _jobs(app, run_id)
    (job,) = [j for j in jobs if j.status != "cancelled"]
    assert [j.status for j in jobs].count("cancelled") == (1 if copy else 0)
    assert job.attempts == 2  # given back once, when a's heartbeats stopped; then ended
    if attempts == 2:  # retried by the other worker, from the start
        assert run.status == RunStatus.DONE and run.worker_pid == b.pid, run.error
        assert run.results["visits"]["solver"]["served"] == 4
    else:  # no tries left: failed, with words a coordinator can read
        assert run.status == RunStatus.FAILED and run.finished_at is not None
        assert run.error == "crash|its solve worker stopped without finishing (1 of 1 tries)"
    assert "queued again" in workers.log("b")
