from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.auth import operations, sessions
from webapp.auth.forms import LoginForm
from webapp.extensions import db

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    # Only same-site relative paths: never redirect to another host after login.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        result = operations.authenticate(form.email.data, form.password.data, request.remote_addr)
        if result.user is not None:
            sessions.start_session(result.user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or url_for("core.home"))
        db.session.commit()  # keep the failure count
        if result.wait_seconds:
            form.password.errors.append(
                _(
                    "Too many failed attempts. Please wait %(n)s seconds and try again.",
                    n=result.wait_seconds,
                )
            )
        else:
            form.password.errors.append(_("E-mail or password is not correct."))
        return render_template("auth/login.html", form=form), 429 if result.wait_seconds else 200
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():  # type: ignore[no-untyped-def]
    sessions.end_session(current_user)
    db.session.commit()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))
