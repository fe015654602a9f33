"""Reactions of referrals to other features (connected in ``webapp/listeners.py``)."""

from __future__ import annotations

from typing import Any

from webapp.referrals import operations


def first_help(shift: Any, actor: Any = None, **_: Any) -> None:
    """A visit or ride was completed: the first help of the resident's referrals."""
    request = shift.request
    if request is not None and request.resident_id is not None:
        operations.help_given(request.resident_id, shift.starts_at)
