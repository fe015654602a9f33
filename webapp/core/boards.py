"""Items other features add to the volunteer's board of open shifts.

The board is where volunteers look for something to do. A feature above shifts (group
activities needing helpers) registers a source: a function taking the volunteer's
``Person`` and returning :class:`BoardItem` rows; the board lists them with a button
that posts to ``action_url``. The board itself knows nothing of those features.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class BoardItem:
    key: str  # unique on the page: "<feature>-<id>"
    title: str
    starts_at: datetime
    ends_at: datetime
    where: str
    action_url: str
    action_label: str
    detail: str | None = None
    badge: str | None = None


Source = Callable[[Any], list[BoardItem]]
_SOURCES: list[Source] = []


def add_board_source(source: Source) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def board_items(person: Any) -> list[BoardItem]:
    """Every source's items for ``person``, soonest first."""
    out = [item for source in _SOURCES for item in source(person)]
    return sorted(out, key=lambda i: i.starts_at)
