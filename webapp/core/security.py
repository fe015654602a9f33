"""Security headers on every answer, and no caching of anything but static files.

The pages hold addresses, phone numbers and health notes: ``Cache-Control: no-store``
keeps them out of shared and browser caches (a phone at a care home is often shared).
The content security policy allows this site's own scripts, styles and images only (and
the map's tile server, when one is configured), so an injected ``<script>`` does not run
and no other site may frame a page.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request


@lru_cache(maxsize=8)
def content_security_policy(tile_server: str = "") -> str:
    """The policy; ``tile_server`` is the map's tile URL template (``MAP_TILES``), whose
    origin may serve images."""
    images = "img-src 'self' data:"
    origin = urlsplit(tile_server)
    if origin.scheme in ("http", "https") and origin.netloc:
        # A template like https://{s}.tile.example.org/... names several hosts.
        host = origin.netloc.replace("{s}.", "*.")
        images += f" {origin.scheme}://{host}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            images,
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


@lru_cache(maxsize=8)
def _fixed_headers(tile_server: str) -> tuple[tuple[str, str], ...]:
    """The headers every answer carries, built once per configuration."""
    return (
        ("Content-Security-Policy", content_security_policy(tile_server)),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),  # for browsers without frame-ancestors
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    )


_NOT_KEPT = (("Cache-Control", "no-store"), ("Pragma", "no-cache"))


def security_headers(response: Response) -> Response:
    headers = response.headers
    wanted = list(_fixed_headers(current_app.config.get("MAP_TILES") or ""))
    # request.is_secure is true behind a TLS proxy once PONTE_PROXY_FIX trusts its
    # X-Forwarded-Proto; over plain http the header would be ignored anyway.
    seconds = current_app.config.get("HSTS_SECONDS", 0)
    if seconds and request.is_secure:
        wanted.append(("Strict-Transport-Security", f"max-age={seconds}; includeSubDomains"))
    if request.endpoint != "static":
        wanted.extend(_NOT_KEPT)
    # A view may have set one of these itself (a page a map frames, a file kept a while):
    # its value stays. One pass over the answer's headers, not one per header added.
    present = {name.lower() for name, _value in headers}
    headers.extend((name, value) for name, value in wanted if name.lower() not in present)
    return response


def init_app(app: Flask) -> None:
    app.after_request(security_headers)
