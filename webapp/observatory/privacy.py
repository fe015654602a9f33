"""Small-cell suppression: no published cell lets anyone count fewer than 5 people.

Primary: a people-counting cell of 1-4, and any other cell about 1-4 people (the
services, hours, median or share of so few people would point at them). A count of
zero is published: it tells nothing about anyone.

Complementary: in an additive column, a single suppressed cell could be recovered as
the total less the others, so the smallest other non-zero cell is suppressed too (or the
total, when every other cell is zero); repeated until no column has exactly one
suppressed part. Non-additive columns (medians, shares) have nothing to subtract.
"""

from __future__ import annotations

from webapp.observatory.tables import Row, Table

THRESHOLD = 5


def _primary(row: Row, table: Table) -> None:
    for col in table.columns:
        value = row.values.get(col.key)
        if value is None:
            continue
        if col.counts_people:
            hide = 0 < value < THRESHOLD
        else:
            hide = 0 < row.basis_of(col.key) < THRESHOLD and (value != 0 or not col.additive)
        if hide:
            row.suppressed.add(col.key)


def _complement(table: Table) -> bool:
    changed = False
    total = table.total
    if total is None:
        return False
    for col in table.columns:
        if not col.additive or col.key in total.suppressed:
            continue
        hidden = [r for r in table.rows if col.key in r.suppressed]
        if len(hidden) != 1:
            continue
        open_parts = [
            r
            for r in table.rows
            if col.key not in r.suppressed and (r.values.get(col.key) or 0) > 0
        ]
        if open_parts:
            smallest = min(open_parts, key=lambda r: (r.values.get(col.key) or 0, r.key))
            smallest.suppressed.add(col.key)
        else:
            total.suppressed.add(col.key)
        changed = True
    return changed


def suppress(table: Table) -> Table:
    """Mark the cells to withhold (in place) and return the table."""
    for row in table.all_rows():
        _primary(row, table)
    while _complement(table):
        pass
    return table
