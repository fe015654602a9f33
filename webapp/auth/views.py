from __future__ import annotations

import time

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from webapp.auth import devices, operations, sessions, throttle, tokens, twofactor
from webapp.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    EnrolForm,
    ForgotPasswordForm,
    LoginForm,
    NewRecoveryCodesForm,
    ResetPasswordForm,
)
from webapp.auth.models import User
from webapp.auth.passwords import MIN_LENGTH
from webapp.core import csrf_signed
from webapp.core.forms import attach_errors
from webapp.core.locks import begin_write
from webapp.core.navigation import add_nav
from webapp.core.timing import at_least
from webapp.core.urls import external_url, safe_next
from webapp.extensions import db

bp = Blueprint("auth", __name__)

add_nav(
    "auth.change_password",
    lambda: _l("Change password"),
    lambda user: user.is_authenticated,
    order=95,
)
add_nav(
    "auth.two_factor",
    lambda: _l("Two-step login"),
    lambda user: user.is_authenticated and user.is_staff,
    order=96,
)

# A login waiting for its second step: {"u": user id, "at": epoch seconds, "next": path}.
PENDING = "second_factor_pending"
PENDING_SECONDS = 300

# What a user who must change their password or set up a second factor may still reach
# (assets, the language switch, logging out and the step itself).
_ALWAYS = {"auth.logout", "static", "core.set_language"}
_WHILE_CHANGING = _ALWAYS | {"auth.change_password"}
_WHILE_ENROLLING = _ALWAYS | {"auth.two_factor"}


@bp.before_app_request
def _account_steps_first() -> ResponseReturnValue | None:
    """A temporary password is replaced, and a second factor set up where the role
    needs one, before any other page opens."""
    if not current_user.is_authenticated:
        return None
    if current_user.must_change_password and request.endpoint not in _WHILE_CHANGING:
        flash(_("Please choose your own password before you go on."), "info")
        return redirect(url_for("auth.change_password"))
    if (
        not current_user.must_change_password
        and request.endpoint not in _WHILE_ENROLLING
        and twofactor.login_must_enrol(current_user)
    ):
        flash(_("Please set up the two-step login before you go on."), "info")
        return redirect(url_for("auth.two_factor"))
    return None


def _finish_login(user: User, next_url: str | None) -> ResponseReturnValue:
    """Start the session, commit, and give the browser its device cookie."""
    sessions.start_session(user)
    db.session.commit()
    response = redirect(safe_next(next_url) or url_for("core.home"))
    response.set_cookie(
        devices.cookie_name(),
        devices.make_token(user),
        max_age=devices.MAX_AGE,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        result = operations.authenticate(
            form.email.data,
            form.password.data,
            request.remote_addr,
            request.cookies.get(devices.cookie_name()),
        )
        next_url = safe_next(request.args.get("next"))
        if result.user is not None and twofactor.is_enabled(result.user):
            db.session.commit()
            session.clear()
            csrf_signed.forget()
            session[PENDING] = {"u": result.user.id, "at": int(time.time()), "next": next_url}
            return redirect(url_for("auth.login_code"))
        if result.user is not None:
            return _finish_login(result.user, next_url)
        db.session.commit()  # keep the failure count
        if result.suspended:
            form.password.errors.append(
                _(
                    "Your volunteering is suspended, so you cannot log in for now. "
                    "Your coordinator can tell you more."
                )
            )
        elif result.wait_seconds:
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


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("u"), int):
        return None
    if time.time() - float(pending.get("at") or 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending["u"])
    return user if user is not None and user.is_active else None


@bp.route("/login/code", methods=["GET", "POST"])
def login_code() -> ResponseReturnValue:
    """The second step: a code from the authenticator app, or a recovery code."""
    user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Please log in again."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        key = f"second-factor:{user.id}"
        wait = throttle.seconds_to_wait([key])
        if wait:
            form.code.errors.append(
                _("Too many failed attempts. Please wait %(n)s seconds and try again.", n=wait)
            )
            status = 429
        elif twofactor.verify(user, form.code.data):
            throttle.clear(key)
            next_url = session.get(PENDING, {}).get("next")
            return _finish_login(user, next_url)
        else:
            throttle.record_failure([key])
            db.session.commit()
            form.code.errors.append(
                _("This code is not right. The app shows a new one every 30 seconds.")
            )
    return render_template("auth/login_code.html", form=form), status


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor() -> ResponseReturnValue:
    """Set up the authenticator (scan, type a first code, keep the recovery codes), or
    see that it is on and make new recovery codes."""
    user = current_user
    if twofactor.is_enabled(user):
        return _two_factor_status(NewRecoveryCodesForm(formdata=None))
    if twofactor.factor_of(user) is None:
        begin_write(User)  # a write on a page view (see core/locks.py)
    factor = twofactor.start_enrolment(user)
    form = EnrolForm()
    if form.validate_on_submit():
        codes = twofactor.confirm_enrolment(user, form.code.data)
        if codes is not None:
            db.session.commit()
            return _recovery_codes_page(codes, first=True)
        form.code.errors.append(
            _("This code is not right. Check the app shows Ponte and type the code shown now.")
        )
    db.session.commit()
    uri = twofactor.provisioning_uri(user, factor)
    page = render_template(
        "auth/two_factor_setup.html",
        form=form,
        qr=twofactor.qr_svg_data_uri(uri),
        secret=" ".join(factor.secret[i : i + 4] for i in range(0, len(factor.secret), 4)),
        required=twofactor.required_for(user),
    )
    return page


def _two_factor_status(form: NewRecoveryCodesForm) -> str:
    return render_template(
        "auth/two_factor_status.html",
        form=form,
        left=twofactor.recovery_codes_left(current_user),
        factor=twofactor.factor_of(current_user),
    )


def _recovery_codes_page(codes: list[str], *, first: bool) -> Response:
    page = render_template("auth/recovery_codes.html", codes=codes, first=first)
    return _private(Response(page))


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@login_required
def new_recovery_codes() -> ResponseReturnValue:
    form = NewRecoveryCodesForm()
    if not twofactor.is_enabled(current_user):
        return redirect(url_for("auth.two_factor"))
    if form.validate_on_submit():
        if twofactor.verify(current_user, form.code.data):
            codes = twofactor.new_recovery_codes(current_user)
            db.session.commit()
            return _recovery_codes_page(codes, first=False)
        db.session.rollback()
        form.code.errors.append(_("This code is not right. Type the code the app shows now."))
    return _two_factor_status(form), 200


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    sessions.end_session(current_user)
    db.session.commit()
    flash(_("You have logged out."), "info")
    response = redirect(url_for("auth.login"))
    # Nothing of the session stays in this browser (a shared phone at a care home).
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


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
        with at_least():
            return _ask_for_reset(form)
    return render_template("auth/forgot_password.html", form=form)


def _ask_for_reset(form: ForgotPasswordForm) -> ResponseReturnValue:
    """The same answer, after the same time, whether or not the address has an account."""
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
        lambda token: external_url("auth.reset_password", token=token),
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
