"""Asking for help: residents in three steps, coordinators in one form; residents' list."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms.fields import SelectChoice

from webapp.audit import operations as audit
from webapp.audit.operations import diff, snapshot
from webapp.core.confirm import ask, confirmed
from webapp.core.errors import FieldError
from webapp.core.forms import BlankForm, attach_errors, drawn_once, form_or_blank, row_id
from webapp.core.navigation import add_nav
from webapp.db import utcnow
from webapp.extensions import db
from webapp.orgs.operations import set_resident_check
from webapp.orgs.settings import settings_for
from webapp.people.access import me
from webapp.people.forms import LANGUAGE_CODES, LANGUAGES
from webapp.people.models import Person
from webapp.people.names import picker_labels
from webapp.people.search import Page, search
from webapp.permissions import (
    coordinator_required,
    get_in_org_or_404,
    is_coordinator,
    is_resident,
    resident_required,
)
from webapp.places.geocoding import point
from webapp.places.maps import leaflet_installed, map_data
from webapp.requests import changes
from webapp.requests import operations as rops
from webapp.requests.drafts import PARTS, coordinator_draft, ride_fields
from webapp.requests.forms import (
    DAY_NAMES,
    PRIORITY_LABELS,
    CancelForm,
    CoordinatorRequestForm,
    NotesForm,
    ResidentRideForm,
    ResidentVisitForm,
    SettingsForm,
)
from webapp.requests.models import Priority, Request, RequestKind
from webapp.requests.planning import extend_horizon, resident_checked
from webapp.requests.upcoming import coming_of_request, coming_of_resident
from webapp.shifts import operations as ops
from webapp.shifts import questions
from webapp.shifts.access import get_shift_or_404
from webapp.shifts.forms import options
from webapp.shifts.models import Shift, ShiftStatus
from webapp.shifts.transitions import FINAL

bp = Blueprint("requests", __name__, url_prefix="/requests")
LANGUAGE_LABELS = {str(c.value): c.label for c in LANGUAGES}
PICKER_SIZE = 15  # matches shown in the resident picker; a longer list means: type more

add_nav("requests.new", lambda: _l("New request"), is_coordinator, order=30, group="requests")
add_nav(
    "requests.settings", lambda: _l("Booking rules"), is_coordinator, order=86, group="settings"
)
add_nav("requests.mine", lambda: _l("My visits and rides"), is_resident, order=30)
add_nav("requests.help", lambda: _l("Ask for help"), is_resident, order=31)


@bp.app_template_filter("language_name")
def language_name(code: str) -> str:
    """A language code as the reader's word for it ("it" -> "Italian"); unknown codes as typed."""
    return str(LANGUAGE_LABELS.get(code, code))


def show_error(form: FlaskForm, err: FieldError) -> None:
    """Roll back what the refused operation did, and show why next to the field."""
    db.session.rollback()
    attach_errors(form, err, aliases={"windows": "weekdays"})


# --- residents: step 1 choose, step 2 details, step 3 done -------------------------


@bp.route("/help")
@resident_required
def help() -> str:  # noqa: A001
    return render_template("requests/help.html")


@bp.route("/help/visit", methods=["GET", "POST"])
@resident_required
def help_visit() -> ResponseReturnValue:
    form = form_or_blank(ResidentVisitForm)
    if form.validate_on_submit():
        start, end = PARTS[form.part_of_day.data]
        day = form.start_date.data
        draft = rops.Draft(
            kind=RequestKind.VISIT,
            start_date=day,
            windows=[(day.weekday(), start, end)],
            duration_minutes=60,
            recurring=form.recurring.data,
            end_date=form.end_date.data,
            notes=form.notes.data,
            confirm_far_date=form.confirm_far_date.data,
        )
        response = _create_and_thank(form, draft)
        if response is not None:
            return response
    return render_template(
        "requests/help_visit.html", form=form, blank_fields=_blank("visit", form)
    )


