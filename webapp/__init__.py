"""Ponte web application factory: the one place that puts the features together."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp import (
    extensions,
    i18n,
    models,  # noqa: F401  (register every table for Alembic)
)
from webapp.auth import sessions
from webapp.blueprints import register_blueprints
from webapp.cli import register_cli
from webapp.config import BASE_DIR, Config
from webapp.core import (
    csrf_signed,
    html_attributes,
    inbound,
    locks,
    navigation,
    security,
    session_cookies,
    taskqueue,
    transactions,
)
from webapp.errors import register_error_handlers
from webapp.jobs import init_jobs
from webapp.listeners import connect_listeners


def create_app(config: type[Config] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config or Config)
    taskqueue.backend(app)  # a queue SQLite cannot have stops the start, not a click
    html_attributes.install()  # every form's fields, written faster (the same HTML)
    if app.config.get("PROXY_FIX"):
        hops = int(app.config["PROXY_FIX"])
        # Trust exactly ``hops`` proxies: request.remote_addr becomes the real client
        # address (login throttling per address) and request.is_secure follows the
        # proxy's TLS (HSTS, secure cookies). Never X-Forwarded-Host: links come from
        # PUBLIC_BASE_URL, and the Host header is checked against TRUSTED_HOSTS.
        # Flask's documented way to wrap it, though its type declares wsgi_app a method.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)  # type: ignore[method-assign]

    inbound.init_app(app)  # before any route is added: the URL converters
    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(_migrations_dir()))
    extensions.csrf.init_app(app)
    csrf_signed.init_app(app)  # the session's CSRF token signed once per worker
    locks.init_app(app)
    transactions.init_app(app)
    i18n.init_app(app)
    session_cookies.init_app(app)  # each session cookie checked once per worker
    sessions.init_app(app)
    navigation.init_app(app)
    security.init_app(app)
    register_blueprints(app)
    connect_listeners(app)
    init_jobs(app)
    register_error_handlers(app)
    register_cli(app)
    return app


def _migrations_dir() -> Path:
    return BASE_DIR / "migrations"
