"""Small helpers for driving forms through the Flask test client."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def post_form(
    client: FlaskClient,
    url: str,
    data: dict,
    *,
    page: str | None = None,
    follow_redirects: bool = False,
):  # type: ignore[no-untyped-def]
    """GET ``page`` (default ``url``) for a CSRF token, then POST ``data`` to ``url``."""
    html = client.get(page or url).get_data(as_text=True)
    payload = {"csrf_token": csrf_from(html), **data}
    return client.post(url, data=payload, follow_redirects=follow_redirects)


def login(client: FlaskClient, email: str, password: str):  # type: ignore[no-untyped-def]
    return post_form(client, "/login", {"email": email, "password": password})
