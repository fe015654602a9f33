"""`flask scheduler ...`: run the scheduler process, list jobs, run one job now."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup

from webapp.scheduler.registry import all_jobs, get_job

scheduler_cli = AppGroup("scheduler", help="Scheduled jobs (run exactly one active process).")


@scheduler_cli.command("run")
def run_cmd() -> None:
    """Run the scheduler until stopped. Start it once per deployment; a second copy
    waits as a hot standby and takes over if the first dies."""
    # Imported here, not above: web workers load this module too, and APScheduler must
    # never be loaded (let alone started) in a web worker.
    from webapp.scheduler.process import SchedulerProcess  # noqa: PLC0415

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # APScheduler logs two lines per run of every job (the sender runs every 20 s); our
    # own job log line says what each run did, so keep only its warnings and errors.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    # Its start-up lines ("Adding job tentatively...", "Added job...") say nothing a
    # person needs; warnings and errors still show.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.WARNING)
    if os.environ.get("PONTE_SCHEDULER_QUIET"):
        # `make run` shares the terminal: a line every 20 s would push the demo logins
        # off screen. Warnings and errors (a job that failed) still show.
        logging.getLogger("webapp.scheduler").setLevel(logging.WARNING)
    # The app itself, not the proxy: the scheduler's threads run outside this context.
    # Flask types current_app as Flask, so the proxy's own method is unknown to it.
    process = SchedulerProcess(current_app._get_current_object())  # type: ignore[attr-defined]
    process.install_signal_handlers()
    process.run()


@scheduler_cli.command("jobs")
def jobs_cmd() -> None:
    """List the jobs with their interval and misfire policy."""
    for job in all_jobs(current_app):
        grace = "none" if job.misfire_grace_time is None else f"{job.misfire_grace_time}s"
        click.echo(
            f"{job.name:24} every {job.seconds}s  grace {grace}  coalesce {job.coalesce}"
            f"  {job.description}"
        )


@scheduler_cli.command("run-job")
@click.argument("name")
def run_job_cmd(name: str) -> None:
    """Run one job now (safe: a due time already done is skipped)."""
    job = get_job(current_app, name)
    if job is None:
        raise click.ClickException(f"no job named {name!r} (see `flask scheduler jobs`)")
    click.echo(f"{job.name}: {job.func(datetime.now(UTC))}")