def _blank(kind: str, form: FlaskForm) -> Markup | None:
    """A request form nobody has sent yet, its fields drawn once per language (the same
    for every resident: no value, no error); a form sent back draws them with what was
    typed."""
    if form.is_submitted():
        return None
    return drawn_once(f"requests/_{kind}_fields.html", form=form)


def _create_and_thank(form: FlaskForm, draft: rops.Draft) -> ResponseReturnValue | None:
    """Save the resident's request and show the thank-you page, or put the error on the form."""
    try:
        req = rops.create_request(me(), draft, current_user)
    except FieldError as err:
        show_error(form, err)
        return None
    db.session.commit()
    return redirect(url_for("requests.done", request_id=req.id))


@bp.route("/help/ride", methods=["GET", "POST"])
@resident_required
def help_ride() -> ResponseReturnValue:
    form = form_or_blank(ResidentRideForm)
    if form.validate_on_submit():
        draft = rops.Draft(
            kind=RequestKind.RIDE, stay_minutes=60, allow_unplaced=True, **ride_fields(form)
        )
        response = _create_and_thank(form, draft)
        if response is not None:
            return response
    return render_template("requests/help_ride.html", form=form, blank_fields=_blank("ride", form))


@bp.route("/<int:request_id>/done")
@resident_required
def done(request_id: int) -> str:
    req = get_in_org_or_404(Request, request_id, current_user)
    if req.resident_id != current_user.person_id:
        abort(403)
    return render_template(
        "requests/done.html",
        req=req,
        shifts=coming_of_request(req.id),
        waiting_check=not resident_checked(req),
    )


@bp.route("/mine")
@resident_required
def mine() -> str:
    groups = coming_of_resident(current_user.person_id)
    # One "Change" link per request, on its first card.
    change_on: dict[int, int] = {}
    for legs in groups:
        first = legs[0]
        if first.request_id not in change_on and first.changeable:
            change_on[first.request_id] = first.id
    profile = current_user.person.resident
    return render_template(
        "requests/mine.html",
        waiting_check=profile is not None and profile.checked_at is None,
        groups=groups,
        form=BlankForm(CancelForm),  # its hidden tags, drawn once for every card
        FINAL=FINAL,
        S=ShiftStatus,
        change_on=change_on,
    )


@bp.route("/shift/<int:shift_id>/cancel", methods=["POST"])
@resident_required
def cancel_shift(shift_id: int) -> ResponseReturnValue:
    shift = get_shift_or_404(shift_id)
    if shift.request.resident_id != current_user.person_id:
        abort(403)
    form = CancelForm()
    if form.validate_on_submit():
        if not confirmed():  # asked once, in plain words, on a page of its own
            try:
                return ask(questions.resident_cancel(ops.check_cancel(shift)))
            except FieldError as err:
                db.session.rollback()
                flash(str(err.message), "error")
                return redirect(url_for("requests.mine"))
        try:
            ops.cancel(shift, current_user, form.reason.data or "cancelled by the resident")
        except FieldError as err:
            db.session.rollback()
            flash(str(err.message), "error")
        else:
            db.session.commit()
            flash(_("Cancelled. Thank you for letting us know."), "success")
    return redirect(url_for("requests.mine"))


# --- coordinators ------------------------------------------------------------------


def _resident(person_id: object) -> Person | None:
    """A resident (or neighbour) of the coordinator's organisation, else None."""
    if not isinstance(person_id, int):
        return None
    person = db.session.get(Person, person_id)
    if person is None or person.organisation_id != current_user.organisation_id:
        return None
    return person if person.is_resident or person.is_neighbour else None


@bp.route("/new/residents")
@coordinator_required
def find_resident() -> str:
    """The picker's matches alone, for the typeahead (the same radios as without it)."""
    q = (request.args.get("resident_q") or request.args.get("q") or "").strip()[:100]
    return render_template("requests/_resident_matches.html", found=_matches(q), chosen=None)


def _matches(q: str) -> Page | None:
    return search(current_user.organisation_id, q, role="resident", size=PICKER_SIZE) if q else None


