"""Navigation registry: each feature adds its own menu entries for the roles that use it.

Keeps ``base.html`` free of feature knowledge, so features can be added without editing
one shared template. An entry may name a group (``GROUPS``): the coordinator's many pages
are shown by the job they serve (people, requests and shifts, matching, time bank,
settings) rather than as one long row of links. Entries without a group stand alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

# Group key -> label, in the order the menu shows them.
GROUPS: dict[str, Callable[[], str]] = {
    "desk": lambda: _l("Desk"),
    "people": lambda: _l("People"),
    "requests": lambda: _l("Requests and shifts"),
    "matching": lambda: _l("Matching"),
    "timebank": lambda: _l("Time bank"),
    "settings": lambda: _l("Settings"),
}


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: Callable[[], str]  # lazy: translated at render time
    # Called with flask_login's current_user: a User, or the anonymous user (whose
    # is_authenticated is False), so the permission predicates fit here as they are.
    visible: Callable[[Any], bool]
    order: int = 50
    group: str | None = None


_ENTRIES: list[NavEntry] = []
MENUS_KEPT = 1000
_SIGNUP: list[tuple[str, Callable[[], str]]] = []


def add_nav(
    endpoint: str,
    label: Callable[[], str],
    visible: Callable[[Any], bool],
    order: int = 50,
    group: str | None = None,
) -> None:
    if group is not None and group not in GROUPS:
        raise ValueError(f"unknown menu group {group!r}; add it to GROUPS")
    if all(e.endpoint != endpoint for e in _ENTRIES):
        _ENTRIES.append(NavEntry(endpoint, label, visible, order, group))


def add_signup_link(endpoint: str, label: Callable[[], str]) -> None:
    if all(e != endpoint for e, _ in _SIGNUP):
        _SIGNUP.append((endpoint, label))


def init_app(app: Flask) -> None:
    # (endpoint or group, language, script root) -> (url, label): the same for every
    # request that shares them, and 30-odd ``url_for`` and translations a signed-in page
    # otherwise (a benign race: two threads may both fill an entry with the same pair).
    drawn: dict[tuple[str, str, str], tuple[str, str]] = {}

    def link(entry: NavEntry, locale: str) -> tuple[str, str]:
        key = (entry.endpoint, locale, request.script_root)
        found = drawn.get(key)
        if found is None:
            found = drawn[key] = (url_for(entry.endpoint), str(entry.label()))
        return found

    def group_label(group: str, locale: str) -> str:
        key = ("group:" + group, locale, "")
        found = drawn.get(key)
        if found is None:
            found = drawn[key] = ("", str(GROUPS[group]()))
        return found[1]

    # The entries in menu order, sorted again only when a feature added one.
    ordered: list[list[NavEntry]] = [[]]

    def shown(user: Any) -> list[NavEntry]:
        if len(ordered[0]) != len(_ENTRIES):
            ordered[0] = sorted(_ENTRIES, key=lambda e: e.order)
        return [
            entry
            for entry in ordered[0]
            if entry.endpoint in app.view_functions and entry.visible(user)
        ]

    # (endpoints shown, language, this page's endpoint, script root) -> the menu's HTML:
    # the same for every request that shares them (a few hundred in all); the template's
    # loop over 30-odd entries looked each one's three values up, escaped and joined them
    # on every page. Forgotten all at once past MENUS_KEPT (a benign race, as ``drawn``).
    written: dict[tuple[tuple[str, ...], str, str | None, str], Markup] = {}

    def write_menu(entries: list[NavEntry], locale: str, here: str | None) -> str:
        """The menu's ``<li>``s: stand-alone entries and groups, each group where its
        first (lowest ``order``) entry falls."""
        slots: list[tuple[str | None, list[str]]] = []  # (group or None, its items)
        groups: dict[str, list[str]] = {}
        for entry in entries:
            url, label = link(entry, locale)
            current = ' aria-current="page"' if here == entry.endpoint else ""
            item = f'<li><a href="{escape(url)}"{current}>{escape(label)}</a></li>'
            if entry.group is None:
                slots.append((None, [item]))
            elif entry.group in groups:
                groups[entry.group].append(item)
            else:
                groups[entry.group] = [item]
                slots.append((entry.group, groups[entry.group]))
        html = []
        for group, items in slots:
            if group is None:
                html.append(items[0])
                continue
            key = escape(group)
            html.append(
                f'<li class="nav-group"><span class="nav-group-label" id="nav-{key}">'
                f"{escape(group_label(group, locale))}</span>\n"
                f'            <ul aria-labelledby="nav-{key}">\n              '
                f"{''.join(items)}\n            </ul>\n          </li>"
            )
        return "\n          ".join(html)

    @app.context_processor
    def inject() -> dict[str, object]:
        def nav_html() -> Markup:
            """The menu's entries this user sees, written (``write_menu``)."""
            locale = str(get_locale())  # once, not for each of 30-odd entries
            # The user itself, not the proxy: each entry's check reads it several times.
            entries = shown(current_user._get_current_object())
            here = request.endpoint
            key = (tuple(e.endpoint for e in entries), locale, here, request.script_root)
            found = written.get(key)
            if found is None:
                if len(written) >= MENUS_KEPT:
                    written.clear()
                found = written[key] = Markup(write_menu(entries, locale, here))
            return found

        def signup_links() -> list[dict[str, str]]:
            return [
                {"url": url_for(e), "label": str(label())}
                for e, label in _SIGNUP
                if e in app.view_functions
            ]

        return {"nav_html": nav_html, "signup_links": signup_links}
