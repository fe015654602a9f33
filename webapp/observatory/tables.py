"""The shape every indicator returns: a table of rows (one per month, quarter,
neighbourhood or service) and a total row, each cell a number or suppressed.

A column says what it counts: ``people`` (distinct people: suppressed itself when 1-4),
or anything else (services, hours, days, a share), suppressed when the row concerns
1-4 people (its ``basis``). ``additive`` columns are the ones a reader could add up to
the total, so complementary suppression protects them (``privacy.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Value = float | int | None
SUPPRESSED = "x"
NOTHING = "–"


@dataclass(frozen=True)
class Column:
    key: str
    label: Callable[[], str]
    unit: str = "people"  # people / count / hours / days / percent / score
    additive: bool = True

    @property
    def counts_people(self) -> bool:
        return self.unit == "people"


@dataclass
class Row:
    key: str
    label: str
    values: dict[str, Value]
    basis: int  # distinct people the row is about
    # Per column, where a column is about fewer people than the row (e.g. the unmet
    # services of one resident in a busy neighbourhood).
    bases: dict[str, int] = field(default_factory=dict)
    suppressed: set[str] = field(default_factory=set)

    def basis_of(self, column: str) -> int:
        return self.bases.get(column, self.basis)

    def shown(self, column: str) -> Value:
        """The value as published: None where suppressed."""
        return None if column in self.suppressed else self.values.get(column)

    def text(self, column: Column) -> str:
        """As printed: "x" where suppressed, "–" where there is nothing to show."""
        if column.key in self.suppressed:
            return SUPPRESSED
        value = self.values.get(column.key)
        return NOTHING if value is None else fmt(value, column.unit)


@dataclass
class Table:
    key: str
    title: str
    dimension: str  # the first column's heading: Month, Quarter, Neighbourhood, Service
    columns: list[Column]
    rows: list[Row]
    total: Row | None
    note: str = ""

    def all_rows(self) -> list[Row]:
        return self.rows + ([self.total] if self.total is not None else [])

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def fmt(value: Value, unit: str) -> str:
    """A published value as text (tables, CSV, PDF): "x" where suppressed."""
    if value is None:
        return SUPPRESSED
    if unit == "percent":
        return f"{value:.0f}%"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)
