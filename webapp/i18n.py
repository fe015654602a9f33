"""Locale selection and per-feature translation catalogues.

Each feature keeps its own ``translations/`` folder (merged by Flask-Babel), so that
features can be translated independently without fighting over one big catalogue.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from webapp.extensions import babel

WEBAPP_DIR = Path(__file__).resolve().parent


def translation_dirs() -> list[str]:
    return sorted(str(p) for p in WEBAPP_DIR.glob("**/translations") if p.is_dir())


def select_locale() -> str | None:
    if not has_request_context():
        return None  # CLI commands and scheduled jobs: the default locale
    supported = current_app.config["LANGUAGES"]
    chosen = session.get("locale")
    if chosen in supported:
        return chosen
    if getattr(current_user, "is_authenticated", False) and current_user.locale in supported:
        return current_user.locale
    return request.accept_languages.best_match(supported)


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(translation_dirs()))
    babel.init_app(app, locale_selector=select_locale)


    @app.context_processor
    def inject_locale() -> dict[str, object]:
        return {"current_locale": lambda: str(get_locale() or "en")}
