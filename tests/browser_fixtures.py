"""A live server in a thread and a Playwright page in Debian's headless Chromium."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.browser import context_page

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def chromium_path() -> str | None:
    return os.environ.get("PONTE_CHROMIUM") or shutil.which("chromium")


def buffered(app: Flask) -> Any:
    """The app with every response read whole and its iterable closed before a byte is
    sent. Werkzeug's server closes the iterable only after draining the socket, and
    when the browser has already dropped the connection (a page left mid-load) that
    drain raises first: a static file's handle was then left to the garbage collector,
    and its ResourceWarning failed whichever test happened to be running. Ponte streams
    nothing, so reading responses whole costs the tests nothing."""

    def wsgi(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return wsgi


@pytest.fixture
def live_server(app: Flask, committed_db: None) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    # Links in messages are built on the deployment's base URL: here, this server.
    configured = app.config["PUBLIC_BASE_URL"]
    app.config["PUBLIC_BASE_URL"] = base
    try:
        yield base
    finally:
        app.config["PUBLIC_BASE_URL"] = configured
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    path = chromium_path()
    if path is None:
        pytest.fail("Debian's chromium is not installed: run `make test`, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server: str) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh phone-sized browser context per test (volunteers mostly use phones)."""
    context, page = context_page(browser, live_server, phone=True)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def desk_page(browser, live_server: str) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A desktop-sized context: coordinators work at a desk, often on the phone."""
    context, page = context_page(browser, live_server, phone=False)
    try:
        yield page
    finally:
        context.close()
