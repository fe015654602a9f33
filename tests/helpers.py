"""Helpers shared by tests in every folder: driving forms through the Flask test client
(with CSRF on), the outbox, the database dialect."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable

import sqlalchemy as sa
from flask import g, has_app_context
from flask.testing import FlaskClient

from webapp.extensions import db
from webapp.notifications.models import Notification


class FreshRequestClient(FlaskClient):
    """Each request starts with an empty ``g``.

    Tests hold an app context open (for factories and the savepoint session), and Flask
    reuses an active app context for requests, so ``g`` would otherwise leak between
    requests (Flask-Login's cached user, Flask-WTF's cached CSRF token).
    """

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on (for a server a test starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def csrf_token(client: FlaskClient, page: str = "/") -> str:
    """A valid CSRF token for ``client``'s session, taken from ``page`` (redirects
    followed, so ``/`` works for everyone, anonymous visitors included).

    For a permission test: a POST to a page the user may not open, sent with this token,
    gets the real answer (403, 404, the login page) instead of 400 for a missing token.
    """
    return csrf_from(client.get(page, follow_redirects=True).get_data(as_text=True))


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


def messages_to(person, kind: str | None = None) -> list:  # type: ignore[no-untyped-def]
    """The outbox rows addressed to ``person`` (not copies to a guardian), oldest first."""
    query = sa.select(Notification).where(
        Notification.person_id == person.id, ~Notification.is_guardian_copy
    )
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query.order_by(Notification.id)))


# What volunteers are told when a booked shift changes under them (approvals aside).
NOTICE_KINDS = ("shift_released", "shift_cancelled", "shift_changed")


def notices_to(person) -> list:  # type: ignore[no-untyped-def]
    """Messages to ``person`` about a shift taken from them, cancelled or changed."""
    return [m for m in messages_to(person) if m.kind in NOTICE_KINDS]


def wait_for(predicate: Callable[[], object], timeout: float = 20.0) -> None:
    """Poll ``predicate`` every 0.1 s until it is true; fail after ``timeout`` seconds
    (processes started by a test: schedulers, solve workers)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")
