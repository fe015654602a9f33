"""Coordinator pages: overview, approval queue, lists, person page, vetting, pins and
registering a resident on the phone. Own organisation only (others' ids are 404)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import contains_eager

from webapp.audit import operations as audit
from webapp.auth import operations as auth_operations
from webapp.auth.forms import TemporaryPasswordForm
from webapp.auth.models import Role, User
from webapp.core.errors import FieldError
from webapp.core.forms import attach_errors, error_list, form_data
from webapp.core.navigation import add_nav
from webapp.extensions import db
from webapp.people import operations, vetting
from webapp.people.access import get_person_or_404
from webapp.people.forms import (
    CredentialForm,
    PinForm,
    ResidentByPhoneForm,
    StatusForm,
    coordinator_edit_form,
)
from webapp.people.models import (
    CredentialKind,
    Person,
    ResidentProfile,
    VolunteerProfile,
    VolunteerStatus,
)
from webapp.people.search import Duplicate, possible_duplicates, search
from webapp.people.views import bp, check_rules_too, initial_data
from webapp.permissions import coordinator_required, is_coordinator


def _today() -> date:
    return date.today()


def _volunteers(status: VolunteerStatus | None = None) -> list[Person]:
    query = (
        sa.select(Person)
        .join(VolunteerProfile)
        .where(Person.organisation_id == current_user.organisation_id)
        .options(contains_eager(Person.volunteer))
    )
    if status is not None:
        query = query.where(VolunteerProfile.status == status)
    if status == VolunteerStatus.PENDING:
        query = query.order_by(Person.created_at, Person.id)  # first come, first served
    else:
        query = query.order_by(Person.last_name, Person.first_name)
    return list(db.session.scalars(query))


def _count(query: sa.Select[Any]) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()


@bp.route("/coordinator")
@coordinator_required
def coordinator_home() -> str:
    soon, lapsed = vetting.lapsing(current_user.organisation_id, _today())
    org_id = current_user.organisation_id
    mine = sa.select(Person.id).where(Person.organisation_id == org_id)
    volunteers = mine.join(VolunteerProfile)
    return render_template(
        "people/coordinator_home.html",
        queue=_count(volunteers.where(VolunteerProfile.status == VolunteerStatus.PENDING)),
        approved=_count(volunteers.where(VolunteerProfile.status == VolunteerStatus.APPROVED)),
        residents=_count(mine.join(ResidentProfile)),
        to_check=_count(mine.join(ResidentProfile).where(ResidentProfile.checked_at.is_(None))),
        soon=len({lapse.person.id for lapse in soon}),
        lapsed=len({lapse.person.id for lapse in lapsed}),
    )


@bp.route("/coordinator/queue")
@coordinator_required
def queue() -> str:
    people = _volunteers(VolunteerStatus.PENDING)
    return render_template("people/queue.html", people=people, today=_today())


def _page_arg() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) < 10_000 else 1


@bp.route("/coordinator/volunteers")
@coordinator_required
def volunteers() -> str:
    chosen = request.args.get("status", "")
    status = VolunteerStatus(chosen) if chosen in {s.value for s in VolunteerStatus} else None
    q = (request.args.get("q") or "").strip()[:100]
    where = [VolunteerProfile.status == status] if status else []
    page = search(current_user.organisation_id, q, role="volunteer", page=_page_arg(),
                  where=where)  # fmt: skip
    return render_template(
        "people/volunteers.html",
        people=page.people,
        page=page,
        q=q,
        chosen=status.value if status else "",
        statuses=[(s.value, vetting.status_label(s)) for s in VolunteerStatus],
    )


@bp.route("/coordinator/residents")
@coordinator_required
def residents() -> str:
    q = (request.args.get("q") or "").strip()[:100]
    to_check = request.args.get("to_check") == "1"
    # Residents who signed up online and wait for a coordinator's call (see check_resident).
    waiting = [
        sa.exists().where(
            ResidentProfile.person_id == Person.id, ResidentProfile.checked_at.is_(None)
        )
    ]
    page = search(
        current_user.organisation_id, q, role="resident_profile", page=_page_arg(),
        where=waiting if to_check else (),
    )
    return render_template(
        "people/residents.html", people=page.people, page=page, q=q, to_check=to_check
    )


@bp.route("/coordinator/lapsing")
@coordinator_required
def lapsing() -> str:
    soon, lapsed = vetting.lapsing(current_user.organisation_id, _today())
    return render_template(
        "people/lapsing.html", soon=soon, lapsed=lapsed, days=vetting.LAPSING_DAYS
    )


@bp.route("/coordinator/residents/new", methods=["GET", "POST"])
@coordinator_required
def register_resident() -> ResponseReturnValue:
    form = ResidentByPhoneForm()
    form.first_name.render_kw = {**(form.first_name.render_kw or {}), "autofocus": True}
    duplicates: list[Duplicate] = []
    valid = form.validate_on_submit()
    if valid and not request.form.get("not_duplicate"):
        # Before saving, once: is the caller already on file (same phone, or a similar
        # name at a similar address)? Saving again registers them all the same.
        duplicates = possible_duplicates(
            current_user.organisation_id,
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            phone=form.phone.data,
            address=form.address.data,
        )
    if valid and not duplicates:
        try:
            person = operations.register_resident(
                current_user.organisation_id, form_data(form), current_user
            )
        except FieldError as error:
            db.session.rollback()
            attach_errors(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is registered.", name=person.full_name), "success")
            if operations.needs_pin(person):
                flash(_("The address is not in the town's list: point to it on the map."), "info")
                return redirect(url_for(".person_map", person_id=person.id))
            # The case file: where the call goes on (a first request, a follow-up).
            return redirect(url_for("desk.case_file", person_id=person.id))
    elif not valid:
        check_rules_too(form, current_user.organisation_id)
    return render_template(
        "people/resident_form.html",
        form=form,
        person=None,
        errors=error_list(form),
        duplicates=duplicates,
    )


@bp.route("/coordinator/people/<int:person_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit_resident(person_id: int) -> ResponseReturnValue:
    person = get_person_or_404(person_id, current_user, manage=True)
    if person.resident is None:
        abort(404)
    if request.method == "GET":
        form = coordinator_edit_form(data=initial_data(person))
        audit.viewed(current_user, person.id, person.organisation_id, "edit_resident")
        db.session.commit()
    else:
        form = coordinator_edit_form()
    if form.validate_on_submit():
        try:
            operations.save_person(person, form_data(form), resident=True, actor=current_user)
        except FieldError as error:
            db.session.rollback()
            attach_errors(form, error)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(".person", person_id=person.id))
    return render_template(
        "people/resident_form.html", form=form, person=person, errors=error_list(form)
    )


@bp.route("/coordinator/people/<int:person_id>")
@coordinator_required
def person(person_id: int) -> ResponseReturnValue:
    person = get_person_or_404(person_id, current_user, manage=True)
    audit.viewed(current_user, person.id, person.organisation_id, "person")
    page = _person_page(person)
    db.session.commit()
    return page


def _person_page(person: Person, **forms: Any) -> str:
    credential_form = forms.get("credential_form") or CredentialForm(
        formdata=None, data={"checked_on": _today()}
    )
    pin_form = forms.get("pin_form") or PinForm(
        formdata=None, data={"lat": person.lat, "lon": person.lon}
    )
    status_form = forms.get("status_form") or StatusForm(formdata=None)
    today = _today()
    member_login = person.user if person.user and person.user.role == Role.MEMBER else None
    return render_template(
        "people/person.html",
        person=person,
        credential_form=credential_form,
        pin_form=pin_form,
        status_form=status_form,
        member_login=member_login,
        password_form=TemporaryPasswordForm(formdata=None),
        actions=vetting.allowed_actions(person.volunteer) if person.volunteer else [],
        missing=vetting.missing_for_approval(person, today) if person.volunteer else [],
        changed_by=_user_email(person.volunteer.status_changed_by_id if person.volunteer else None),
        consent_taker=_user_email(
            person.resident.consent_recorded_by_id if person.resident else None
        ),
        today=today,
    )


def _user_email(user_id: int | None) -> str | None:
    user = db.session.get(User, user_id) if user_id else None
    return user.email if user else None


@bp.route("/coordinator/people/<int:person_id>/credentials", methods=["POST"])
@coordinator_required
def record_credential(person_id: int) -> ResponseReturnValue:
    person = get_person_or_404(person_id, current_user, manage=True)
    form = CredentialForm()
    if form.validate_on_submit():
        try:
            vetting.record_credential(
                person,
                CredentialKind(form.kind.data),
                form.checked_on.data,
                form.expires_on.data,
                current_user,
                today=_today(),
                note=form.note.data,
            )
        except FieldError as error:
            db.session.rollback()
            attach_errors(form, error)
        else:
            db.session.commit()
            flash(_("Check recorded."), "success")
            return redirect(url_for(".person", person_id=person.id, _anchor="checks"))
    return _person_page(person, credential_form=form)


@bp.route("/coordinator/people/<int:person_id>/status", methods=["POST"])
@coordinator_required
def change_status(person_id: int) -> ResponseReturnValue:
    person = get_person_or_404(person_id, current_user, manage=True)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            new_status = vetting.change_status(
                person, form.action.data or "", current_user, form.reason.data, today=_today()
            )
        except FieldError as error:
            db.session.rollback()
            attach_errors(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s: %(status)s.",
                    name=person.full_name,
                    status=vetting.status_label(new_status),
                ),
                "success",
            )
            return redirect(url_for(".person", person_id=person.id))
    return _person_page(person, status_form=form)


@bp.route("/coordinator/people/<int:person_id>/pin", methods=["POST"])
@coordinator_required
def place_pin(person_id: int) -> ResponseReturnValue:
    person = get_person_or_404(person_id, current_user, manage=True)
    form = PinForm()
    if form.validate_on_submit():
        try:
            operations.set_pin(person, form.lat.data, form.lon.data, current_user)
        except FieldError as error:
            db.session.rollback()
            attach_errors(form, error)
        else:
            db.session.commit()
            flash(_("The pin is placed."), "success")
            return redirect(url_for(".person", person_id=person.id, _anchor="location"))
    return _person_page(person, pin_form=form)


@bp.route("/coordinator/people/<int:person_id>/password", methods=["POST"])
@coordinator_required
def temporary_password(person_id: int) -> ResponseReturnValue:
    """For members who cannot use the e-mail link: a password read out on the phone,
    shown once here and nowhere else (not in a flash message: the cookie is not secret)."""
    person = get_person_or_404(person_id, current_user, manage=True)
    login = person.user
    if (
        login is None
        or login.role != Role.MEMBER
        or not TemporaryPasswordForm().validate_on_submit()
    ):
        abort(400)
    password = auth_operations.set_temporary_password(login, by=current_user)
    db.session.commit()
    page = render_template("people/temporary_password.html", person=person, password=password)
    return page, 200, {"Cache-Control": "no-store"}


@bp.route("/coordinator/people/<int:person_id>/check", methods=["POST"])
@coordinator_required
def check_resident(person_id: int) -> ResponseReturnValue:
    """The coordinator has called a resident who signed up online and checked them."""
    person = get_person_or_404(person_id, current_user, manage=True)
    if person.resident is None or not TemporaryPasswordForm().validate_on_submit():
        abort(400)
    operations.check_resident(person, current_user)
    db.session.commit()
    flash(_("%(name)s is checked: their requests now reach volunteers.", name=person.full_name),
          "success")
    return redirect(url_for(".person", person_id=person.id))


add_nav("people.lapsing", lambda: _l("Lapsing soon"), is_coordinator, order=24, group="people")
