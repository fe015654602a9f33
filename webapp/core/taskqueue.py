"""The shared task queue: procrastinate on PostgreSQL, for work that outgrows a web request.

Why procrastinate (docs/deploy.md compares it with Celery, RQ, Dramatiq and Huey): the
queue is a few tables in the database Ponte already runs, so a solve worker on another
machine needs nothing but ``DATABASE_URL``; jobs are taken with ``FOR UPDATE SKIP
LOCKED`` and announced with LISTEN/NOTIFY; a job's ``lock`` keeps jobs sharing it one at
a time across every worker (our per-organisation bound); a ``queueing_lock`` refuses a
second waiting copy (a sweep may re-queue without duplicates); workers send heartbeats,
so the jobs of a worker that died can be found and retried.

Its tables live in their own PostgreSQL schema, ``procrastinate`` (``SCHEMA``), created by
our migration: ``flask db upgrade`` stays the one migrate step, Alembic's autogenerate
and the test suite's table wipes never see them, and a downgrade drops the schema whole.
Every procrastinate connection therefore sets ``search_path`` to that schema.

This module is the plumbing only (no feature's tasks): the web side defers by task name,
the workers (``webapp/queues.py``) register the features' tasks.
"""

from __future__ import annotations

import logging
from typing import Any

import procrastinate
import psycopg_pool
import sqlalchemy as sa
from flask import Flask
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.schema import SchemaManager

from webapp.extensions import db

log = logging.getLogger(__name__)
SCHEMA = "procrastinate"
BACKENDS = ("local", "procrastinate")


def backend(app: Flask) -> str:
    """``MATCHRUN_QUEUE``, checked: the queue needs PostgreSQL (say so, not a trace)."""
    name = str(app.config.get("MATCHRUN_QUEUE") or "local")
    if name not in BACKENDS:
        raise RuntimeError(
            f"PONTE_MATCHRUN_QUEUE must be one of {', '.join(BACKENDS)}, not {name!r}"
        )
    if name == "procrastinate" and not _is_postgres(app):
        raise RuntimeError(
            "PONTE_MATCHRUN_QUEUE=procrastinate needs PostgreSQL "
            "(DATABASE_URL=postgresql+psycopg://...); with SQLite, runs are solved "
            "locally (PONTE_MATCHRUN_QUEUE=local)"
        )
    return name


def _is_postgres(app: Flask) -> bool:
    return sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "postgresql"


def conninfo(database_url: str) -> str:
    """libpq's form of our SQLAlchemy URL (``postgresql+psycopg://`` -> ``postgresql://``)."""
    url = sa.make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def connection_kwargs(name: str) -> dict[str, Any]:
    # The schema of procrastinate's tables and functions; a name in pg_stat_activity.
    return {"options": f"-c search_path={SCHEMA}", "application_name": name}


def worker_app(app: Flask, concurrency: int, name: str = "ponte-solve-worker") -> procrastinate.App:
    """A procrastinate App for a worker process (async pool, opened by the worker): a
    connection to listen, one for heartbeats and fetching, one per job finishing."""
    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo(app.config["SQLALCHEMY_DATABASE_URI"]),
        kwargs=connection_kwargs(name),
        min_size=1,
        max_size=concurrency + 3,
    )
    return procrastinate.App(connector=connector)


def web_app(app: Flask) -> procrastinate.App:
    """The procrastinate App this process defers with, opened on first use.

    A web worker defers one job per click: a pool of idle connections in each gunicorn
    worker would cost more than it saves, so each defer opens a connection and closes it
    (``NullConnectionPool``). Opened lazily, after gunicorn forks its workers."""
    queue = app.extensions.get("procrastinate")
    if queue is None:
        queue = procrastinate.App(connector=procrastinate.SyncPsycopgConnector())
        queue.open(
            psycopg_pool.NullConnectionPool(
                conninfo(app.config["SQLALCHEMY_DATABASE_URI"]),
                kwargs=connection_kwargs("ponte-web"),
                open=True,
            )
        )
        app.extensions["procrastinate"] = queue
    return queue


