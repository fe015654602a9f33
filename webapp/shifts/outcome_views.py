"""Coordinator pages that settle a shift's outcome: logged times held for a check
(``outcomes.implausible``), and the undo of a no-show (docs/guard-rails.md)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.core.errors import FieldError
from webapp.core.navigation import add_nav
from webapp.db import commit_if_written
from webapp.extensions import db
from webapp.orgs.settings import settings_for
from webapp.permissions import coordinator_required, is_coordinator
from webapp.shifts import outcomes
from webapp.shifts.access import get_shift_or_404
from webapp.shifts.forms import ActionForm
from webapp.shifts.legs import group_of
from webapp.shifts.views import bp

add_nav(
    "shifts.held_times", lambda: _l("Times to check"), is_coordinator, order=33, group="requests"
)


@bp.route("/times-to-check")
@coordinator_required
def held_times() -> str:
    rows = [group_of(s) for s in outcomes.held_in(current_user.organisation_id)]
    rules = settings_for(current_user.organisation_id)
    commit_if_written(db.session())  # the settings row may just have been created
    return render_template("shifts/held_times.html", rows=rows, rules=rules, form=ActionForm())


@bp.route("/<int:shift_id>/times", methods=["POST"])
@coordinator_required
def settle_times(shift_id: int) -> ResponseReturnValue:
    shift = get_shift_or_404(shift_id)
    keep = request.form.get("keep", "")
    if not ActionForm().validate_on_submit() or keep not in ("logged", "planned"):
        flash(_("Please choose the logged or the planned times."), "error")
        return redirect(url_for("shifts.held_times"))
    try:
        outcomes.confirm_times(shift, current_user, keep_logged=keep == "logged")
    except FieldError as err:
        db.session.rollback()
        flash(str(err.message), "error")
    else:
        db.session.commit()
        flash(_("Times confirmed; the hours are credited."), "success")
    return redirect(url_for("shifts.held_times"))


@bp.route("/<int:shift_id>/undo-no-show", methods=["POST"])
@coordinator_required
def undo_no_show(shift_id: int) -> ResponseReturnValue:
    shift = get_shift_or_404(shift_id)
    if not ActionForm().validate_on_submit():
        flash(_("Please try again."), "error")
        return redirect(url_for("shifts.manage", shift_id=shift_id))
    try:
        outcomes.undo_no_show(shift, current_user)
    except FieldError as err:
        db.session.rollback()
        flash(str(err.message), "error")
    else:
        db.session.commit()
        flash(_("No-show undone; the shift is booked again (see its history)."), "success")
    return redirect(url_for("shifts.manage", shift_id=shift_id))
