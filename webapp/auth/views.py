from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from webapp.auth import operations, sessions, throttle, tokens
from webapp.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, ResetPasswordForm
from webapp.auth.passwords import MIN_LENGTH
from webapp.core.forms import attach_errors
from webapp.core.navigation import add_nav
from webapp.extensions import db

bp = Blueprint("auth", __name__)

add_nav(
    "auth.change_password",
    lambda: _l("Change password"),
    lambda user: user.is_authenticated,
    order=95,
)


# What a member who must change their password may still reach (assets, the language
# switch, logging out and the change itself).
_WHILE_CHANGING = {"auth.change_password", "auth.logout", "static", "core.language"}


@bp.before_app_request
def _must_change_password() -> ResponseReturnValue | None:
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in _WHILE_CHANGING
    ):
        flash(_("Please choose your own password before you go on."), "info")
        return redirect(url_for("auth.change_password"))
    return None


def _safe_next(target: str | None) -> str | None:
    # Only same-site relative paths: never redirect to another host after login.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
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
def logout() -> ResponseReturnValue:
    sessions.end_session(current_user)
    db.session.commit()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            operations.change_password(
                current_user,
                form.current_password.data,
                form.new_password.data,
                form.repeat.data,
                request.remote_addr,
            )
        except operations.PasswordError as error:
            db.session.commit()  # keep the failure count of a wrong current password
            attach_errors(form, error)
            status = 429 if error.wait_seconds else 200
            return _change_page(form), status
        db.session.commit()
        flash(
            _("Your password is changed. Other phones and computers must log in again."),
            "success",
        )
        return redirect(url_for("core.home"))
    return _change_page(form)


def _change_page(form: ChangePasswordForm) -> str:
    return render_template("auth/change_password.html", form=form, min_length=MIN_LENGTH)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        asked = throttle.count_request(f"reset-ip:{request.remote_addr or 'unknown'}")
        if asked > current_app.config["PASSWORD_RESET_REQUESTS_PER_ADDRESS"]:
            db.session.commit()  # the count itself must stick
            form.email.errors.append(
                _(
                    "Too many new-password e-mails have been asked for from this connection. "
                    "Try again in an hour, or call your coordinator."
                )
            )
            return render_template("auth/forgot_password.html", form=form), 429
        operations.request_reset(
            form.email.data,
            lambda token: url_for("auth.reset_password", token=token, _external=True),
        )
        db.session.commit()
        # The same answer whether or not the address has an account.
        flash(
            _(
                "If an account uses this e-mail address, we have sent it a link to choose a new "
                "password. Look in your e-mail in a few minutes (also in the spam folder)."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


def _private(response: Response) -> Response:
    # The token is in the address: do not send it on to other sites or keep it in caches.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    try:
        tokens.user_for(token)
    except tokens.TokenError as error:
        page = render_template("auth/reset_link_bad.html", reason=error.reason)
        return _private(Response(page, status=400))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            operations.reset_password(token, form.new_password.data, form.repeat.data)
        except operations.PasswordError as error:  # raised before anything changed
            attach_errors(form, error)
        else:
            db.session.commit()
            if current_user.is_authenticated:
                sessions.end_session(current_user)  # its row is gone already
            flash(_("Your new password is saved. Log in with it now."), "success")
            return redirect(url_for("auth.login"))
    page = render_template("auth/reset_password.html", form=form, min_length=MIN_LENGTH)
    return _private(Response(page))
