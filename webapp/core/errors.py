"""The one error type for "a rule said no", keyed by the form field it is about.

Operations raise :class:`FieldError`; views put each message next to its field with
:func:`webapp.core.forms.attach_errors` (or, in the JSON API, name the field). Messages
may be lazy strings: they are translated when shown, so jobs running outside a request
can raise them too. A feature subclasses it only to add meaning (an illegal status move
knows both statuses; a ledger error knows its HTTP status).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class FieldError(ValueError):
    """Broken rules, ``{field name: message}``; nothing has been committed.

    ``FieldError("end_date", "...")`` for one field, ``FieldError({...})`` for several;
    keyword arguments are context a view may use to place the message (``weekday``).
    """

    def __init__(self, field: str | Mapping[str, Any], message: Any = None, **context: Any):
        errors = dict(field) if isinstance(field, Mapping) else {field: message}
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors: dict[str, Any] = errors
        self.context = context

    @property
    def field(self) -> str:
        """The first (usually the only) field named."""
        return next(iter(self.errors))

    @property
    def message(self) -> Any:
        return self.errors[self.field]

    def __str__(self) -> str:
        return "; ".join(f"{k}: {v}" for k, v in self.errors.items())
