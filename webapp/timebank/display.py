"""How a statement's lines are written on a page: each distinct text made once.

A page of 50 lines wrote each line's date with Babel, its kind through a lazy string and
its minutes through template filters: about a third of the page's time. The texts are
the same as the filters give (``reader_date`` short, ``kind_label``, ``minutes``); a date
or a kind shared by several lines is written once.
"""

from __future__ import annotations

from collections.abc import Iterable

from webapp.core.dates import reader_date
from webapp.timebank.queries import format_minutes
from webapp.timebank.statements import StatementLine

# (date, with, kind, shift, class of the minutes, minutes, balance): what a row shows.
Row = tuple[str, str, str, int | str, str, str, str]


def statement_rows(lines: Iterable[StatementLine], kind_label: object) -> list[Row]:
    """The rows of ``_statement.html``; ``kind_label(kind)`` names a kind of transfer."""
    days: dict[object, str] = {}
    kinds: dict[str, str] = {}
    rows = []
    for line in lines:
        day = days.get(line.service_date)
        if day is None:
            day = days[line.service_date] = reader_date(line.service_date, short=True)
        kind = kinds.get(line.kind)
        if kind is None:
            kind = kinds[line.kind] = kind_label(line.kind)  # type: ignore[operator]
        amount = line.amount
        rows.append(
            (
                day,
                line.counterpart,
                kind,
                line.shift_id or "",
                "tb-minus" if amount < 0 else "tb-plus",
                ("+" if amount > 0 else "") + format_minutes(amount),
                format_minutes(line.balance),
            )
        )
    return rows
