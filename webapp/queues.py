"""Solve workers: ``flask worker solve [--concurrency N]``, run any number of them, on
any machine that reaches the database (docs/deploy.md, "Solve workers").

A worker takes jobs of the ``solve`` queue from PostgreSQL (procrastinate), one per slot;
each job runs in a thread of its own with an app context of its own. Beside the jobs, it
sweeps every ``QUEUE_SWEEP_SECONDS``: jobs of workers silent for
``QUEUE_STALLED_SECONDS`` go back to the queue, and each feature fixes its own rows
(match runs: :func:`webapp.matchrun.queue.sweep`). Every worker sweeps; a sweep is
idempotent, so several at once do no harm, and one surviving worker is enough.

SIGTERM or Ctrl+C: takes no new job, finishes the ones running, exits. Past systemd's
stop timeout it is killed; its job then counts as stalled and another worker retries it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket

import click
import procrastinate
from flask import Flask, current_app
from flask.cli import AppGroup

from matching.visits.search.fast_search import warm
from webapp.core import taskqueue
from webapp.matchrun import queue as matchrun_queue
from webapp.matchrun.launch import QUEUE

log = logging.getLogger("ponte.worker")
worker_cli = AppGroup("worker", help="Workers that take jobs from the task queue.")


def solve_queue(app: Flask, concurrency: int) -> procrastinate.App:
    queue = taskqueue.worker_app(app, concurrency)
    matchrun_queue.register(queue)
    return queue


@worker_cli.command("solve")
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Solves at once in this process (threads; CP-SAT releases the GIL, "
                   "the conversion does not: for more CPUs, start more processes).")
def solve(concurrency: int) -> None:
    """Solve match runs from the task queue until stopped (SIGTERM finishes the running
    ones first)."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        if taskqueue.backend(app) != "procrastinate":
            raise RuntimeError(
                "set PONTE_MATCHRUN_QUEUE=procrastinate (and PostgreSQL) for the web servers, the "
                "scheduler and the workers alike: with \"local\" no run is queued"
            )
        if not taskqueue.schema_present():
            raise RuntimeError("the task queue's tables are missing: run `flask db upgrade`")
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    name = f"solve@{socket.gethostname()}:{os.getpid()}"
    # Before taking jobs: compiling the visits search (about 100 s without numba's
    # cache, seconds with it) inside a job would hold the GIL long enough to silence
    # this worker's heartbeats, and other workers would retry its job.
    click.echo(f"solve worker {name}: visits search ready in {warm():.1f} s")
    click.echo(f"solve worker {name}: {concurrency} at once, queue {QUEUE!r}")
    asyncio.run(serve(app, solve_queue(app, concurrency), concurrency, name))
    click.echo(f"solve worker {name} stopped")


async def serve(app: Flask, queue: procrastinate.App, concurrency: int, name: str) -> None:
    config = app.config
    async with queue.open_async():
        sweeper = asyncio.create_task(sweep_forever(app, queue))
        try:
            await queue.run_worker_async(
                queues=[QUEUE],
                name=name,
                concurrency=concurrency,
                additional_context={"flask_app": app},
                update_heartbeat_interval=float(config["QUEUE_HEARTBEAT_SECONDS"]),
                stalled_worker_timeout=float(config["QUEUE_STALLED_SECONDS"]),
                install_signal_handlers=True,
            )
        finally:
            sweeper.cancel()


async def sweep_forever(app: Flask, queue: procrastinate.App) -> None:
    every = max(1, int(app.config["QUEUE_SWEEP_SECONDS"]))
    stalled = float(app.config["QUEUE_STALLED_SECONDS"])
    while True:
        try:
            await taskqueue.retry_stalled(queue, stalled, QUEUE)
            await asyncio.to_thread(matchrun_queue.sweep, app)
        except Exception:  # noqa: BLE001 - a failed pass (database restarting) is retried
            log.exception("sweep failed; trying again in %s s", every)
        await asyncio.sleep(every)
