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
