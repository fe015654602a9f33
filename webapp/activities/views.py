"""Activities for residents (the open calls, applying, dropping out) and volunteers
(helping, from the board of open shifts)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.activities import operations as ops
from webapp.activities.forms import ApplyForm, EmptyForm
from webapp.activities.models import Activity, Application, ApplicationStatus, IncomeBand
from webapp.activities.queries import applications_of, helper_items, open_calls
from webapp.core.boards import add_board_source
from webapp.core.errors import FieldError
from webapp.core.forms import attach_errors
from webapp.core.navigation import add_nav
from webapp.extensions import db
from webapp.people.access import me
from webapp.permissions import (
    get_in_org_or_404,
    is_resident,
    resident_required,
    volunteer_required,
)

bp = Blueprint("activities", __name__, url_prefix="/activities")

add_nav("activities.index", lambda: _l("Activities"), is_resident, order=32)
add_board_source(helper_items)


@bp.route("/")
@resident_required
def index() -> str:
    person = me()
    mine = applications_of(person.id)
    applied = {a.activity_id for a in mine if a.status != ApplicationStatus.WITHDRAWN}
    calls = [a for a in open_calls(person.organisation_id) if a.id not in applied]
    return render_template(
        "activities/index.html", calls=calls, mine=mine, form=ApplyForm(), empty=EmptyForm()
    )


@bp.route("/<int:activity_id>/apply", methods=["GET", "POST"])
@resident_required
def apply(activity_id: int) -> ResponseReturnValue:
    activity: Activity = get_in_org_or_404(Activity, activity_id, current_user)
    form = ApplyForm()
    if form.validate_on_submit():
        try:
            ops.apply(
                activity,
                me(),
                current_user,
                age=None if form.age.data is None else int(form.age.data),
                lives_alone=form.lives_alone.data,
                income=IncomeBand(form.income.data),
                needs_ride=form.needs_ride.data,
                wheelchair=form.wheelchair.data,
            )
            db.session.commit()
        except FieldError as err:
            db.session.rollback()
            attach_errors(form, err)
        else:
            flash(
                _("Thank you: you have applied. We will tell you when places are given."), "success"
            )
            return redirect(url_for("activities.index"))
    return render_template("activities/apply.html", activity=activity, form=form)


@bp.route("/applications/<int:application_id>/drop-out", methods=["POST"])
@resident_required
def drop_out(application_id: int) -> ResponseReturnValue:
    app: Application = get_in_org_or_404(Application, application_id, current_user)
    if app.person_id != me().id:
        abort(404)
    if EmptyForm().validate_on_submit():
        ops.withdraw(app, current_user)
        db.session.commit()
        flash(_("You are no longer taking part. Thank you for telling us."), "success")
    return redirect(url_for("activities.index"))


@bp.route("/<int:activity_id>/help", methods=["POST"])
@volunteer_required
def help(activity_id: int) -> ResponseReturnValue:  # noqa: A001 (the URL's word)
    activity: Activity = get_in_org_or_404(Activity, activity_id, current_user)
    if EmptyForm().validate_on_submit():
        try:
            ops.add_helper(activity, me())
            db.session.commit()
            flash(_("Thank you: you are a helper at %(title)s.", title=activity.title), "success")
        except FieldError as err:
            db.session.rollback()
            flash(str(err.message), "error")
    return redirect(request.referrer or url_for("shifts.board"))


@bp.route("/<int:activity_id>/stop-helping", methods=["POST"])
@volunteer_required
def stop_helping(activity_id: int) -> ResponseReturnValue:
    activity: Activity = get_in_org_or_404(Activity, activity_id, current_user)
    if EmptyForm().validate_on_submit() and ops.remove_helper(activity, me()):
        db.session.commit()
        flash(_("You are no longer a helper at %(title)s.", title=activity.title), "success")
    return redirect(url_for("shifts.board"))
