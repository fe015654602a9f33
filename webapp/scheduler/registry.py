"""The job registry: what runs, how often, and what happens when a run is missed.

Each feature's ``tasks.py`` describes its jobs (``jobs(app) -> list[Job]``);
``webapp/jobs.py`` collects them when the app is created. Every job is a function
``run_<job>(now) -> str`` that claims its run record, does its work and commits once
(see :mod:`webapp.scheduler.runs`). Interval triggers are aligned on the epoch, so each
firing falls in its own slot (``floor_time(now, seconds)``), and the slot is the due
time of the run record.

Misfire policy (APScheduler): ``misfire_grace_time`` is how late a firing may still run
(e.g. the process was busy or suspended); ``coalesce=True`` turns several missed firings
into one. Frequent jobs use a grace of one interval: a firing missed by more than that
is dropped because the next one does the same work. Daily work per organisation is
decided inside the job from the organisation's local time, so the tick itself can be
dropped safely and a scheduler that was down catches up on its next tick.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[datetime], str]
    seconds: int  # interval between firings
    misfire_grace_time: int | None
    coalesce: bool
    description: str


EXTENSION = "ponte.jobs"


def register_jobs(app: Flask, jobs: list[Job]) -> None:
    """Remember the app's jobs (``webapp/jobs.py`` lists them, at app creation). Only
    the scheduler process runs them; web workers never do."""
    app.extensions[EXTENSION] = {job.name: job for job in jobs}


def setting(app: Flask, name: str, default: str | None) -> str | None:
    """App config wins, then the environment variable ``PONTE_<name>``."""
    if name in app.config:
        return str(app.config[name])
    return os.environ.get(f"PONTE_{name}", default)


def all_jobs(app: Flask) -> list[Job]:
    """The app's jobs, by name; ``SCHEDULER_JOBS`` (comma-separated names) keeps some."""
    jobs = list(app.extensions.get(EXTENSION, {}).values())
    enabled = setting(app, "SCHEDULER_JOBS", "")
    if enabled:
        names = {n.strip() for n in enabled.split(",") if n.strip()}
        jobs = [j for j in jobs if j.name in names]
    return sorted(jobs, key=lambda j: j.name)


def get_job(app: Flask, name: str) -> Job | None:
    return next((j for j in all_jobs(app) if j.name == name), None)
