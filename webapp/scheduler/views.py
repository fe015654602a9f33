"""Coordinators set their organisation's times and see what the clockwork did."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.core.navigation import add_nav
from webapp.extensions import db
from webapp.orgs.settings import schedule_for
from webapp.permissions import coordinator_required, is_coordinator
from webapp.scheduler.forms import ScheduleForm
from webapp.scheduler.models import JobRun

bp = Blueprint("scheduler", __name__, url_prefix="/scheduler")

add_nav(
    "scheduler.settings", lambda: _l("Automatic tasks"), is_coordinator, order=90, group="settings"
)



@bp.route("/", methods=["GET", "POST"])
@coordinator_required
def settings() -> ResponseReturnValue:
    org_id = current_user.organisation_id
    schedule = schedule_for(org_id)
    form = ScheduleForm(obj=schedule)
    if form.validate_on_submit():
        form.populate_obj(schedule)
        db.session.add(schedule)
        db.session.commit()
        flash(_("Saved. The new times apply from the next run."), "success")
        return redirect(url_for("scheduler.settings"))
    suffix = f":org{org_id}"
    runs = db.session.scalars(
        sa.select(JobRun)
        .where(JobRun.job.like(f"%{suffix}"))
        .order_by(JobRun.started_at.desc())
        .limit(20)
    )
    return render_template("scheduler/settings.html", form=form, runs=list(runs), suffix=suffix)
