"""Reading JSON input field by field, so every error names the exact field.

Shared by the visits scenario reader and its rides extension.
"""

from __future__ import annotations

import contextlib
import math
from datetime import datetime, timedelta
from typing import Any

from matching.common.errors import InputError

_KIND_MESSAGES = {
    "int": "must be an integer",
    "bool": "must be true or false",
    "str": "must be a non-empty string",
    "optstr": "must be a string or null",
    "list": "must be a list",
    "object": "must be an object",
}


def _kind_ok(kind: str, value: Any) -> bool:
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str) and bool(value)
    if kind == "optstr":
        return value is None or isinstance(value, str)
    if kind == "list":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return True


def get_field(
    obj: dict[str, Any],
    key: str,
    path: str,
    default: Any = ...,
    kind: str = "any",
    none_is_missing: bool = False,
) -> Any:
    """``obj[key]`` checked against ``kind``; ``default`` (if given) when it is absent.

    ``kind`` is one of number, int, bool, str, optstr, list, object or any. With
    ``none_is_missing`` an explicit null counts as absent.
    """
    field = f"{path}.{key}".lstrip(".")
    if key not in obj or (none_is_missing and obj[key] is None):
        if default is ...:
            raise InputError(field, "missing")
        return default
    value = obj[key]
    if kind == "number":
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise InputError(field, "must be a finite number")
    elif not _kind_ok(kind, value):
        raise InputError(field, _KIND_MESSAGES[kind])
    return value


def parse_local_time(value: Any, field: str) -> datetime:
    """A local ISO 8601 time to the minute, without offset (``2026-11-23T09:30``)."""
    if not isinstance(value, str):
        raise InputError(field, "must be a local ISO 8601 time like 2026-11-23T09:30")
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(field, f"not a valid ISO 8601 time: {value!r}") from None
    if t.tzinfo is not None:
        raise InputError(field, "must be local time without a UTC offset")
    if t.second or t.microsecond:
        raise InputError(field, "must be to the minute (no seconds)")
    return t


class MinuteClock:
    """Minutes from midnight of the earliest date among ``stamps`` (local ISO strings).

    Stamps that don't parse are skipped here: each is reported with its field name when
    its item is read through :meth:`minutes`.
    """

    def __init__(self, stamps: list[Any]) -> None:
        good = []
        for s in stamps:
            with contextlib.suppress(TypeError, ValueError):
                good.append(datetime.fromisoformat(s).replace(tzinfo=None))
        first = min(good, default=datetime(2000, 1, 1))
        self.origin = datetime(first.year, first.month, first.day)

    def minutes(self, value: Any, field: str) -> int:
        return int((parse_local_time(value, field) - self.origin).total_seconds() // 60)

    def iso(self, minute: float) -> str:
        return (self.origin + timedelta(minutes=round(minute))).isoformat(timespec="minutes")
