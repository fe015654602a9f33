"""Coordinators' pages of activities: create, the ranked selection, sign-up on the
phone, drop-outs, rides for the participants, attendance and the follow-up survey."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField

from webapp.activities import operations as ops
from webapp.activities.forms import ActivityForm, EmptyForm, PhoneApplyForm, SurveyForm
from webapp.activities.models import (
    Activity,
    ActivitySession,
    Application,
    ApplicationStatus,
    Attendance,
    Channel,
    IncomeBand,
)
from webapp.activities.queries import activities_of, ranking
from webapp.activities.selection import reason_labels
from webapp.activities.views import bp
from webapp.core.errors import FieldError
from webapp.core.forms import attach_errors
from webapp.core.navigation import add_nav
from webapp.extensions import db
from webapp.people.models import Person
from webapp.permissions import coordinator_required, get_in_org_or_404, is_coordinator
from webapp.shifts.forms import options

add_nav("activities.manage", lambda: _l("Activities"), is_coordinator, order=45, group="requests")


def _n(value: float | None) -> int:
    """A whole number the form has already checked is there."""
    return int(value or 0)


def _age(value: float | None) -> int | None:
    return None if value is None else int(value)


@bp.route("/manage")
@coordinator_required
def manage() -> str:
    return render_template(
        "activities/manage.html", activities=activities_of(current_user.organisation_id)
    )


@bp.route("/new", methods=["GET", "POST"])
@coordinator_required
def new() -> ResponseReturnValue:
    form = ActivityForm()
    if form.validate_on_submit():
        d = ops.ActivityDraft(
            title=form.title.data or "",
            description=form.description.data,
            place_name=form.place_name.data or "",
            address=form.address.data or "",
            first_day=form.first_day.data,
            start=form.start.data,
            duration_minutes=_n(form.duration_minutes.data),
            sessions=_n(form.sessions.data),
            every_days=_n(form.every_days.data),
            capacity=_n(form.capacity.data),
            helpers_needed=_n(form.helpers_needed.data),
            wheelchair_accessible=form.wheelchair_accessible.data,
            accessibility_note=form.accessibility_note.data,
            applications_close=form.applications_close.data,
            weights={
                "age": _n(form.weight_age.data),
                "alone": _n(form.weight_alone.data),
                "income": _n(form.weight_income.data),
                "outlying": _n(form.weight_outlying.data),
            },
            age_from=_n(form.age_from.data),
            outlying=(form.outlying.data or "").split(","),
            survey_months=_n(form.survey_months.data),
        )
        try:
            activity = ops.create_activity(current_user.organisation_id, d)
            db.session.commit()
        except FieldError as err:
            db.session.rollback()
            attach_errors(form, err, aliases={"weight_age": "weight_age"})
        else:
            flash(_("The activity is saved and its call for applications is open."), "success")
            return redirect(url_for("activities.detail", activity_id=activity.id))
    return render_template("activities/new.html", form=form)


def _phone_form(activity: Activity) -> PhoneApplyForm:
    form = PhoneApplyForm()
    taken = {a.person_id for a in activity.applications if a.status != ApplicationStatus.WITHDRAWN}
    people = db.session.scalars(
        sa.select(Person)
        .where(
            Person.organisation_id == activity.organisation_id,
            sa.or_(Person.is_resident.is_(True), Person.is_neighbour.is_(True)),
        )
        .order_by(Person.last_name, Person.first_name, Person.id)
    )
    choices = [(p.id, f"{p.full_name} ({p.neighbourhood or p.address})") for p in people
               if p.id not in taken]  # fmt: skip
    field: SelectField = form.person_id
    field.choices = options(choices)
    return form


@bp.route("/<int:activity_id>")
@coordinator_required
def detail(activity_id: int) -> str:
    activity: Activity = get_in_org_or_404(Activity, activity_id, current_user)
    return _detail(activity, _phone_form(activity))


def _detail(activity: Activity, phone: PhoneApplyForm) -> str:
    apps = ranking(activity)
    return render_template(
        "activities/detail.html",
        activity=activity,
        apps=apps,
        why={a.id: reason_labels(activity, a.reasons or []) for a in apps},
        phone=phone,
        form=EmptyForm(),
        survey=SurveyForm(),
        survey_due=ops.survey_due_on(activity),
        call_open=ops.call_open(activity),
        selected=sum(1 for a in apps if a.status == ApplicationStatus.SELECTED),
        to_ride=[a for a in apps if a.status == ApplicationStatus.SELECTED and a.needs_ride],
    )


@bp.route("/<int:activity_id>/phone", methods=["POST"])
@coordinator_required
def phone_apply(activity_id: int) -> ResponseReturnValue:
    activity: Activity = get_in_org_or_404(Activity, activity_id, current_user)
    form = _phone_form(activity)
    if form.validate_on_submit():
        person = db.session.get(Person, form.person_id.data)
        if person is None or person.organisation_id != activity.organisation_id:
            abort(404)
        try:
            ops.apply(
                activity,
                person,
                current_user,
                age=_age(form.age.data),
                lives_alone=form.lives_alone.data,
                income=IncomeBand(form.income.data),
                needs_ride=form.needs_ride.data,
                wheelchair=form.wheelchair.data,
                channel=Channel.PHONE,
            )
            db.session.commit()
        except FieldError as err:
            db.session.rollback()
            attach_errors(form, err, aliases={"person": "person_id", "activity": "person_id"})
        else:
            flash(_("%(name)s has applied.", name=person.full_name), "success")
            return redirect(
                url_for("activities.detail", activity_id=activity.id, _anchor="ranking")
            )
    return _detail(activity, form), 400


@bp.route("/<int:activity_id>/select", methods=["POST"])
@coordinator_required
def select(activity_id: int) -> ResponseReturnValue:
    """Asks once (the confirmation page says who will be told), then selects."""
    activity: Activity = get_in_org_or_404(Activity, activity_id, current_user)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("activities.detail", activity_id=activity.id))
    if request.form.get("confirm") != "yes":
        n = len(ops.active(activity))
        return render_template(
            "activities/confirm_select.html", activity=activity, n=n,
            selected=min(n, activity.capacity), form=EmptyForm(),
        )  # fmt: skip
    try:
        chosen = ops.select(activity)
        db.session.commit()
    except FieldError as err:
        db.session.rollback()
        flash(str(err.message), "error")
    else:
        flash(_("%(n)s people selected; everyone has been told.", n=len(chosen)), "success")
    return redirect(url_for("activities.detail", activity_id=activity.id, _anchor="ranking"))


@bp.route("/applications/<int:application_id>/withdraw", methods=["POST"])
@coordinator_required
def withdraw(application_id: int) -> ResponseReturnValue:
    app: Application = get_in_org_or_404(Application, application_id, current_user)
    if EmptyForm().validate_on_submit():
        try:
            moved = ops.withdraw(app, current_user)
            db.session.commit()
        except FieldError as err:
            db.session.rollback()
            flash(str(err.message), "error")
        else:
            flash(_("%(name)s no longer takes part.", name=app.person.full_name), "success")
            if moved is not None:
                flash(_("%(name)s moves up from the waiting list and has been told.",
                        name=moved.person.full_name), "success")  # fmt: skip
    return redirect(url_for("activities.detail", activity_id=app.activity_id, _anchor="ranking"))


@bp.route("/<int:activity_id>/rides", methods=["POST"])
@coordinator_required
def rides(activity_id: int) -> ResponseReturnValue:
    activity: Activity = get_in_org_or_404(Activity, activity_id, current_user)
    if EmptyForm().validate_on_submit():
        try:
            made = ops.request_rides(activity, current_user)
            db.session.commit()
        except FieldError as err:
            db.session.rollback()
            flash(str(err.message), "error")
        else:
            flash(_("%(n)s ride requests made. Plan them with Match (rides).", n=made), "success")
    return redirect(url_for("activities.detail", activity_id=activity.id, _anchor="rides"))


@bp.route("/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@coordinator_required
def attendance(session_id: int) -> ResponseReturnValue:
    session = db.session.get(ActivitySession, session_id)
    if session is None or session.activity.organisation_id != current_user.organisation_id:
        abort(404)
    form = EmptyForm()
    if form.validate_on_submit():
        present = {int(x) for x in request.form.getlist("present") if x.isdigit()}
        try:
            n = ops.record_attendance(session, present)
            db.session.commit()
        except FieldError as err:
            db.session.rollback()
            flash(str(err.message), "error")
        else:
            flash(_("Attendance saved for %(n)s participants.", n=n), "success")
            return redirect(url_for("activities.detail", activity_id=session.activity_id))
    rows = {
        a.application_id: a.present
        for a in db.session.scalars(
            sa.select(Attendance).where(Attendance.session_id == session.id)
        )
    }
    people = [a for a in session.activity.applications if a.status == ApplicationStatus.SELECTED]
    return render_template(
        "activities/attendance.html", session=session, people=people, rows=rows, form=form
    )


@bp.route("/<int:activity_id>/survey", methods=["POST"])
@coordinator_required
def survey(activity_id: int) -> ResponseReturnValue:
    activity: Activity = get_in_org_or_404(Activity, activity_id, current_user)
    form = SurveyForm()
    if form.validate_on_submit():
        try:
            ops.complete_survey(activity, form.note.data or "")
            db.session.commit()
        except FieldError as err:
            db.session.rollback()
            flash(str(err.message), "error")
        else:
            flash(_("The follow-up survey is recorded."), "success")
    else:
        flash(_("Write what the survey found."), "error")
    return redirect(url_for("activities.detail", activity_id=activity.id, _anchor="survey"))
