"""Answers that take the same time whatever the outcome.

The forms that take an e-mail address from anyone (sign-up, "forgot my password") do
more work when the address has an account (a password hashed, an e-mail queued) than
when it has none; the difference could tell a stranger which addresses are registered.
Their answers are held back to a floor that the slower path stays under.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app


@contextmanager
def at_least(setting: str = "ACCOUNT_ANSWER_SECONDS") -> Iterator[None]:
    """Make the block last at least the configured number of seconds."""
    floor = float(current_app.config.get(setting, 0) or 0)
    started = time.monotonic()
    try:
        yield
    finally:
        rest = floor - (time.monotonic() - started)
        if rest > 0:
            time.sleep(rest)
