"""The coordinator's side of referrals: the triage queue, one referral (who it is,
link or register the resident, owner, due date, accept or close), a referral taken on
the phone, the loneliness measure, and the report of the path to help."""

from __future__ import annotations

from datetime import time, timedelta

from babel.numbers import format_decimal
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.core.errors import FieldError
from webapp.core.forms import attach_errors, error_list, row_id
from webapp.core.navigation import add_nav
from webapp.core.timeutil import at_local, today_local
from webapp.db import utcnow
from webapp.extensions import db
from webapp.orgs.settings import org_tz, settings_for
from webapp.people.access import get_person_or_404
from webapp.people.models import Person
from webapp.permissions import coordinator_required, get_in_org_or_404, is_coordinator
from webapp.referrals import operations, queries, scales
from webapp.referrals import timeline as _timeline  # noqa: F401  (registers the source)
from webapp.referrals.forms import (
    DIRECT_LABELS,
    RISK_LABELS,
    ActionForm,
    ActivityForm,
    AttendanceForm,
    DeclineForm,
    DueForm,
    LinkForm,
    MeasureForm,
    PrescribeForm,
    ReferralForm,
    SettingsForm,
)
from webapp.referrals.models import (
    Channel,
    DirectoryActivity,
    LonelinessMeasure,
    Prescription,
    Referral,
)
from webapp.referrals.views import FIELDS, bp

add_nav("referrals.queue", lambda: _l("Referrals"), is_coordinator, order=4, group="desk")
add_nav("referrals.report", lambda: _l("Path to help"), is_coordinator, order=5, group="desk")
add_nav("referrals.activities", lambda: _l("Activities directory"), is_coordinator, order=25,
        group="people")  # fmt: skip
add_nav("referrals.settings", lambda: _l("Loneliness re-measure"), is_coordinator, order=89,
        group="settings")  # fmt: skip


def _referral(referral_id: int) -> Referral:
    referral: Referral = get_in_org_or_404(Referral, referral_id, current_user)
    return referral


@bp.route("/referrals/")
@coordinator_required
def queue() -> str:
    org_id = current_user.organisation_id
    return render_template(
        "referrals/queue.html",
        referrals=queries.queue(org_id),
        closed=queries.closed(org_id),
        now=utcnow(),
    )


@bp.route("/referrals/new", methods=["GET", "POST"])
@coordinator_required
def new() -> ResponseReturnValue:
    """A referral taken on the phone: the coordinator owns it."""
    form = ReferralForm()
    if form.validate_on_submit():
        try:
            referral = operations.submit(
                current_user.organisation_id,
                {k: form[k].data for k in FIELDS},
                channel=Channel.PHONE,
                by=current_user,
            )
        except FieldError as error:
            db.session.rollback()
            attach_errors(form, error)
        else:
            db.session.commit()
            flash(_("Referral recorded."), "success")
            return redirect(url_for(".referral", referral_id=referral.id))
    return render_template("referrals/new.html", form=form, errors=error_list(form))


def _page(referral: Referral, **forms: object) -> str:
    return render_template(
        "referrals/referral.html",
        referral=referral,
        candidates=operations.candidates(referral) if referral.person_id is None else [],
        action=ActionForm(formdata=None),
        link_form=LinkForm(formdata=None),
        decline_form=forms.get("decline_form") or DeclineForm(formdata=None),
        due_form=forms.get("due_form") or DueForm(formdata=None),
        now=utcnow(),
    )


@bp.route("/referrals/<int:referral_id>")
@coordinator_required
def referral(referral_id: int) -> str:
    return _page(_referral(referral_id))


def _action(referral: Referral) -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


@bp.route("/referrals/<int:referral_id>/take", methods=["POST"])
@coordinator_required
def take(referral_id: int) -> ResponseReturnValue:
    referral = _referral(referral_id)
    _action(referral)
    operations.take(referral, current_user)
    db.session.commit()
    flash(_("The referral is yours."), "success")
    return redirect(url_for(".referral", referral_id=referral.id))


