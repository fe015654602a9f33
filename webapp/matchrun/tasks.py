"""Each morning, propose volunteers for the coming days; coordinators still approve.

The job queues a match run per organisation in the same transaction as its run record
and commits. Then, with ``MATCHRUN_QUEUE=local``, it solves them here in the scheduler
process (the matchrun worker, with its own short transactions) and tells the
coordinators how many proposals wait for approval on the matching page; with the task
queue it defers one job per run and the solve workers do both (``announce.py``), so the
scheduler stays light and a morning of many organisations spreads over the workers.
Nothing is written to the shifts until a coordinator approves.

``SCHEDULER_PROPOSER`` ("module:function") plugs in another matcher instead, called as
``function(org_id, start, end, now) -> number of proposals`` inside the job's transaction
(it proposes through ``shifts.operations.propose``). A value that names nothing
importable stops the job with a message naming the setting, rather than silently
proposing nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from importlib import import_module

from flask import Flask, current_app

from webapp.core import taskqueue
from webapp.extensions import db
from webapp.matchrun.announce import announce
from webapp.matchrun.launch import enqueue
from webapp.matchrun.models import RunScope
from webapp.matchrun.operations import start_run
from webapp.matchrun.worker import run as solve
from webapp.notifications.operations import coordinators_of, notify_coordinators
from webapp.orgs.models import Organisation, OrganisationSchedule
from webapp.orgs.settings import org_tz
from webapp.scheduler.registry import Job, setting
from webapp.scheduler.runs import for_each_org

TICK = 600
CATCH_UP = timedelta(hours=20)


def proposer(app: Flask) -> Callable[..., int] | None:
    """The function ``SCHEDULER_PROPOSER`` names, or None when it is empty."""
    target = setting(app, "SCHEDULER_PROPOSER", "")
    if not target:
        return None
    module, _, name = target.partition(":")
    try:
        return getattr(import_module(module), name)
    except (ImportError, AttributeError, ValueError) as exc:
        raise RuntimeError(
            f"SCHEDULER_PROPOSER={target!r} names no function (module:function): {exc}"
        ) from exc


def run_propose_matches(now: datetime) -> str:
    propose = proposer(current_app)
    if propose is not None:
        return _with_proposer(propose, now)
    return _with_matchrun(now)


def _window(org: Organisation, schedule: OrganisationSchedule, now: datetime) -> tuple[date, date]:
    first = now.astimezone(org_tz(org.id)).date()
    return first, first + timedelta(days=min(schedule.match_days_ahead, 31) - 1)


def _with_proposer(propose: Callable[..., int], now: datetime) -> str:
    def work(org: Organisation, schedule: OrganisationSchedule, due: datetime) -> str:
        count = propose(org.id, now, now + timedelta(days=schedule.match_days_ahead), now)
        if count:
            notify_coordinators(org.id, "matches_proposed",
                                {"count": count, "days": schedule.match_days_ahead},
                                dedupe_key=f"proposed:{org.id}:{due.isoformat()}")
        return f"{count} proposals"

    done = for_each_org("propose_matches", now, lambda s: s.daily_hour, CATCH_UP, work)
    db.session.commit()
    return "; ".join(done) or "not due"


def _with_matchrun(now: datetime) -> str:
    queued: list[int] = []

    def work(org: Organisation, schedule: OrganisationSchedule, due: datetime) -> str:
        coordinators = coordinators_of(org.id)
        if not coordinators:
            return "no coordinator to approve proposals"
        first, last = _window(org, schedule, now)
        # The run is "by" the first coordinator: the matching page lists it with theirs.
        match = start_run(coordinators[0], first, last, RunScope.BOTH, today=first)
        match.params = {**match.params, "announce_days": schedule.match_days_ahead}
        queued.append(match.id)
        return f"match run {match.id} queued"

    done = for_each_org("propose_matches", now, lambda s: s.daily_hour, CATCH_UP, work)
    db.session.commit()
    on_queue = taskqueue.backend(current_app) == "procrastinate"
    for run_id in queued:
        if on_queue:
            enqueue(run_id)  # a solve worker solves and announces it
        else:
            solve(run_id)  # commits its own progress and result
            announce(run_id)
    return "; ".join(done) or "not due"


def jobs(app: Flask) -> list[Job]:
    return [Job("propose_matches", run_propose_matches, TICK, TICK, True,
                "Propose volunteers for the coming days (daily); coordinators approve.")]
