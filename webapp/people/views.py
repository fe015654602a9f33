"""Public sign-up (volunteer, neighbour, resident) and each member's "My details".

Every form view: parse, call one operation, commit once; on an operation error roll
back and show each message next to its field with everything typed kept.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from webapp.auth import sessions
from webapp.core.errors import FieldError
from webapp.core.forms import attach_errors, error_list, form_data
from webapp.core.navigation import add_nav, add_signup_link
from webapp.core.timing import at_least
from webapp.core.views import register_home
from webapp.extensions import db
from webapp.orgs.models import Organisation
from webapp.people import operations
from webapp.people.forms import (
    GENDERS,
    INTERESTS,
    LANGUAGES,
    NeighbourSignupForm,
    ResidentSignupForm,
    VolunteerSignupForm,
    details_form,
)
from webapp.people.vetting import credential_label, status_label
from webapp.permissions import is_coordinator, is_member, member_required
from webapp.places.geocoding import normalise

bp = Blueprint("people", __name__)

SIGNUP_FORMS: dict[str, type[FlaskForm]] = {
    "volunteer": VolunteerSignupForm,
    "neighbour": NeighbourSignupForm,
    "resident": ResidentSignupForm,
}
SIGNUP_ROWS = 2  # empty availability rows shown at first: most people give two or more


def add_rows(form: Any) -> bool:
    """Handle the "add another row" buttons (they work without JavaScript)."""
    for button, rows in (("add_slot", "slots"), ("add_absence", "absences")):
        if button in request.form and hasattr(form, rows):
            field = getattr(form, rows)
            if len(field.entries) < field.max_entries:
                field.append_entry()
                first = next(iter(field.entries[-1].form))
                first.render_kw = {**(first.render_kw or {}), "autofocus": True}
            return True
    return False


def check_rules_too(
    form: Any, org_id: int, *, volunteer: bool = False, saved: str | None = None
) -> None:
    """On a form that failed to parse, also check the rules (slots, absences, distances,
    the address) on what did parse, so that everything can be corrected in one go.
    Only fields without an error of their own get a message."""
    if request.method != "POST":
        return
    data = form_data(form)
    errors: dict[str, str] = {}
    if "slots" in data:
        operations.check_slots(data["slots"], errors)
    if "absences" in data:
        operations.check_absences(data["absences"], errors)
    if volunteer:
        operations.check_volunteering(data, errors)
    address = getattr(form, "address", None)
    typed = address.data if address is not None and not address.errors else None
    if typed and (saved is None or normalise(saved) != normalise(typed)):
        problem = operations.address_problem(org_id, typed)
        db.session.rollback()  # the lookup may have cached a row; nothing is saved
        if problem:
            errors["address"] = problem
    if errors:
        attach_errors(form, FieldError(errors), only_clean=True)


def _org_or_404(slug: str) -> Organisation:
    org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    if org is None:
        abort(404)
    return org


def choose_organisation(kind: str) -> ResponseReturnValue:
    """Sign-up starts by picking the organisation (skipped when there is only one)."""
    if current_user.is_authenticated:
        flash(_("You are already logged in."), "info")
        return redirect(url_for("core.home"))
    orgs = db.session.scalars(sa.select(Organisation).order_by(Organisation.name)).all()
    chosen = request.args.get("organisation")
    error = None
    if chosen is not None:
        if any(o.slug == chosen for o in orgs):
            return redirect(url_for(".signup", org_slug=chosen, kind=kind))
        error = _("Choose your municipality or organisation from the list.")
    if len(orgs) == 1:
        return redirect(url_for(".signup", org_slug=orgs[0].slug, kind=kind))
    return render_template(
        "choose_org.html",
        orgs=orgs,
        error=error,
        empty_message=_("Nobody can sign up yet: no municipality or organisation has been set up."),
    )


for _kind in SIGNUP_FORMS:
    bp.add_url_rule(
        f"/join/{_kind}", f"join_{_kind}", choose_organisation, defaults={"kind": _kind}
    )


@bp.route("/join/<org_slug>/<kind>", methods=["GET", "POST"])
def signup(org_slug: str, kind: str) -> ResponseReturnValue:
    if kind not in SIGNUP_FORMS:
        abort(404)
    org = _org_or_404(org_slug)
    if current_user.is_authenticated:
        flash(_("You are already logged in."), "info")
        return redirect(url_for("core.home"))
    form = SIGNUP_FORMS[kind]()
    if request.method == "GET" and hasattr(form, "slots"):
        while len(form.slots.entries) < SIGNUP_ROWS:
            form.slots.append_entry()
    if request.method == "POST" and add_rows(form):
        return _render_signup(kind, org, form)
    if form.validate_on_submit():
        # As long whether or not the e-mail is taken (no telling which addresses have
        # an account by the time the answer takes).
        with at_least():
            try:
                person = operations.sign_up(org, kind, form_data(form), locale=str(get_locale()))
            except FieldError as error:
                db.session.rollback()
                attach_errors(form, error)
            else:
                if person.user is not None:
                    sessions.start_session(person.user)
                db.session.commit()
                account = 1 if person.user is not None else 0
                placed = 0 if operations.needs_pin(person) else 1
                done = url_for(
                    ".signup_done", org_slug=org.slug, kind=kind, account=account, map=placed
                )
                return redirect(done)
    else:
        check_rules_too(form, org.id, volunteer=kind != "resident")
    return _render_signup(kind, org, form)


def _render_signup(kind: str, org: Organisation, form: Any) -> str:
    template = "people/signup_resident.html" if kind == "resident" else "people/person_form.html"
    return render_template(template, form=form, org=org, kind=kind, errors=error_list(form))


@bp.route("/join/<org_slug>/<kind>/done")
def signup_done(org_slug: str, kind: str) -> str:
    if kind not in SIGNUP_FORMS:
        abort(404)
    org = _org_or_404(org_slug)
    account = request.args.get("account") == "1"
    return render_template(
        "people/signup_done.html",
        org=org,
        kind=kind,
        account=account,
        unplaced=request.args.get("map") == "0",
    )


# --- My details -------------------------------------------------------------------------


def initial_data(person: Any) -> dict[str, Any]:
    """Form values from what is saved, with one empty row to add a slot or an absence."""
    data: dict[str, Any] = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "phone": person.phone,
        "address": person.address,
        "email": person.user.email if person.user else person.email,
        "gender": person.gender or "",
        "languages": list(person.languages or []),
        "interests": list(person.interests or []),
        "slots": [*operations.slot_rows(person), {}],
        "absences": [*operations.absence_rows(person), {}],
    }
    if person.volunteer is not None:
        v = person.volunteer
        both = v.offers_visits and v.offers_driving
        data["offers"] = "both" if both else ("driving" if v.offers_driving else "visits")
        data.update(
            offers_visits=v.offers_visits,
            max_km=v.max_km,
            hours_per_week=v.hours_per_week,
            car_seats=v.car_seats,
            car_wheelchair=v.car_wheelchair,
        )
    if person.resident is not None:
        for name in operations.RESIDENT_FIELDS:
            data[name] = getattr(person.resident, name)
    return data


@bp.route("/me", methods=["GET", "POST"])
@member_required
def my_details() -> ResponseReturnValue:
    person = current_user.person
    if request.method == "GET":
        form = details_form(person, data=initial_data(person))
    else:
        form = details_form(person)
        if add_rows(form):
            return _render_details(person, form)
    if form.validate_on_submit():
        try:
            operations.save_person(
                person,
                form_data(form),
                user=current_user._get_current_object(),
                volunteer=person.volunteer is not None,
                resident=person.resident is not None,
            )
        except FieldError as error:
            db.session.rollback()
            attach_errors(form, error)
        else:
            db.session.commit()
            flash(_("Your details are saved."), "success")
            if operations.needs_pin(person):
                flash(
                    _(
                        "We could not find your address on our map; a coordinator will place "
                        "it. Until then we cannot suggest visits or rides near you."
                    ),
                    "info",
                )
            return redirect(url_for(".my_details"))
    else:
        check_rules_too(
            form,
            person.organisation_id,
            volunteer=person.volunteer is not None,
            saved=person.address,
        )
    return _render_details(person, form)


def _render_details(person: Any, form: Any) -> str:
    status = status_label(person.volunteer.status) if person.volunteer else None
    return render_template(
        "people/person_form.html",
        form=form,
        org=person.organisation,
        kind="details",
        person=person,
        status=status,
        errors=error_list(form),
    )


@bp.context_processor
def labels() -> dict[str, Any]:
    """Readable names for stored codes (languages, interests, statuses...)."""
    names = {c.value: c.label for c in [*LANGUAGES, *INTERESTS, *GENDERS] if c.value}
    sources = {
        "gazetteer": _l("town gazetteer"),
        "cache": _l("address lookup"),
        "nominatim": _l("OpenStreetMap"),
        "manual": _l("by hand"),
    }

    def label(code: str | None) -> str:
        return str(names.get(code or "", sources.get(code or "", code or "-")))

    return {"status_label": status_label, "credential_label": credential_label, "label": label}


# --- navigation -------------------------------------------------------------------------

add_signup_link("people.join_volunteer", lambda: _l("Volunteer with us"))
add_signup_link("people.join_neighbour", lambda: _l("Join as a neighbour"))
add_signup_link("people.join_resident", lambda: _l("Ask for help"))
add_nav("people.my_details", lambda: _l("My details"), is_member, order=80)
add_nav(
    "people.coordinator_home", lambda: _l("Vetting overview"), is_coordinator, order=25,
    group="people",
)
add_nav("people.queue", lambda: _l("Awaiting approval"), is_coordinator, order=23, group="people")
add_nav("people.volunteers", lambda: _l("Volunteers"), is_coordinator, order=22, group="people")
add_nav("people.residents", lambda: _l("Residents"), is_coordinator, order=21, group="people")
register_home("member", "people.my_details")
