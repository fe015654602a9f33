"""Ponte web application factory."""

from __future__ import annotations

from flask import Flask

from webapp.config import Config


def create_app(config: type[Config] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config or Config)

    from webapp import extensions, i18n
    from webapp.auth import sessions

    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(_migrations_dir()))
    extensions.csrf.init_app(app)
    i18n.init_app(app)
    sessions.init_app(app)

    from webapp import models  # noqa: F401  (register every table for Alembic)
    from webapp.blueprints import register_blueprints
    from webapp.cli import register_cli
    from webapp.core import navigation
    from webapp.errors import register_error_handlers

    navigation.init_app(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_cli(app)
    return app


def _migrations_dir():  # type: ignore[no-untyped-def]
    from webapp.config import BASE_DIR

    return BASE_DIR / "migrations"
