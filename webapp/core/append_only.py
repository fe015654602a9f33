"""Append-only tables guarded by the database itself (the time bank's ledger, the audit
log): what is shared by every such table — installing the triggers idempotently on
PostgreSQL and SQLite, dropping them, and lifting them for a wipe. Each table states its
own rules (the PL/pgSQL function and the trigger statements) in its feature's ``ddl.py``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.engine import Connection


@dataclass(frozen=True)
class Guards:
    table: str
    pg_function: str
    pg_triggers: Sequence[str]
    sqlite_triggers: Sequence[str]
    names: dict[str, list[str]]  # dialect -> trigger names

    def install(self, connection: Connection) -> None:
        """Create the triggers (idempotent)."""
        dialect = connection.dialect.name
        if dialect == "postgresql":
            connection.exec_driver_sql(self.pg_function)
            for name in self.names["postgresql"]:
                connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {self.table}")
            for ddl in self.pg_triggers:
                connection.exec_driver_sql(ddl)
        elif dialect == "sqlite":
            for ddl in self.sqlite_triggers:
                connection.exec_driver_sql(ddl)
        else:  # pragma: no cover - other databases are not supported by Ponte
            raise RuntimeError(f"no append-only guards for {self.table} on {dialect}")

    def drop(self, connection: Connection) -> None:
        dialect = connection.dialect.name
        for name in self.names.get(dialect, []):
            suffix = f" ON {self.table}" if dialect == "postgresql" else ""
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}{suffix}")

    @contextmanager
    def lifted(self, connection: Connection) -> Iterator[None]:
        """Lift the guards inside the caller's transaction, then put them back. Only for
        wiping a test or benchmark database: DDL is transactional on both databases, so
        other connections never see the table unguarded after commit."""
        self.drop(connection)
        try:
            yield
        finally:
            self.install(connection)
