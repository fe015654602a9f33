"""Coordinators manage volunteers: register one who phones in, edit what they give (hours,
availability, absences), and add or remove a role after sign-up. Own organisation only."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from webapp.core.errors import FieldError
from webapp.core.forms import attach_errors, error_list, form_data
from webapp.extensions import db
from webapp.people import operations, roles
from webapp.people.access import get_person_or_404
from webapp.people.forms import (
    AddResidentRoleForm,
    ConfirmForm,
    VolunteerByPhoneForm,
    coordinator_volunteer_form,
)
from webapp.people.models import Person
from webapp.people.views import SIGNUP_ROWS, add_rows, bp, check_rules_too, initial_data
from webapp.permissions import coordinator_required


@bp.route("/coordinator/volunteers/new", methods=["GET", "POST"])
@coordinator_required
def register_volunteer() -> ResponseReturnValue:
    form = VolunteerByPhoneForm()
    if request.method == "GET":
        form.first_name.render_kw = {**(form.first_name.render_kw or {}), "autofocus": True}
        while len(form.slots.entries) < SIGNUP_ROWS:
            form.slots.append_entry()
    elif add_rows(form):
        return _form_page(form, None)
    if form.validate_on_submit():
        try:
            person = operations.register_volunteer(current_user.organisation_id, form_data(form))
        except FieldError as error:
            db.session.rollback()
            attach_errors(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s is registered and waits for approval: record the checks below.",
                    name=person.full_name,
                ),
                "success",
            )
            if operations.needs_pin(person):
                return redirect(url_for(".person_map", person_id=person.id))
            return redirect(url_for(".person", person_id=person.id))
    else:
        check_rules_too(form, current_user.organisation_id, volunteer=True)
    return _form_page(form, None)


@bp.route("/coordinator/people/<int:person_id>/volunteering", methods=["GET", "POST"])
@coordinator_required
def edit_volunteer(person_id: int) -> ResponseReturnValue:
    person = get_person_or_404(person_id, current_user, manage=True)
    if person.volunteer is None:
        abort(404)
    if request.method == "GET":
        form = coordinator_volunteer_form(person, data=initial_data(person))
    else:
        form = coordinator_volunteer_form(person)
        if add_rows(form):
            return _form_page(form, person)
    if form.validate_on_submit():
        try:
            operations.save_person(person, form_data(form), volunteer=True, consent_by=current_user)
        except FieldError as error:
            db.session.rollback()
            attach_errors(form, error)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(".person", person_id=person.id))
    else:
        check_rules_too(form, person.organisation_id, volunteer=True, saved=person.address)
    return _form_page(form, person)


def _form_page(form: object, person: Person | None) -> str:
    return render_template(
        "people/volunteer_form.html", form=form, person=person, errors=error_list(form)
    )


@bp.route("/coordinator/people/<int:person_id>/roles/<role>", methods=["GET", "POST"])
@coordinator_required
def change_role(person_id: int, role: str) -> ResponseReturnValue:
    """Add a role (one button; consent for receiving help) or remove one (this page says
    what will happen, and asks once)."""
    person = get_person_or_404(person_id, current_user, manage=True)
    if role not in roles.ROLES:
        abort(404)
    has = person.volunteer is not None if role == "volunteer" else person.resident is not None
    form = ConfirmForm() if has or role == "volunteer" else AddResidentRoleForm()
    if form.validate_on_submit():
        try:
            if has:
                roles.remove_role(person, role, current_user)
            else:
                consent = bool(getattr(form, "consent", None) and form.consent.data)
                roles.add_role(person, role, current_user, consent=consent)
        except FieldError as error:
            db.session.rollback()
            attach_errors(form, error)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            if role == "volunteer" and not has:
                return redirect(url_for(".edit_volunteer", person_id=person.id))
            return redirect(url_for(".person", person_id=person.id))
    return render_template("people/role.html", person=person, role=role, removing=has, form=form)
