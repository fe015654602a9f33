"""Where links point: the one safe-redirect check and the one way to build a link for a
message (from the configured base URL, never from the request's Host header)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None.

    Browsers drop tabs and line breaks from addresses and read a backslash as a slash,
    so ``/\\t/evil.example`` and ``/\\\\evil.example`` both become ``//evil.example``, another
    site: anything with a control character or a backslash is refused outright (a line
    break would also make the ``Location`` header itself invalid)."""
    if not target or len(target) > 2000:
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


_SENTINEL = 987654321  # an id no URL otherwise holds


def link_around_id(endpoint: str, key: str) -> tuple[str, str]:
    """The link to ``endpoint`` for any id, as what comes before and after the id: a page
    listing dozens of people writes each one's link around its id, where ``url_for`` for
    each cost more than the rest of their rows."""
    values: dict[str, Any] = {key: _SENTINEL}
    head, tail = url_for(endpoint, **values).split(str(_SENTINEL))
    return head, tail


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for a message or a calendar app: ``PUBLIC_BASE_URL`` followed by
    the route's path. Works inside a request (whatever Host it came with) and outside
    one (a scheduled job)."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    if has_request_context():
        path = url_for(endpoint, _external=False, **values)
    else:
        with current_app.test_request_context("/"):
            path = url_for(endpoint, _external=False, **values)
    script_root = urlsplit(base).path
    if script_root and path.startswith(script_root):
        path = path[len(script_root) :]  # a deployment under /ponte: do not say it twice
    return base + path
