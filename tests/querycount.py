"""Counting the SQL statements a page sends, so an N+1 regression fails the suite.

``count_queries`` (a fixture in ``tests/conftest.py``) listens to the engine's
``before_cursor_execute`` event; savepoint bookkeeping (the per-test savepoint) is not
counted. A test compares the count of one page with little data and with more: a page
whose statements grow with its rows loads something row by row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from webapp.extensions import db

_BOOKKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


class Queries(list[str]):
    """The statements sent inside a ``with count_queries() as q:`` block."""

    def __str__(self) -> str:
        return f"{len(self)} statements:\n" + "\n".join(s.split("\n")[0][:160] for s in self)


@contextmanager
def counting() -> Iterator[Queries]:
    seen = Queries()

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(_BOOKKEEPING):
            seen.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


@contextmanager
def sending() -> Iterator[list[tuple[str, list[Any]]]]:
    """The statements sent meanwhile, each with the values sent as its parameters (a
    value written into a statement's text is not among them)."""
    seen: list[tuple[str, list[Any]]] = []

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if isinstance(parameters, dict):
            values = list(parameters.values())
        else:
            values = list(parameters) if isinstance(parameters, list | tuple) else []
        seen.append((statement, values))

    engine = db.session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def generic_plans(fragment: str) -> list[int]:
    """PostgreSQL: how many runs of each statement this connection prepared whose text
    holds ``fragment`` came from its generic plan (psycopg prepares a statement at its
    sixth run; PostgreSQL plans the first five runs of it for their values, then keeps
    the generic plan unless a plan for the values costs less)."""
    rows = db.session.execute(
        sa.text("SELECT generic_plans FROM pg_prepared_statements WHERE statement LIKE :f"),
        {"f": f"%{fragment}%"},
    )
    return [int(n) for n in rows.scalars()]


def rows_read(client: Any, url: str, model: type) -> tuple[int, str]:
    """How many ``model`` rows the page at ``url`` reads from the database, and the page
    (the session is emptied first, so every row read is a new instance)."""
    db.session.commit()
    db.session.expunge_all()
    loaded: list[int] = []

    def on_load(target: Any, _context: Any) -> None:
        loaded.append(target.id)

    sa.event.listen(model, "load", on_load)
    try:
        resp = client.get(url)
        assert resp.status_code == 200
    finally:
        sa.event.remove(model, "load", on_load)
    return len(loaded), resp.get_data(as_text=True)