@bp.route("/referrals/<int:referral_id>/link", methods=["POST"])
@coordinator_required
def link(referral_id: int) -> ResponseReturnValue:
    referral = _referral(referral_id)
    form = LinkForm()
    if not form.validate_on_submit():
        abort(400)
    raw = (form.person_id.data or "").strip()
    person: Person | None = None
    try:
        if raw == "new":
            person = operations.register_person(referral, current_user)
        elif (person_id := row_id(raw)) is not None:
            person = get_person_or_404(person_id, current_user, manage=True)
            operations.link_person(referral, person)
        else:
            raise FieldError("person", _l("Choose who this is."))
    except FieldError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for(".referral", referral_id=referral.id))
    db.session.commit()
    flash(_("Linked to %(name)s.", name=person.full_name), "success")
    return redirect(url_for(".referral", referral_id=referral.id))


@bp.route("/referrals/<int:referral_id>/due", methods=["POST"])
@coordinator_required
def due(referral_id: int) -> ResponseReturnValue:
    referral = _referral(referral_id)
    form = DueForm()
    if form.validate_on_submit():
        tz = org_tz(referral.organisation_id)
        try:
            if form.due_date.data is None:
                raise FieldError("due_date", _l("Give the day."))
            operations.set_due(referral, at_local(form.due_date.data, time(17), tz))
        except FieldError as error:
            db.session.rollback()
            attach_errors(form, error)
        else:
            db.session.commit()
            flash(_("Due date changed."), "success")
            return redirect(url_for(".referral", referral_id=referral.id))
    return _page(referral, due_form=form)


@bp.route("/referrals/<int:referral_id>/accept", methods=["POST"])
@coordinator_required
def accept(referral_id: int) -> ResponseReturnValue:
    referral = _referral(referral_id)
    _action(referral)
    try:
        operations.accept(referral)
    except FieldError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("Accepted into the service."), "success")
    return redirect(url_for(".referral", referral_id=referral.id))


@bp.route("/referrals/<int:referral_id>/decline", methods=["POST"])
@coordinator_required
def decline(referral_id: int) -> ResponseReturnValue:
    referral = _referral(referral_id)
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            operations.decline(referral, form.close_reason.data, form.close_note.data)
        except FieldError as error:
            db.session.rollback()
            attach_errors(form, error)
            if "status" in error.errors:
                flash(str(error.errors["status"]), "error")
        else:
            db.session.commit()
            flash(_("Referral closed."), "success")
            return redirect(url_for(".referral", referral_id=referral.id))
    return _page(referral, decline_form=form)


# --- the loneliness measure -----------------------------------------------------------


@bp.route("/referrals/people/<int:person_id>/measure", methods=["GET", "POST"])
@coordinator_required
def measure(person_id: int) -> ResponseReturnValue:
    """The UCLA-3 questions and the direct question, read out on the phone."""
    person = get_person_or_404(person_id, current_user, manage=True)
    form = MeasureForm()
    if form.validate_on_submit():
        answers = {item: _int(form[item].data) for item in scales.UCLA3_ITEMS}
        try:
            operations.record_measure(
                person,
                current_user,
                answers=answers,
                direct=_int(form.direct.data),
                factors=form.risk_factors.data or [],
                method=form.method.data or "",
            )
        except FieldError as error:
            db.session.rollback()
            attach_errors(form, error)
        else:
            db.session.commit()
            flash(_("Loneliness measure saved."), "success")
            return redirect(url_for("desk.case_file", person_id=person.id, _anchor="loneliness"))
    return render_template(
        "referrals/measure.html",
        person=person,
        form=form,
        errors=error_list(form),
        last=next(iter(queries.measures_for(person.id)), None),
    )


def _int(value: object) -> int | None:
    return row_id(value)


# --- the report ----------------------------------------------------------------------


@bp.route("/referrals/report")
@coordinator_required
def report() -> str:
    org_id = current_user.organisation_id
    days = request.args.get("days", "")
    since = utcnow() - timedelta(days=int(days)) if days.isdigit() and int(days) > 0 else None
    today = today_local(org_tz(org_id))
    return render_template(
        "referrals/report.html",
        rows=queries.funnel(org_id, since),
        late=queries.late(org_id),
        remeasures=queries.remeasure_due(org_id, today),
        months=settings_for(org_id).remeasure_months,
        days=days if since else "",
    )


