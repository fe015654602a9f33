"""The one place where what arrives over HTTP is made safe to hand to a view.

Every form field and query-string value loses its control characters before any form
or view reads it (:class:`CleanRequest`): a NUL byte cannot be stored in PostgreSQL and
no person types one, so it is dropped, not refused (a tab, a newline stay). URL parts
never match a route with one (the ``default``/``path`` converters), and ids in URLs are
bounded to the database's integer range (the ``int`` converter): a bigger number names
no row, so the answer is 404 before any query runs. JSON bodies are read by
:meth:`CleanRequest.get_json`, which refuses (400, or 422 naming the field) what cannot be
stored: nesting deeper than :data:`JSON_MAX_DEPTH`, bytes that are not UTF-8, strings with
control characters or lone surrogates. The request size limit is ``MAX_CONTENT_LENGTH``.
docs/robustness.md says what is checked and why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from flask import Flask, Request, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter, Map, PathConverter, UnicodeConverter

# C0 controls but tab, newline and carriage return; DEL; C1 controls; lone surrogates.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# The same, without the three a text area may hold, for URL parts.
_URL_PART_CONTROL = "\x00-\x1f\x7f-\x9f"

DB_INT_MAX = 2**31 - 1  # PostgreSQL INTEGER, the type of every primary key
JSON_MAX_DEPTH = 32
# Dates a page may be asked to show: wide enough for any real plan or record, far from
# the ends of Python's calendar (year 1 minus a day, year 9999 plus a week overflow).
FIRST_YEAR, LAST_YEAR = 1900, 2200


class InputRefused(BadRequest):
    """A 400 whose ``user_message`` the error page (or JSON answer) shows as it is."""

    def __init__(self, message: str, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.code = status
        self.user_message = message
        self.field = field


def bounded_day(value: date, field: str = "date") -> date:
    """``value`` if its year is within FIRST_YEAR..LAST_YEAR, else :class:`InputRefused`."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise InputRefused(
            _("Choose a date between %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR),
            field,
        )
    return value


def clean_text(value: str) -> str:
    """``value`` without control characters (tab, newline, carriage return kept)."""
    return _CONTROL.sub("", value)


def has_control(value: str) -> bool:
    return _CONTROL.search(value) is not None


class CleanMultiDict(ImmutableMultiDict[str, Any]):
    """Form and query values with their control characters dropped (files untouched)."""

    def __init__(self, mapping: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None):
        if mapping is None:
            super().__init__()
            return
        if isinstance(mapping, ImmutableMultiDict):
            pairs: Iterable[tuple[str, Any]] = mapping.items(multi=True)
        elif isinstance(mapping, Mapping):
            pairs = mapping.items()
        else:
            pairs = mapping
        super().__init__(
            [(clean_text(k), clean_text(v) if isinstance(v, str) else v) for k, v in pairs]
        )


class JsonInputError(InputRefused):
    """A JSON body that cannot be used; ``field`` names the member at fault, if one is."""


def _nested() -> str:
    return _("The JSON is nested too deeply (more than %(levels)s levels).", levels=JSON_MAX_DEPTH)


def _check_json(value: Any, field: str | None = None, depth: int = 0) -> None:
    """Refuse strings no database column can hold, naming the top-level member."""
    if depth > JSON_MAX_DEPTH:
        raise JsonInputError(_nested())
    if isinstance(value, str):
        if has_control(value):
            raise JsonInputError(
                _("Control characters and broken Unicode are not accepted."), field, 422
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            name = field if field is not None else str(key)
            _check_json(key, name, depth + 1)
            _check_json(item, name, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_json(item, field, depth + 1)


class SafeJSONProvider(DefaultJSONProvider):
    """``json.loads`` that fails with a ValueError (a 400), never a RecursionError (a 500),
    on a body of thousands of nested brackets."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("nested too deeply") from None


class CleanRequest(Request):
    parameter_storage_class = CleanMultiDict

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if e is None:  # not sent as JSON: Flask's 415
            return super().on_json_loading_failed(e)
        if "nested" in str(e):
            raise JsonInputError(_nested())
        if isinstance(e, UnicodeDecodeError):
            raise JsonInputError(_("The body is not UTF-8 text."))
        raise JsonInputError(_("The body is not valid JSON."))

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        """The body as JSON, checked by :func:`_check_json` (raises :class:`JsonInputError`
        unless ``silent``)."""
        data = super().get_json(force=force, silent=silent, cache=cache)
        try:
            _check_json(data)
        except JsonInputError:
            if silent:
                return None
            raise
        return data


class BoundedIntConverter(IntegerConverter):
    """``<int:...>``: ids from 0 to the database's INTEGER maximum; beyond it, 404."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)


class CleanStringConverter(UnicodeConverter):
    """``<name>``: one path segment without control characters."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", f"[^/{_URL_PART_CONTROL}]")


class CleanPathConverter(PathConverter):
    part_isolating = False
    regex = f"[^/{_URL_PART_CONTROL}][^{_URL_PART_CONTROL}]*?"


def _refuse_oversized() -> None:
    """A body announced bigger than the limit is refused before any view (or login check)
    runs; one sent without a length is cut off by Werkzeug as it is read."""
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()


def init_app(app: Flask) -> None:
    """Before any blueprint is registered: its rules bind the converters when added."""
    app.before_request(_refuse_oversized)
    app.request_class = CleanRequest
    app.json = SafeJSONProvider(app)
    app.url_map.converters.update(
        default=CleanStringConverter,
        string=CleanStringConverter,
        path=CleanPathConverter,
        int=BoundedIntConverter,
    )