AGAIN_FIELDS = ("pickup_address", "destination_name", "destination_address", "stay_minutes",
                "return_wanted", "passengers", "wheelchair", "escort", "notes")  # fmt: skip


def _ride_again(form: CoordinatorRequestForm, request_id: int) -> None:
    """Prefill a new ride from an earlier one of the same resident ("the hospital
    again"): where to and how, never when."""
    earlier = get_in_org_or_404(Request, request_id, current_user)
    if earlier.kind != RequestKind.RIDE or earlier.resident_id != form.resident.data:
        abort(404)
    form.kind.data = RequestKind.RIDE.value
    for name in AGAIN_FIELDS:
        getattr(form, name).data = getattr(earlier, name)
    form.purpose.data = earlier.purpose.value if earlier.purpose else form.purpose.data


def volunteer_choices(org_id: int) -> list[SelectChoice]:
    """The preferred-volunteer picker: "none", then every volunteer by name."""
    people = db.session.scalars(
        sa.select(Person)
        .where(Person.organisation_id == org_id, Person.is_volunteer.is_(True))
        .order_by(Person.first_name, Person.last_name)
    )
    return options([(0, _("No preference")), *picker_labels(people).items()])


def destination_map(org_id: int, form: FlaskForm) -> dict[str, Any]:
    """The map under a ride's destination (shown open when the address was not found or a
    pin is being placed): the typed pin, or the town's centre."""
    pin = point(form.destination_lat.data, form.destination_lon.data)
    return {
        "dest_map": map_data(org_id, pin=pin),
        "leaflet": leaflet_installed(),
        "dest_open": pin is not None
        or bool(form.destination_address.errors)
        or bool(form.destination_lat.errors or form.destination_lon.errors),
    }


@bp.route("/new", methods=["GET", "POST"])
@coordinator_required
def new() -> ResponseReturnValue:
    form = CoordinatorRequestForm()
    form.preferred_volunteer.choices = volunteer_choices(current_user.organisation_id)
    if not form.is_submitted():
        # Linked from a case file: the call is about them, and maybe about a ride.
        if (resident_id := row_id(request.args.get("resident"))) is not None:
            form.resident.data = resident_id
        if request.args.get("kind") in ("visit", "ride"):
            form.kind.data = request.args["kind"]
        if (again := row_id(request.args.get("again"))) is not None:
            _ride_again(form, again)
        # A suggested priority (the case file's, for someone measured at high risk of
        # loneliness); the coordinator sees it ticked and may change it.
        if request.args.get("priority") in {str(p.value) for p in Priority}:
            form.priority.data = int(request.args["priority"])
    chosen = _resident(form.resident.data)
    if chosen is not None and not form.is_submitted():
        # On the phone, from the case file: the first thing to ask is the date.
        form.start_date.render_kw = {**(form.start_date.render_kw or {}), "autofocus": True}
    q = (request.form.get("resident_q") or "").strip()[:100]
    found = None
    if "find_resident" in request.form or "change_resident" in request.form:
        # The picker's own buttons (they work without JavaScript): search, or start over.
        chosen = None
        form.resident.data = None
        return render_template(
            "requests/new.html", form=form, chosen=None, found=_matches(q), q=q,
            **destination_map(current_user.organisation_id, form),
        )
    if form.validate_on_submit():
        if chosen is None:
            form.resident.errors = [_("Find and choose the resident.")]
        else:
            try:
                req = rops.create_request(chosen, coordinator_draft(form), current_user)
            except FieldError as err:
                show_error(form, err)
            else:
                db.session.commit()
                flash(_("Request saved for %(name)s.", name=chosen.full_name), "success")
                return redirect(url_for("requests.detail", request_id=req.id))
    return render_template(
        "requests/new.html", form=form, chosen=chosen, found=found, q=q,
        **destination_map(current_user.organisation_id, form),
    )


@bp.route("/<int:request_id>")
@coordinator_required
def detail(request_id: int) -> str:
    req = get_in_org_or_404(Request, request_id, current_user)
    return _detail_page(
        req, NotesForm(obj=req, preferred_volunteer=req.preferred_volunteer_id or 0)
    )