@bp.route("/referrals/settings", methods=["GET", "POST"])
@coordinator_required
def settings() -> ResponseReturnValue:
    org_id = current_user.organisation_id
    form = SettingsForm()
    if not form.is_submitted():
        form.remeasure_months.data = settings_for(org_id).remeasure_months
    elif form.validate():
        try:
            months = form.remeasure_months.data
            operations.set_remeasure_months(org_id, int(months) if months is not None else None)
        except FieldError as error:
            db.session.rollback()
            attach_errors(form, error)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(".settings"))
    return render_template("referrals/settings.html", form=form, errors=error_list(form))


@bp.app_context_processor
def referral_helpers() -> dict[str, object]:
    def days(value: float | None) -> str:
        """ "2.5 days", "-" when the step has not happened."""
        if value is None:
            return "-"
        return _("%(n)s days", n=format_decimal(value, "0.0", locale=str(get_locale())))

    def risk(m: LonelinessMeasure) -> scales.Risk:
        return scales.risk_level(m.score, m.direct, m.risk_factors)

    return {
        "referral_status": _timeline.status_label,
        "referral_source": _timeline.source_label,
        "close_label": _timeline.close_label,
        "risk_label": _timeline.risk_label,
        "risk_of": risk,
        "days_between": queries.days_between,
        "days_fmt": days,
        "aware": queries.aware,
        "direct_labels": DIRECT_LABELS,
        "risk_labels": RISK_LABELS,
    }


# --- the directory and social prescribing -----------------------------------------------


@bp.route("/referrals/activities", methods=["GET", "POST"])
@coordinator_required
def activities() -> ResponseReturnValue:
    """The directory of local activities and groups a coordinator may prescribe."""
    org_id = current_user.organisation_id
    form = ActivityForm()
    if form.validate_on_submit():
        try:
            operations.add_activity(org_id, {k: form[k].data for k in operations.ACTIVITY_FIELDS})
        except FieldError as error:
            db.session.rollback()
            attach_errors(form, error)
        else:
            db.session.commit()
            flash(_("Added to the directory."), "success")
            return redirect(url_for(".activities"))
    return render_template(
        "referrals/activities.html",
        activities=queries.activities(org_id),
        form=form,
        errors=error_list(form),
    )


@bp.route("/referrals/people/<int:person_id>/prescribe", methods=["POST"])
@coordinator_required
def prescribe(person_id: int) -> ResponseReturnValue:
    person = get_person_or_404(person_id, current_user, manage=True)
    form = PrescribeForm()
    if not form.validate_on_submit():
        abort(400)
    raw = str(form.activity_id.data or "")
    activity_id = row_id(raw)
    activity = db.session.get(DirectoryActivity, activity_id) if activity_id else None
    try:
        prescription = operations.prescribe(
            person, activity, current_user, needs_ride=form.needs_ride.data
        )
    except FieldError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("desk.case_file", person_id=person.id, _anchor="activities"))
    db.session.commit()
    flash(_("Prescribed: %(name)s.", name=prescription.activity.name), "success")
    if prescription.needs_ride:
        flash(_("Now book the ride there and back."), "info")
        return redirect(url_for("requests.new", resident=person.id, kind="ride"))
    return redirect(url_for("desk.case_file", person_id=person.id, _anchor="activities"))


@bp.route("/referrals/prescriptions/<int:prescription_id>/attendance", methods=["POST"])
@coordinator_required
def attendance(prescription_id: int) -> ResponseReturnValue:
    prescription: Prescription = get_in_org_or_404(Prescription, prescription_id, current_user)
    form = AttendanceForm()
    if not form.validate_on_submit() or form.went.data not in ("yes", "no"):
        abort(400)
    kept = {"yes": True, "no": False}.get(form.kept_going.data or "")
    operations.record_attendance(prescription, form.went.data == "yes", kept)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(
        url_for("desk.case_file", person_id=prescription.person_id, _anchor="activities")
    )
