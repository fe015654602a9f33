"""Flask's signed session cookie, each cookie checked once per web worker.

A signed-in browser sends the same session cookie with every request until the session
changes (the cookie holds the login's id, the CSRF token and the language). Flask checks
its signature and decodes it at every request (an HMAC, base64, zlib and its tagged
JSON): 3-4% of the Python time of a signed-in page under load, with the serializer
built again each time.

:class:`KeptSessionInterface` is Flask's own (``SecureCookieSessionInterface``) with the
outcome of that check kept: the exact cookie text, once its signature was verified with
the app's key, maps to what it holds and when it was signed. A later request bringing the
same text gets a fresh session made from that, as Flask would have decoded it, if the
cookie is still younger than ``PERMANENT_SESSION_LIFETIME`` (Flask's own limit on a
signed cookie's age). Any other text (tampered with, signed with another key) is not in
the map and goes through Flask's check. Only sessions holding nothing but strings,
numbers, booleans and None are kept: a view may change a session's list in place
(flashed messages), which must never reach the next request's copy.

The map holds the cookies a worker saw lately (``LIMIT``; forgotten all at once past it).
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

LIMIT = 10_000
_PLAIN = (str, int, float, bool, type(None))


class KeptSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        # (the app's key, the cookie's text) -> (what it holds, when it was signed)
        self._kept: dict[tuple[Any, str], tuple[dict[str, Any], float]] = {}

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        text = request.cookies.get(self.get_cookie_name(app))
        if not text or not app.secret_key:
            return super().open_session(app, request)
        max_age = app.permanent_session_lifetime.total_seconds()
        key = (app.secret_key, text)
        found = self._kept.get(key)
        if found is not None and time.time() - found[1] <= max_age:
            return self.session_class(found[0])
        serializer = self.get_signing_serializer(app)
        assert serializer is not None  # (a secret key is set)
        try:
            data, signed = serializer.loads(text, max_age=int(max_age), return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if all(isinstance(value, _PLAIN) for value in data.values()):
            if len(self._kept) >= LIMIT:
                self._kept.clear()
            self._kept[key] = (data, signed.timestamp())
        return self.session_class(data)


def init_app(app: Flask) -> None:
    app.session_interface = KeptSessionInterface()
