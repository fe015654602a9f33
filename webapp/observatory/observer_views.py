"""The observers page: the organisation's coordinators list its observers (read-only
logins that see the observatory and nothing else), add one (an invitation e-mail with a
"choose your password" link goes out) and remove one (asked once). Admins belong to no
organisation: they use ``flask org add-observer``."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.core.confirm import Question, ask, confirmed
from webapp.core.errors import FieldError
from webapp.core.forms import attach_errors
from webapp.core.navigation import add_nav
from webapp.core.urls import external_url
from webapp.extensions import db
from webapp.observatory import observers
from webapp.observatory.forms import ObserverForm
from webapp.observatory.views import bp
from webapp.orgs.models import Organisation
from webapp.permissions import coordinator_required, is_coordinator

add_nav("observatory.observers", lambda: _l("Observers"), is_coordinator, order=92,
        group="settings")  # fmt: skip


def _page(form: ObserverForm, status: int = 200) -> ResponseReturnValue:
    people = observers.list_observers(current_user.organisation_id)
    return render_template("observatory/observers.html", form=form, observers=people), status


@bp.route("/observers")
@coordinator_required
def observers_page() -> ResponseReturnValue:
    return _page(ObserverForm())


@bp.route("/observers", methods=["POST"])
@coordinator_required
def add_observer() -> ResponseReturnValue:
    form = ObserverForm()
    if not form.validate_on_submit():  # the CSRF token: its own message
        return _page(form, 400)
    org = db.session.get(Organisation, current_user.organisation_id)
    if org is None:
        abort(404)
    try:
        user = observers.add_observer(
            org,
            form.name.data or "",
            form.email.data or "",
            current_user,
            lambda token: external_url("auth.reset_password", token=token),
        )
    except FieldError as error:
        db.session.rollback()
        attach_errors(form, error)
        return _page(form, 400)
    db.session.commit()
    flash(
        _(
            "%(name)s is an observer: an invitation to choose a password has gone to %(email)s.",
            name=user.display_name,
            email=user.email,
        ),
        "success",
    )
    return redirect(url_for(".observers_page"))


@bp.route("/observers/<int:user_id>/remove", methods=["POST"])
@coordinator_required
def remove_observer(user_id: int) -> ResponseReturnValue:
    user = observers.find_observer(current_user.organisation_id, user_id)
    if user is None:
        abort(404)
    name = user.display_name or user.email
    if not confirmed():
        return ask(
            Question(
                title=_("Remove an observer"),
                question=_("Remove %(name)s (%(email)s)?", name=name, email=user.email),
                details=[
                    _("They are logged out at once and can no longer see the observatory."),
                    _("You can add the same e-mail address again later."),
                ],
                action=url_for(".remove_observer", user_id=user.id),
                back=url_for(".observers_page"),
                yes=_("Remove the observer"),
                no=_("Keep them"),
                danger=True,
            )
        )
    observers.remove_observer(user, current_user)
    db.session.commit()
    flash(_("%(name)s can no longer log in.", name=name), "success")
    return redirect(url_for(".observers_page"))
