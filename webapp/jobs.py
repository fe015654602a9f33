"""Every scheduled job, collected in one place when the app is created.

Each feature's ``tasks.py`` says what it runs (``jobs(app) -> list[Job]``); the scheduler
package is only the machinery (leader lock, registry, process, run records). Listing
jobs here starts nothing: only ``flask scheduler run`` runs them, in its own process.
"""

from __future__ import annotations

from flask import Flask

from webapp.matchrun import tasks as matchrun_tasks
from webapp.notifications import tasks as notifications_tasks
from webapp.observatory import tasks as observatory_tasks
from webapp.people import tasks as people_tasks
from webapp.privacy import tasks as privacy_tasks
from webapp.requests import tasks as requests_tasks
from webapp.scheduler import tasks as scheduler_tasks
from webapp.scheduler.registry import register_jobs
from webapp.shifts import tasks as shifts_tasks
from webapp.timebank import tasks as timebank_tasks

FEATURES = (
    scheduler_tasks,
    notifications_tasks,
    people_tasks,
    requests_tasks,
    shifts_tasks,
    timebank_tasks,
    matchrun_tasks,
    privacy_tasks,
    observatory_tasks,
)


def init_jobs(app: Flask) -> None:
    register_jobs(app, [job for feature in FEATURES for job in feature.jobs(app)])