def defer(
    app: Flask, task: str, *, queue: str, lock: str, queueing_lock: str, **kwargs: Any
) -> int | None:
    """Queue a job of ``task`` on ``queue`` (by name: the web side need not import the
    worker's code). Returns its id, or None if the same job (``queueing_lock``) is
    already waiting."""
    deferrer = web_app(app).configure_task(
        task, allow_unknown=True, queue=queue, lock=lock, queueing_lock=queueing_lock
    )
    try:
        return int(deferrer.defer(**kwargs))
    except AlreadyEnqueued:
        return None


def job_statuses(app: Flask, queueing_lock: str) -> list[str]:
    """The statuses of every job deferred with this ``queueing_lock`` (any age)."""
    jobs = web_app(app).job_manager.list_jobs(queueing_lock=queueing_lock)
    return [job.status for job in jobs if job.status]


def job_status(app: Flask, job_id: int) -> str | None:
    jobs = web_app(app).job_manager.list_jobs(id=job_id)
    return jobs[0].status if jobs else None


async def retry_stalled(queue: procrastinate.App, seconds: float, queue_name: str) -> int:
    """Put back the jobs of workers silent for ``seconds`` (dead or cut off): another
    worker takes them. Returns how many. Several workers may sweep at once: a job some
    other one retried first is no longer 'doing' and is skipped."""
    count = 0
    for job in await queue.job_manager.get_stalled_jobs(
        queue=queue_name, seconds_since_heartbeat=seconds
    ):
        if await _retry(queue, job):
            log.warning("job %s of a silent worker (%s) queued again", job.id, job.worker_id)
            count += 1
    return count


async def _retry(queue: procrastinate.App, job: procrastinate.jobs.Job) -> bool:
    """Put one stalled job back. A copy of it may already be waiting (the same queueing
    lock: deferred again while this one ran, e.g. by a sweep that found no job for a
    while): the queue refuses a second waiting copy, and the stalled job would stay
    'doing' forever, holding its lock and every later job sharing it. The waiting copy
    is cancelled and the stalled job retried, which keeps its count of attempts."""
    for _ in range(2):
        try:
            await queue.job_manager.retry_job(job)
            return True
        except procrastinate.exceptions.UniqueViolation:
            waiting = await queue.job_manager.list_jobs_async(
                queueing_lock=job.queueing_lock, status="todo"
            )
            for copy in waiting:
                if copy.id is not None and copy.id != job.id:
                    await queue.job_manager.cancel_job_by_id_async(copy.id)
                    log.warning("job %s: its waiting copy %s cancelled", job.id, copy.id)
        except procrastinate.exceptions.ConnectorException as exc:
            log.info("job %s not retried (another worker did?): %s", job.id, exc)
            return False
    return False


def schema_present() -> bool:
    """Whether our migration created the queue's tables in this database (app context)."""
    found = db.session.scalar(sa.text(f"SELECT to_regclass('{SCHEMA}.procrastinate_jobs')"))
    db.session.rollback()
    return found is not None


def schema_sql() -> str:
    """procrastinate's own schema (of the installed version), for our migration."""
    return SchemaManager.get_schema()


def create_schema(dbapi_connection: Any) -> None:
    """Create the ``procrastinate`` schema and its objects on a psycopg connection, in
    its current transaction. Raw psycopg, not SQLAlchemy text(): the SQL holds ``%``
    and ``:`` that a parameter parser would misread."""
    dbapi_connection.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    dbapi_connection.execute(f"SET LOCAL search_path TO {SCHEMA}")
    dbapi_connection.execute(schema_sql())
    dbapi_connection.execute("SET LOCAL search_path TO DEFAULT")


def drop_schema(dbapi_connection: Any) -> None:
    dbapi_connection.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
