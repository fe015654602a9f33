"""The case file's timeline: one list of everything about a person, from every feature.

Each feature that knows something about a person registers a source: a function that
takes the person and returns :class:`Entry` items. The case file page merges them by
time. A new kind of entry (a referral, a screening) is a new source registered where
that feature is set up; the page itself does not change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class Entry:
    at: datetime  # aware UTC; shown in the organisation's time zone
    kind: str  # a short code the page styles by ("request", "shift", "call", ...)
    label: str  # translated name of the kind, shown as a badge
    title: str
    detail: str | None = None
    url: str | None = None  # where it is dealt with
    attention: bool = False  # shown highlighted (an open alert, a lapsed consent)
    extra: dict[str, Any] = field(default_factory=dict)


Source = Callable[[Any], list[Entry]]
_SOURCES: list[Source] = []


def add_source(source: Source) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def entries_for(person: Any) -> list[Entry]:
    """Every source's entries about ``person``, newest first."""
    out: list[Entry] = []
    for source in _SOURCES:
        out.extend(source(person))
    return sorted(out, key=lambda e: _aware(e.at), reverse=True)


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes for aware UTC columns.
    return value if value.tzinfo else value.replace(tzinfo=UTC)
