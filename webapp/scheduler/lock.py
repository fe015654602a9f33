"""Leader lock: only one scheduler process is active; the others wait as hot standbys.

PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) held on a dedicated
connection outside the pool (NullPool engine, autocommit). The lock lives exactly as
long as that database session: if the process dies, even by SIGKILL, the server ends
the session and a standby's next poll gets the lock. The holder checks its connection
(and that the lock is still granted) on every heartbeat and stops its jobs if not.

SQLite: ``fcntl.flock`` on a file next to the database; the kernel releases it when the
process dies.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import zlib
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)
LOCK_NAME = "ponte-scheduler"
# A fixed 64-bit key derived from the name, split for pg_locks (classid, objid).
LOCK_KEY = zlib.crc32(LOCK_NAME.encode())


class LeaderLock(Protocol):
    def try_acquire(self) -> bool: ...
    def is_held(self) -> bool: ...
    def release(self) -> None: ...


class PostgresLeaderLock:
    def __init__(self, url: str, key: int = LOCK_KEY) -> None:
        self.key = key
        self.engine = sa.create_engine(
            url,
            poolclass=NullPool,
            connect_args={
                "application_name": "ponte-scheduler-lock",
                # Notice a dead network path in about a minute rather than hours.
                "keepalives": 1,
                "keepalives_idle": 30,
                "keepalives_interval": 10,
                "keepalives_count": 3,
            },
        )
        self.conn: sa.Connection | None = None

    def try_acquire(self) -> bool:
        if self.conn is not None:
            return self.is_held()
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = conn.execute(sa.select(sa.func.pg_try_advisory_lock(self.key))).scalar()
        except Exception:
            conn.close()
            raise
        if got:
            self.conn = conn
            return True
        conn.close()
        return False

    def is_held(self) -> bool:
        if self.conn is None:
            return False
        try:
            held = self.conn.execute(
                sa.text(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
                    "AND pid = pg_backend_pid() AND granted AND classid = 0 "
                    "AND objid = :key AND objsubid = 1)"
                ),
                {"key": self.key},
            ).scalar()
        except Exception as exc:
            log.error("scheduler lock connection lost: %s", exc)
            self._drop()
            return False
        if not held:
            self._drop()
        return bool(held)

    def release(self) -> None:
        if self.conn is not None:
            # If the session is gone, the lock went with it.
            with contextlib.suppress(Exception):
                self.conn.execute(sa.select(sa.func.pg_advisory_unlock(self.key)))
            self._drop()
        self.engine.dispose()

    def _drop(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(Exception):
                self.conn.close()
        self.conn = None


class FileLeaderLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def try_acquire(self) -> bool:
        if self.fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd
        return True

    def is_held(self) -> bool:
        # Held while our descriptor is open and still names the file on disk (if someone
        # deleted the file, a new process could lock a new file: step down).
        if self.fd is None:
            return False
        try:
            return os.fstat(self.fd).st_ino == os.stat(self.path).st_ino
        except FileNotFoundError:
            return False

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def lock_for(database_url: str, instance_path: str) -> LeaderLock:
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return PostgresLeaderLock(database_url)
    database = url.database
    if database and database != ":memory:":
        path = Path(database).with_name(Path(database).name + ".scheduler.lock")
    else:
        path = Path(instance_path) / "scheduler.lock"
    return FileLeaderLock(path)
