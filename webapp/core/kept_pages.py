"""Rendered pages kept per web worker, each under a key that says when it is still true
(the volunteer's board: ``shifts/board_cache.py``; the coordinator's calendar:
``shifts/calendar_cache.py``). Per app and per name, so two apps in one process (tests)
never share a page, nor two features a slot."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from flask import Flask, current_app

T = TypeVar("T")


class KeptPages:
    """Rendered pages per slot (a volunteer; an organisation's day or week), the least
    recently used dropped past ``size``. A lock, since a threaded server shares one per
    process. Each slot holds one version: its ``key`` (a stamp among it) must match."""

    def __init__(self) -> None:
        self.rows: OrderedDict[Hashable, tuple[Hashable, datetime, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, slot: Hashable, key: Hashable, now: datetime) -> Any:
        """The value kept for ``slot`` under ``key`` until after ``now``; else None."""
        with self.lock:
            found = self.rows.get(slot)
            if found is None or found[0] != key or now >= found[1]:
                return None
            self.rows.move_to_end(slot)
            return found[2]

    def put(self, slot: Hashable, key: Hashable, until: datetime, value: Any, size: int) -> None:
        with self.lock:
            self.rows[slot] = (key, until, value)
            self.rows.move_to_end(slot)
            while len(self.rows) > size:
                self.rows.popitem(last=False)

    def get_or_draw(
        self,
        slot: Hashable,
        key: Hashable,
        now: datetime,
        draw: Callable[[], tuple[T, datetime | None]],
        size: int,
        latest: timedelta,
    ) -> T:
        """What is kept for ``slot`` under ``key``; else what ``draw()`` gives, kept
        until the time it says time alone changes it (None: not by itself), and ``latest``
        from ``now`` at most."""
        found: T | None = self.get(slot, key, now)
        if found is None:
            found, changes = draw()
            until = now + latest
            self.put(slot, key, min(until, changes or until), found, size)
        return found

    def clear(self) -> None:
        with self.lock:
            self.rows.clear()


def kept_pages(name: str, app: Flask | None = None) -> KeptPages:
    """This app's store called ``name``."""
    extensions = (app or current_app).extensions
    store: KeptPages = extensions.setdefault(name, KeptPages())
    return store