def _detail_page(req: Request, notes_form: NotesForm) -> str:
    shifts = db.session.scalars(
        sa.select(Shift).where(Shift.request_id == req.id).order_by(Shift.starts_at)
    ).all()
    notes_form.preferred_volunteer.choices = volunteer_choices(req.organisation_id)
    replaced_by = db.session.scalar(sa.select(Request).where(Request.replaces_id == req.id))
    return render_template(
        "requests/detail.html",
        req=req,
        shifts=shifts,
        form=CancelForm(),
        notes_form=notes_form,
        can_change=changes.change_refusal(req) is None,
        day_names=DAY_NAMES,
        priority_labels=PRIORITY_LABELS,
        replaced_by=replaced_by,
        unknown_languages=[c for c in req.languages or [] if c not in LANGUAGE_CODES],
        movable=lambda s: s.status not in FINAL and s.starts_at > utcnow(),
    )


@bp.route("/<int:request_id>/notes", methods=["POST"])
@coordinator_required
def notes(request_id: int) -> ResponseReturnValue:
    req = get_in_org_or_404(Request, request_id, current_user)
    form = NotesForm()
    form.preferred_volunteer.choices = volunteer_choices(req.organisation_id)
    if form.validate_on_submit():
        try:
            rops.set_coordination(req, form.priority.data, form.preferred_volunteer.data or None)
        except FieldError as err:
            show_error(form, err)
            return _detail_page(req, form)
        changes.change_notes(
            req,
            current_user,
            notes=(form.notes.data or "").strip() or None,
            wheelchair=form.wheelchair.data,
            escort=form.escort.data,
        )
        db.session.commit()
        flash(_("Saved. Volunteers already booked are told of new notes."), "success")
        return redirect(url_for("requests.detail", request_id=req.id))
    return _detail_page(req, form)


@bp.route("/<int:request_id>/cancel", methods=["POST"])
@coordinator_required
def cancel(request_id: int) -> ResponseReturnValue:
    req = get_in_org_or_404(Request, request_id, current_user)
    form = CancelForm()
    if form.validate_on_submit():
        n = rops.cancel_request(req, current_user, form.reason.data or None)
        db.session.commit()
        flash(_("Request cancelled (%(n)s future shifts).", n=n), "success")
    return redirect(url_for("requests.detail", request_id=req.id))


@bp.route("/settings", methods=["GET", "POST"])
@coordinator_required
def settings() -> ResponseReturnValue:
    row = settings_for(current_user.organisation_id)
    form = SettingsForm(obj=row)
    if form.validate_on_submit():
        fields = ("min_notice_days", "horizon_weeks", "travel_speed_kmh", "check_online_residents")
        before = snapshot(row, fields)
        row.min_notice_days = form.min_notice_days.data
        row.horizon_weeks = form.horizon_weeks.data
        row.travel_speed_kmh = float(form.travel_speed_kmh.data)
        row.checkin_tolerance_min = form.checkin_tolerance_min.data
        row.checkin_max_factor = float(form.checkin_max_factor.data)
        if form.max_ride_minutes.data is not None:  # empty: keep the current limit
            row.max_ride_minutes = form.max_ride_minutes.data
        try:
            set_resident_check(
                row, form.check_online_residents.data, form.understand_unchecked.data
            )
        except FieldError as err:
            show_error(form, err)
            return render_template("requests/settings.html", form=form)
        extend_horizon(current_user.organisation_id)  # a longer horizon takes effect now
        changes = diff(before, snapshot(row, fields))
        if changes:
            audit.record(
                "settings.changed",
                actor=current_user,
                organisation_id=current_user.organisation_id,
                target="settings:booking",
                changes=changes,
            )
        db.session.commit()
        flash(_("Booking rules saved."), "success")
        return redirect(url_for("requests.settings"))
    db.session.commit()  # the row may just have been created with the defaults
    return render_template("requests/settings.html", form=form)
