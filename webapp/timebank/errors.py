"""Ledger errors, each keyed by the form or JSON field it is about."""

from __future__ import annotations

from flask import has_request_context
from flask_babel import gettext

from webapp.core.errors import FieldError


class LedgerError(FieldError):
    """A refused operation on the field ``field``, with the HTTP status and error code the
    JSON API answers with."""

    status = 422
    code = "invalid"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, str(message))

    def __str__(self) -> str:
        return str(self.message)


class LimitExceeded(LedgerError):
    code = "limit_exceeded"


class TransferConflict(LedgerError):
    """The client-chosen id was already used for a different transfer."""

    status = 409
    code = "conflict"


class AlreadyReversed(LedgerError):
    status = 409
    code = "already_reversed"


class ImmutableTransferError(Exception):
    """Raised by the ORM guard when code tries to change or delete a transfer."""


def _(message: str, **values: object) -> str:
    """gettext that also works outside a request (CLI, scheduler, signal listeners):
    there it falls back to the English text."""
    if has_request_context():
        return gettext(message, **values)
    return message % values if values else message
