"""One way to keep two writers apart, on both databases. It never commits.

PostgreSQL locks rows (``SELECT ... FOR UPDATE``) inside the operations, so
:func:`begin_write` does nothing there. SQLite has no row locks: the whole database is
the lock, and it must be taken *before* the reads a decision rests on, or two writers
both read the same seat or balance. A fresh transaction starts with ``BEGIN IMMEDIATE``.
If a read already began a deferred one (a web request loads the user first), a no-op
write takes the lock now; when that fails because another writer committed since our
read, nothing was written yet, so we start over with ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask, request
from sqlalchemy.exc import OperationalError

from webapp.extensions import db


def dialect() -> str:
    return db.session.get_bind().dialect.name


def is_postgres() -> bool:
    return dialect() == "postgresql"


def begin_write(model: Any) -> None:
    """SQLite: hold the database's write lock from here to the commit. ``model`` is a
    mapped class the caller is about to write (the no-op write touches its table)."""
    if dialect() != "sqlite":
        return
    session = db.session()
    if not session.in_transaction():
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        return
    table = sa.inspect(model).local_table
    pk = next(iter(table.primary_key.columns))
    try:
        session.execute(
            sa.update(table)
            .where(sa.false())
            .values({pk.name: pk})
            .execution_options(synchronize_session=False)
        )
    except OperationalError:
        if session.new or session.dirty or session.deleted or session.in_nested_transaction():
            raise
        session.rollback()
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _writes_take_the_lock_first() -> None:
    """SQLite: a request that may change something (any method but GET, HEAD, OPTIONS)
    begins with ``BEGIN IMMEDIATE``, before it loads the user. Its later write then
    cannot fail with "database is locked" because the scheduler or the match-run worker
    wrote after its first read; it waits its turn instead (the busy timeout)."""
    writes = request.method not in SAFE_METHODS
    if writes and dialect() == "sqlite" and not db.session().in_transaction():
        db.session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def init_app(app: Flask) -> None:
    # First of all before-request functions: the user is loaded in a later one.
    app.before_request_funcs.setdefault(None, []).insert(0, _writes_take_the_lock_first)
