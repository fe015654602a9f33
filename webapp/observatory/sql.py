"""The few SQL expressions that differ between SQLite and PostgreSQL: the bucket (month
"2026-01" or quarter "2026-Q1") of a date or UTC datetime, and the minutes between two
datetimes. Aggregation happens in the database, so a year of a town is a few hundred
rows to Python, not tens of thousands."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from webapp.core.locks import is_postgres


def bucket(column: Any, grain: str, *, utc: bool = False) -> Any:
    if is_postgres():
        value = sa.func.timezone("UTC", column) if utc else column
        return sa.func.to_char(value, 'YYYY-"Q"Q' if grain == "quarter" else "YYYY-MM")
    if grain == "quarter":
        month = sa.cast(sa.func.strftime("%m", column), sa.Integer)
        return sa.func.strftime("%Y", column) + "-Q" + sa.cast((month + 2) // 3, sa.String)
    return sa.func.strftime("%Y-%m", column)


def minutes(start: Any, end: Any) -> Any:
    if is_postgres():
        return sa.func.extract("epoch", end - start) / 60
    return (sa.func.julianday(end) - sa.func.julianday(start)) * 1440
