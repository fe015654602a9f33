"""Solve workers as real processes (``flask worker solve``) against the test database,
and the procrastinate schema they need (the tests build tables with ``create_all``, not
the migrations, so the fixture applies the schema our migration would)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests import helpers
from webapp.core import taskqueue
from webapp.extensions import db

ROOT = Path(__file__).resolve().parents[2]
needs_postgres = pytest.mark.skipif(
    not os.environ.get("PONTE_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="the task queue (procrastinate) is PostgreSQL only; SQLite solves runs locally",
)
FAST = {  # seconds: a dead worker is noticed in about 5 s instead of a minute
    "PONTE_QUEUE_HEARTBEAT_SECONDS": "1",
    "PONTE_QUEUE_STALLED_SECONDS": "5",
    "PONTE_QUEUE_SWEEP_SECONDS": "1",
    "PONTE_QUEUE_REQUEUE_SECONDS": "2",
}


@contextlib.contextmanager
def queue_backend(app: Flask) -> Iterator[None]:
    """This process defers to a fresh procrastinate schema of the test database."""
    with app.app_context(), db.engine.begin() as conn:
        taskqueue.drop_schema(conn.connection.driver_connection)
        taskqueue.create_schema(conn.connection.driver_connection)
    old = app.config["MATCHRUN_QUEUE"]
    app.config["MATCHRUN_QUEUE"] = "procrastinate"
    try:
        yield
    finally:
        app.config["MATCHRUN_QUEUE"] = old
        queue = app.extensions.pop("procrastinate", None)
        if queue is not None:
            queue.close()


class Workers:
    """Starts ``flask worker solve`` processes; stops (then kills) every one at the end."""

    def __init__(self, app: Flask, logs: Path) -> None:
        self.url = app.config["SQLALCHEMY_DATABASE_URI"]
        self.logs = logs
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, **env: str) -> subprocess.Popen[bytes]:
        environ = {
            **os.environ,
            **FAST,
            **env,
            "DATABASE_URL": self.url,
            "PONTE_MATCHRUN_QUEUE": "procrastinate",
            "PYTHONUNBUFFERED": "1",
        }
        with (self.logs / f"{name}.log").open("w") as out:
            proc = subprocess.Popen(  # noqa: S603 - fixed argv
                [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "solve"],
                cwd=ROOT,
                env=environ,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.procs.append(proc)
        return proc

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text()

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        for log in sorted(self.logs.glob("*.log")):  # shown by pytest if the test failed
            print(f"--- {log.name}\n{log.read_text()}")


def wait_for(predicate: Callable[[], object], timeout: float = 120.0) -> None:
    """As tests.helpers.wait_for, with the time a solve under load can take."""
    helpers.wait_for(predicate, timeout)
