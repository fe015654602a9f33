"""Landing page, language switch and health check."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from webapp.core.urls import safe_next
from webapp.extensions import db

bp = Blueprint("core", __name__)

# Feature blueprints add their dashboards here: role -> endpoint (see register_home).
HOME_ENDPOINTS: dict[str, str] = {}


def register_home(role: str, endpoint: str) -> None:
    HOME_ENDPOINTS[role] = endpoint


@bp.route("/")
def home() -> ResponseReturnValue:
    if current_user.is_authenticated:
        endpoint = HOME_ENDPOINTS.get(current_user.role.value)
        if endpoint:
            return redirect(url_for(endpoint))
    return render_template("core/home.html")


@bp.route("/language", methods=["POST"])
def set_language() -> ResponseReturnValue:
    code = request.form.get("locale", "")
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("core.home"))


@bp.route("/healthz")
def healthz() -> ResponseReturnValue:
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
