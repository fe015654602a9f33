"""The desk's reactions to other features (connected in webapp/listeners.py)."""

from __future__ import annotations

from typing import Any

from webapp.desk import operations
from webapp.shifts.models import CheckIn


def raise_alert(entry: CheckIn, **_: Any) -> None:
    """A worried check-in or a mood of "unwell" becomes an alert (same transaction)."""
    operations.raise_for_checkin(entry)
