"""Only one scheduler holds the lock; a standby gets it once the holder is gone."""

from __future__ import annotations

import subprocess
import sys

import sqlalchemy as sa

from webapp.extensions import db
from webapp.scheduler.lock import LOCK_KEY, FileLeaderLock, PostgresLeaderLock


def test_file_lock_is_exclusive_and_released(tmp_path):
    a = FileLeaderLock(tmp_path / "ponte.db.scheduler.lock")
    b = FileLeaderLock(tmp_path / "ponte.db.scheduler.lock")
    assert a.try_acquire() and a.is_held()
    assert not b.try_acquire()
    a.release()
    assert b.try_acquire()
    (tmp_path / "ponte.db.scheduler.lock").unlink()
    assert not b.is_held()  # someone removed the file: step down rather than risk two
    b.release()


def test_postgres_advisory_lock_on_a_dedicated_connection(app, postgres_only):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    key = LOCK_KEY + 7  # not the real scheduler's key: a scheduler may be running
    a, b = PostgresLeaderLock(url, key), PostgresLeaderLock(url, key)
    try:
        assert a.try_acquire() and a.is_held()
        assert not b.try_acquire()
        # The holder's session dies (crash, network, admin): the lock goes with it.
        with app.app_context(), db.engine.connect() as conn:
            pid = a.conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
            conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        assert not a.is_held()
        assert b.try_acquire() and b.is_held()
    finally:
        a.release()
        b.release()


def test_create_app_never_starts_a_scheduler():
    code = (
        "import sys, threading; from webapp import create_app; from webapp.config import "
        "TestConfig; create_app(TestConfig); "
        "print(any('apscheduler' in m for m in sys.modules), threading.active_count())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "1"]
