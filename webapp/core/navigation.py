"""Navigation registry: each feature adds its own menu entries for the roles that use it.

Keeps ``base.html`` free of feature knowledge, so features can be added without editing
one shared template.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, request, url_for
from flask_login import current_user


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: Callable[[], str]  # lazy: translated at render time
    # Called with flask_login's current_user: a User, or the anonymous user (whose
    # is_authenticated is False), so the permission predicates fit here as they are.
    visible: Callable[[Any], bool]
    order: int = 50


_ENTRIES: list[NavEntry] = []
_SIGNUP: list[tuple[str, Callable[[], str]]] = []


def add_nav(
    endpoint: str, label: Callable[[], str], visible: Callable[[Any], bool], order: int = 50
) -> None:
    if all(e.endpoint != endpoint for e in _ENTRIES):
        _ENTRIES.append(NavEntry(endpoint, label, visible, order))


def add_signup_link(endpoint: str, label: Callable[[], str]) -> None:
    if all(e != endpoint for e, _ in _SIGNUP):
        _SIGNUP.append((endpoint, label))


def init_app(app: Flask) -> None:
    @app.context_processor
    def inject() -> dict[str, object]:
        def nav_items() -> list[dict[str, object]]:
            items = []
            for entry in sorted(_ENTRIES, key=lambda e: e.order):
                if entry.endpoint in app.view_functions and entry.visible(current_user):
                    items.append(
                        {
                            "url": url_for(entry.endpoint),
                            "label": str(entry.label()),
                            "active": request.endpoint == entry.endpoint,
                        }
                    )
            return items

        def signup_links() -> list[dict[str, str]]:
            return [
                {"url": url_for(e), "label": str(label())}
                for e, label in _SIGNUP
                if e in app.view_functions
            ]

        return {"nav_items": nav_items, "signup_links": signup_links}
