"""A psycopg cursor whose ``description`` builds its columns only when they are read.

psycopg 3 builds a ``Column`` object for every column of the result each time
``cursor.description`` is read (upstream: psycopg/psycopg#446). SQLAlchemy reads it after
every statement, but once a statement has been compiled and run, it keeps the result's
columns and only asks whether there are any. On the city data that was 3-5% of each
signed-in page's CPU (0.10-0.25 ms in a quiet hour; the login's statement alone has 92
columns), measured by serving a page alternately with and without this cursor in one
process (``benchmarks/lazy_description.py``; docs/benchmarks.md, twelfth round). Read,
the columns are psycopg's own, built from the same result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

import psycopg
from psycopg import Column
from psycopg.pq.abc import PGresult


class _Columns(Sequence[Column]):
    """The columns of one result: counted at once, built on first reading."""

    __slots__ = ("_built", "_count", "_cursor", "_result")

    def __init__(self, cursor: LazyDescriptionCursor, result: PGresult) -> None:
        self._cursor, self._result, self._count = cursor, result, result.nfields
        self._built: list[Column] | None = None

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Column: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Column]: ...

    def __getitem__(self, index: int | slice) -> Column | Sequence[Column]:
        if self._built is None:
            if self._cursor.pgresult is not self._result:
                # Too late: the cursor holds another statement's result now.
                raise psycopg.InterfaceError("the cursor has run another statement since")
            self._built = self._cursor.columns_now() or []
        return self._built[index]

    def __repr__(self) -> str:
        return repr(list(self))


class LazyDescriptionCursor(psycopg.Cursor[Any]):
    @property
    def description(self) -> Sequence[Column] | None:  # type: ignore[override]
        result = self.pgresult
        if result is None or not result.nfields:
            return self.columns_now()  # none, or an empty list ("SELECT ;")
        return _Columns(self, result)

    def columns_now(self) -> list[Column] | None:
        """psycopg's own description, built now."""
        return super().description
