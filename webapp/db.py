"""Declarative base, naming convention and per-dialect connection settings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, CursorResult, Dialect, Engine, Result
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session, SessionTransaction, registry
from sqlalchemy.types import TypeDecorator

from webapp.db_cursor import LazyDescriptionCursor

# Deterministic constraint names so Alembic can find and drop them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Callable default: evaluated per row, never once at import time."""
    return datetime.now(UTC)


def rows_matched(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE (without RETURNING) matched.

    ``Session.execute`` returns a :class:`CursorResult` for those, but is typed to return
    a plain ``Result`` (SQLAlchemy 2.0.44: some ORM statements yield none), so say which."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"{type(result).__name__} has no row count")
    return result.rowcount


def sql_constant(text: str) -> sa.ColumnElement[str]:
    """A string constant written into the statement's text, not sent as a parameter.

    PostgreSQL uses a partial index, or an index on an expression, in a prepared
    statement's generic plan only when the statement's own text implies the index's
    predicate or spells its expression; and it keeps a generic plan only if it can cost
    one (a status it does not know, it cannot). Written here as text, the constant is part
    of the statement SQLAlchemy compiles once and keeps; a ``literal_execute`` parameter
    did the same but was rendered into the SQL again at every execution (3% of the Python
    time of a page, in the login's statement alone)."""
    # (Text, not a literal column: with a literal column in their expressions, Alembic no
    # longer compared the people search's indexes with the migrations'.)
    return sa.type_coerce(sa.text("'" + text.replace("'", "''") + "'"), sa.String)


def sql_constants(values: Iterable[str]) -> list[sa.ColumnElement[str]]:
    """:func:`sql_constant` of each, for ``IN``: a fixed set of statuses or kinds. Sorted:
    a set's order differs from one process to the next, and so would the statement."""
    return [sql_constant(value) for value in sorted(values)]


def sql_number(value: int) -> sa.ColumnElement[int]:
    """A whole number written into the statement's text (:func:`sql_constant`): a page's
    ``LIMIT``, a threshold. With a parameter there, PostgreSQL never settled on a prepared
    statement's generic plan (it cannot cost one whose LIMIT it does not know) and planned
    the statement again at every execution: 0.6-1 ms of the database's time, each view."""
    return sa.type_coerce(sa.text(str(int(value))), sa.Integer)


def written_each_run(name: str, type_: Any) -> sa.BindParameter[Any]:
    """A parameter written into the statement's text at each execution, for a value that
    changes rarely: a day, a month's first day. The text then stays the same for that day
    or month, psycopg prepares it, and PostgreSQL keeps a plan that knows the value. Sent
    as a parameter, a date PostgreSQL could not cost kept it planning the statement afresh
    at every view (the desk's figures, 0.6-0.9 ms, three times the running; the time
    bank's, 0.1-0.95 ms a statement; docs/benchmarks.md, eleventh round)."""
    return sa.bindparam(name, type_=type_, literal_execute=True)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend.

    SQLite has no timezone type, so values are stored naive in UTC and given their
    tzinfo back on load; PostgreSQL stores ``timestamptz``.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC one is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    # One explicit registry: Flask-SQLAlchemy subclasses this base, and SQLAlchemy 2.1
    # only accepts a type map given to the registry itself.
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


# PostgreSQL's trigram operators, for the people search's indexes (people/models.py);
# a trusted extension since PostgreSQL 13: the database's owner may create it.
event.listen(
    Base.metadata,
    "before_create",
    sa.DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)


def made_on(dialect: str) -> Any:
    """Alembic's ``include_object`` for a database of ``dialect``: leaves out what the
    models create on another database only (``ddl_if``; PostgreSQL's trigram indexes), so
    that comparing the models with SQLite's schema does not find them missing."""

    def include(obj: Any, _name: object, _type: object, _reflected: object, _to: object) -> bool:
        condition = getattr(obj, "_ddl_if", None)
        return condition is None or condition.dialect in (None, dialect)

    return include


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: DBAPIConnection, connection_record: object) -> None:
    """SQLite: enforce foreign keys, WAL for concurrent readers, wait on locks.

    The driver's own transaction handling is switched off (``isolation_level = None``) so
    that SQLAlchemy emits BEGIN itself: savepoints then work, and code that must lock
    before it reads (the ledger) can ask for ``BEGIN IMMEDIATE`` with the execution
    option ``sqlite_begin="IMMEDIATE"``.
    """
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@event.listens_for(Engine, "connect")
def _lazy_description(dbapi_connection: DBAPIConnection, connection_record: object) -> None:
    """PostgreSQL (psycopg): cursors that build their columns' description only when read
    (``db_cursor.py`` says why)."""
    if isinstance(dbapi_connection, psycopg.Connection):
        dbapi_connection.cursor_factory = LazyDescriptionCursor


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


# --- a page view that may write -----------------------------------------------------------


def _count_write(session: Session) -> None:
    session.info["written"] = True
    session.info["writes"] = session.info.get("writes", 0) + 1


@event.listens_for(Session, "after_flush")
def _note_written(session: Session, _context: object) -> None:
    _count_write(session)


@event.listens_for(Session, "do_orm_execute")
def _note_statement_written(state: ORMExecuteState) -> None:
    """An insert, update or delete sent as a statement writes too (and text, which may)."""
    if not state.is_select:
        _count_write(state.session)


def writes_so_far(session: Session) -> int:
    """How many times this session wrote (flushes, and statements that may write), over
    all its transactions: a figure read earlier is still true if this has not moved."""
    return int(session.info.get("writes", 0))


def wrote(session: Session) -> bool:
    """This transaction flushed or sent a statement that may write, or has changes
    pending."""
    return bool(session.new or session.dirty or session.deleted or session.info.get("written"))


@event.listens_for(Session, "after_transaction_end")
def _forget_written(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # (a savepoint's end keeps what the transaction wrote)
        session.info.pop("written", None)


def commit_if_written(session: Session) -> None:
    """Commit what this transaction wrote, if anything: a page that opens a row on first
    use (an account, a calendar link) commits then, and not on every view. A commit
    expires every loaded row (the login, the profile), which the page would read again."""
    if wrote(session):
        session.commit()


# --- reads of columns ---------------------------------------------------------------------


def read_columns(
    session: Session, statement: sa.Executable, params: Mapping[str, Any] | None = None
) -> CursorResult[*tuple[Any, ...]]:
    """The rows of a statement that reads columns, not mapped objects, sent on the
    session's connection: the session's own ``execute`` passes the rows through the ORM's
    result layer, which builds every column's row processor again at each execution: a
    quarter to a third of a small read's Python time (``benchmarks/read_path.py``).
    Pending changes are flushed first, as the session's ``execute`` would."""
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, params or {})
