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
