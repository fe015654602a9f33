"""Small-cell suppression on any table: no cell of 1-4 people published, and no
suppressed cell recoverable as the total less the published cells of its column."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from webapp.observatory.privacy import suppress
from webapp.observatory.tables import Column, Row, Table

COLUMNS = [
    Column("people", lambda: "people"),
    Column("services", lambda: "services", "count"),
    Column("median", lambda: "median", "days", additive=False),
]


def _table(cells: list[tuple[int, int, int]]) -> Table:
    rows = [
        Row(str(i), str(i), {"people": p, "services": s, "median": 3.0}, p)
        for i, (p, s, _b) in enumerate(cells)
    ]
    total = Row(
        "total",
        "Total",
        {"people": sum(c[0] for c in cells), "services": sum(c[1] for c in cells), "median": 3.0},
        sum(c[0] for c in cells),
    )
    return Table("t", "t", "Month", COLUMNS, rows, total)


@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 40), st.integers(0, 1)), max_size=8))
def test_nothing_small_is_published_or_recoverable(cells):
    table = suppress(_table(cells))
    for row in table.all_rows():
        people = row.values["people"]
        assert not (0 < people < 5) or "people" in row.suppressed
        if 0 < row.basis < 5:
            assert "median" in row.suppressed
            assert row.values["services"] == 0 or "services" in row.suppressed
    for key in ("people", "services"):
        hidden = [r for r in table.rows if key in r.suppressed]
        assert table.total is not None
        assert key in table.total.suppressed or len(hidden) != 1


def test_a_single_small_cell_takes_the_smallest_other_with_it():
    table = suppress(_table([(2, 0, 0), (9, 0, 0), (6, 0, 0)]))
    assert [sorted(r.suppressed) for r in table.rows] == [["median", "people"], [], ["people"]]
    assert table.total is not None and table.total.suppressed == set()


def test_when_every_other_cell_is_zero_the_total_goes():
    table = suppress(_table([(0, 0, 0), (7, 0, 0), (0, 0, 0)]))
    assert table.total is not None and table.total.suppressed == set()
    table = suppress(_table([(0, 0, 0), (3, 0, 0), (0, 0, 0)]))
    assert table.total is not None and "people" in table.total.suppressed
