"""The worker end to end: in-process and as the real child process the web app starts."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from matching.visits.check import check_solution
from matching.visits.model import Assignment, Objective, Unserved, VisitSolution, fairness_cost
from tests.matchrun.scenario import small_org
from webapp.extensions import db
from webapp.matchrun import operations as ops
from webapp.matchrun.convert import visit_week
from webapp.matchrun.launch import launch
from webapp.matchrun.models import MatchRun, RunScope, RunStatus
from webapp.worker import main


def _start(o, scope=RunScope.VISITS):  # type: ignore[no-untyped-def]
    run = ops.start_run(
        o.coordinator, o.monday, o.monday + timedelta(days=6), scope, time_limit_s=3
    )
    run_id = run.id
    db.session.commit()
    return run_id


def _reload(run_id: int) -> MatchRun:
    """End our read transaction first: on SQLite (WAL) it would keep an old snapshot."""
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(MatchRun, run_id)


def _as_solution(o, results) -> tuple:  # type: ignore[no-untyped-def]
    """Rebuild the problem from the same rows and the solution from the stored JSON only."""
    w = visit_week(o.org.id, o.monday, o.monday, o.monday + timedelta(days=6))
    visits = {v.id: v for v in w.problem.visits}
    loads = {u.id: 0 for u in w.problem.volunteers}
    assignments = []
    for p in results["proposals"]:
        vid = str(p["shift_id"])
        start = w.minute(datetime.fromisoformat(p["start"]))
        people = tuple(str(v["person_id"]) for v in p["volunteers"])
        for u in people:
            loads[u] += visits[vid].duration_min
        assignments.append(Assignment(vid, people, start, start + visits[vid].duration_min))
    objective = Objective(
        priority=sum(visits[a.visit].priority for a in assignments),
        continuity=sum(any(v["continuity"] for v in p["volunteers"]) for p in results["proposals"]),
        travel_km=sum(v["km"] for p in results["proposals"] for v in p["volunteers"]),
        fairness=sum(fairness_cost(m) for m in loads.values()),
    )
    unserved = tuple(Unserved(str(u["shift_id"]), u["reason"]) for u in results["unserved"])
    return w.problem, VisitSolution(tuple(assignments), unserved, objective, loads, "X", 0.0)


def _assert_good_visits(o, run) -> None:  # type: ignore[no-untyped-def]
    assert run.status == RunStatus.DONE, run.error
    assert run.started_at and run.finished_at and run.progress == 1.0
    visits = run.results["visits"]
    assert visits["check_errors"] == []
    problem, solution = _as_solution(o, visits)
    assert check_solution(problem, solution) == []
    served = {p["shift_id"] for p in visits["proposals"]}
    ids = {k: s.id for k, s in o.visits.items()}
    assert served == {ids["ada"], ids["bruno"], ids["carla"], ids["dino"]}
    assert [u["shift_id"] for u in visits["unserved"]] == [ids["elsa"]]
    assert visits["unserved"][0]["reason"] == "no volunteer lives within range"
    # First come, first served seats Giulia and Marco with Dino and loses Carla.
    assert visits["baseline"]["served"] == 3 and visits["baseline"]["unserved"] == sorted(
        [ids["carla"], ids["elsa"]]
    )
    assert visits["solver"]["served"] == 4
    carla = next(p for p in visits["proposals"] if p["shift_id"] == ids["carla"])
    (marco,) = carla["volunteers"]
    assert marco["person_id"] == o.vols["marco"].id
    assert marco["km"] == 0.0 and marco["load_week_min"] == 60 and marco["continuity"] is False


def test_worker_main_in_process(app, committed_db):
    o = small_org()
    db.session.commit()
    run_id = _start(o)
    assert main(run_id) == 0
    _assert_good_visits(o, _reload(run_id))
    assert main(run_id) == 0  # a finished run is not solved twice


def test_worker_as_a_subprocess(app, committed_db):
    o = small_org()
    db.session.commit()
    run_id = _start(o)
    app.config["MATCHRUN_LAUNCH"] = "process"
    proc = launch(run_id)
    assert proc is not None and proc.wait(timeout=120) == 0
    run = _reload(run_id)
    _assert_good_visits(o, run)
    assert run.worker_pid == proc.pid != os.getpid()  # solved in the child, not in here


def test_rides_and_visits_together(app, committed_db):
    o = small_org(with_rides=True)
    db.session.commit()
    run_id = _start(o, RunScope.BOTH)
    assert main(run_id) == 0
    run = _reload(run_id)
    rides = run.results["rides"]
    assert rides["rides_total"] == 1
    (ride,) = rides["proposals"]
    assert ride["volunteers"][0]["person_id"] == o.vols["driver"].id
    assert len(ride["legs"]) == 2 and rides["baseline"]["served"] == 1


def test_bad_rows_fail_the_run_with_a_readable_message(app, committed_db):
    o = small_org()
    o.vols["giulia"].lat = 95.0
    db.session.commit()
    run_id = _start(o)
    assert main(run_id) == 1
    run = _reload(run_id)
    assert run.status == RunStatus.FAILED and run.finished_at is not None
    assert run.error == (
        f"input|volunteer {o.vols['giulia'].id}.lat: latitude must be between -90 and 90, got 95.0"
    )
    assert "Traceback" not in run.error
