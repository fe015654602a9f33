"""Locale selection and per-feature translation catalogues.

Each feature keeps its own ``translations/`` folder (merged by Flask-Babel), so that
features can be translated independently without fighting over one big catalogue.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

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
        return {"current_locale": lambda: str(get_locale() or "en"), **template_gettext()}


def template_gettext() -> dict[str, Any]:
    """The template's gettext callables, bound to this render's translations.

    Flask-Babel installs callables that look the translations up again at every call:
    the request's context three times, the locale and its name. At ~10 µs a call, with a
    page calling ``_()`` two hundred times, that was a millisecond or more of every page
    (docs/benchmarks.md, ninth round). A context processor runs once per
    ``render_template``, after the locale is chosen and inside any ``force_locale`` (an
    e-mail in its reader's language), so the translations it binds are the render's own.
    Templates rendered without a context (imported macros) keep Flask-Babel's."""
    return _bound(get_translations())


@lru_cache(maxsize=16)
def _bound(translations: NullTranslations) -> dict[str, Any]:
    # One set per catalogue (Flask-Babel keeps one per locale for the process's life).
    # What each does is Jinja's "newstyle" gettext (jinja2.ext): the text escaped unless
    # marked safe, and always %-formatted, with ``num`` and ``context`` given.

    @pass_context
    def gettext(__context: Context, __string: str, **variables: Any) -> str:
        rv = translations.ugettext(__string)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

    @pass_context
    def ngettext(
        __context: Context, __singular: str, __plural: str, __num: int, **variables: Any
    ) -> str:
        variables.setdefault("num", __num)
        rv = translations.ungettext(__singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

    @pass_context
    def pgettext(__context: Context, __ctx: str, __string: str, **variables: Any) -> str:
        variables.setdefault("context", __ctx)
        rv = translations.upgettext(__ctx, __string)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

    @pass_context
    def npgettext(
        __context: Context,
        __ctx: str,
        __singular: str,
        __plural: str,
        __num: int,
        **variables: Any,
    ) -> str:
        variables.setdefault("context", __ctx)
        variables.setdefault("num", __num)
        rv = translations.unpgettext(__ctx, __singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

    return {
        "_": gettext,  # Jinja's own ``_`` would resolve ``gettext`` at every call
        "gettext": gettext,
        "ngettext": ngettext,
        "pgettext": pgettext,
        "npgettext": npgettext,
    }
