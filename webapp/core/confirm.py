"""Asking once: the page a view shows before it does something many-sided or final.

CSP forbids inline scripts, so the question is a page of its own that works without
JavaScript: the same POST again, its fields kept, with ``confirmed=1`` added. A view
checks ``confirmed()`` and, when it is not there yet, returns ``ask(...)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from flask import render_template, request

# More shifts than this in one click and the coordinator sees the count first.
HANDFUL = 5


@dataclass(frozen=True)
class Question:
    title: str
    question: str
    action: str  # where the confirmed POST goes
    back: str  # where "no" leads
    yes: str
    no: str
    fields: Sequence[tuple[str, str]] = ()
    details: Sequence[str] = field(default_factory=tuple)
    danger: bool = False
    big: bool = False  # residents' pages: big buttons, few words


def confirmed() -> bool:
    """The POST carries the answer "yes" from the confirmation page."""
    return request.form.get("confirmed") == "1"


def form_fields(skip: Iterable[str] = ("csrf_token", "confirmed")) -> list[tuple[str, str]]:
    """The submitted form's fields, to carry through the confirmation page."""
    skipped = set(skip)
    return [(k, v) for k, vs in request.form.lists() if k not in skipped for v in vs]


def ask(question: Question) -> tuple[str, int]:
    """The confirmation page (200: nothing went wrong, nothing happened yet)."""
    return render_template("core/confirm.html", ask=question), 200
