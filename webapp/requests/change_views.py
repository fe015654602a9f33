"""Changing a request's when or where, from its page (coordinators) or from *My visits and
rides* (the resident). The creation forms are reused, prefilled with the request.

A change of when or where is ``changes.reschedule``: the old request's future shifts
are cancelled (the volunteers told) and a new request takes its place. A change of only
the notes (or wheelchair, escort) keeps the shifts; no change at all touches nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from webapp.core.errors import FieldError
from webapp.extensions import db
from webapp.orgs.settings import org_tz
from webapp.people.forms import PinForm
from webapp.permissions import (
    can_change_request,
    coordinator_required,
    get_in_org_or_404,
    is_coordinator,
    is_resident,
    require,
)
from webapp.places.geocoding import point
from webapp.places.maps import MapPerson, leaflet_installed, map_data
from webapp.requests import changes, destinations, occurrences
from webapp.requests import operations as rops
from webapp.requests.drafts import PARTS, coordinator_draft, ride_fields
from webapp.requests.forms import (
    CancelForm,
    CoordinatorChangeForm,
    MoveForm,
    ResidentRideForm,
    ResidentVisitForm,
    window_data,
)
from webapp.requests.models import Request, RequestKind, RidePurpose
from webapp.requests.views import bp, destination_map, show_error, volunteer_choices
from webapp.shifts import operations as shift_ops
from webapp.shifts.access import get_shift_or_404
from webapp.shifts.legs import group_of
from webapp.shifts.models import Shift
from webapp.shifts.transitions import FINAL


@bp.route("/<int:request_id>/change", methods=["GET", "POST"])
@require(lambda user: is_coordinator(user) or is_resident(user))
def change(request_id: int) -> ResponseReturnValue:
    req = get_in_org_or_404(Request, request_id, current_user)
    if not can_change_request(current_user, req):
        abort(403)
    coordinator = is_coordinator(current_user)
    back = (
        url_for("requests.detail", request_id=req.id) if coordinator else url_for("requests.mine")
    )
    refusal = changes.change_refusal(req)
    if refusal is not None:
        flash(str(refusal), "error")
        return redirect(back)
    base = changes.draft_from_request(req)
    if coordinator:
        form_class, prefill, template = CoordinatorChangeForm, _coordinator_data, "new.html"
    elif req.kind == RequestKind.VISIT:
        form_class, prefill, template = ResidentVisitForm, _visit_data, "help_visit.html"
    else:
        form_class, prefill, template = ResidentRideForm, _ride_data, "help_ride.html"
    # What is sent overrides the prefill; the other kind's fields (not on the page) keep
    # the request's values. Unticked boxes that are on the page are sent as nothing: False.
    form = form_class(data=prefill(base))
    if coordinator:
        form.preferred_volunteer.choices = volunteer_choices(req.organisation_id)
    if form.validate_on_submit():
        try:
            draft = _draft(form, base, req.kind, coordinator)
            what = changes.what_changes(req, draft)
            coordination = what != "plan" and rops.set_coordination(
                req, draft.priority, draft.preferred_volunteer_id
            )
            if what == "nothing" and coordination:
                db.session.commit()
                flash(_("Saved. The shifts stay as they were."), "success")
                return redirect(back)
            if what == "nothing":
                flash(_("Nothing changed, so the shifts stay as they were."), "info")
                return redirect(back)
            if what == "notes":
                ride = req.kind == RequestKind.RIDE
                changes.change_notes(
                    req,
                    current_user,
                    notes=(draft.notes or "").strip() or None,
                    wheelchair=draft.wheelchair if ride else None,
                    escort=draft.escort if ride else None,
                )
                db.session.commit()
                flash(
                    _("Saved. The day and time stay; volunteers already booked are told."),
                    "success",
                )
                return redirect(back)
            new = changes.reschedule(req, draft, current_user)
        except FieldError as err:
            show_error(form, err)  # rolls back: the old shifts are not cancelled
        else:
            db.session.commit()
            if coordinator:
                flash(
                    _(
                        "Changed. The old request's future shifts were cancelled and their "
                        "volunteers were told. This is the new request."
                    ),
                    "success",
                )
                return redirect(url_for("requests.detail", request_id=new.id))
            flash(
                _(
                    "Changed. The old dates were cancelled and any volunteer who was coming "
                    "has been told."
                ),
                "success",
            )
            return redirect(url_for("requests.done", request_id=new.id))
    extra = destination_map(req.organisation_id, form) if coordinator else {}
    return render_template(f"requests/{template}", form=form, req=req, **extra)


def _draft(form: FlaskForm, base: rops.Draft, kind: RequestKind, coordinator: bool) -> rops.Draft:
    if coordinator:
        return coordinator_draft(form, kind)
    if kind == RequestKind.VISIT:
        day = form.start_date.data
        windows = base.windows
        same_slot = form.part_of_day.data == _part_of_day(base) and day.weekday() in {
            wd for wd, _s, _e in base.windows
        }
        if not same_slot:  # the resident chose another day or time of day
            start, end = PARTS[form.part_of_day.data]
            windows = [(day.weekday(), start, end)]
        return replace(
            base,
            start_date=day,
            windows=windows,
            recurring=form.recurring.data,
            end_date=form.end_date.data,
            notes=form.notes.data,
            confirm_far_date=form.confirm_far_date.data,
        )
    return replace(
        base, stay_minutes=base.stay_minutes or 60, allow_unplaced=True, **ride_fields(form)
    )


def _part_of_day(d: rops.Draft) -> str:
    return "morning" if d.windows and d.windows[0][1] < time(12) else "afternoon"


def _coordinator_data(d: rops.Draft) -> dict[str, Any]:
    return {
        "start_date": d.start_date,
        "recurring": d.recurring,
        "end_date": d.end_date,
        **window_data(d.windows),
        "duration_minutes": d.duration_minutes,
        "two_volunteers": d.two_volunteers,
        "languages": list(d.languages),
        "gender_preference": d.gender_preference or "",
        "interests": list(d.interests),
        "priority": d.priority,
        "preferred_volunteer": d.preferred_volunteer_id or 0,
        "appointment_time": d.appointment_time,
        "pickup_address": d.pickup_address,
        "destination_name": d.destination_name,
        "destination_address": d.destination_address,
        "purpose": (d.purpose or RidePurpose.OTHER).value,
        "return_wanted": d.return_wanted,
        "stay_minutes": d.stay_minutes,
        "passengers": d.passengers,
        "wheelchair": d.wheelchair,
        "escort": d.escort,
        "notes": d.notes,
    }


def _visit_data(d: rops.Draft) -> dict[str, Any]:
    return {
        "start_date": d.start_date,
        "part_of_day": _part_of_day(d),
        "recurring": d.recurring,
        "end_date": d.end_date,
        "notes": d.notes,
    }


def _ride_data(d: rops.Draft) -> dict[str, Any]:
    back = None
    if d.return_wanted and d.stay_minutes and d.appointment_time:
        back = (
            datetime.combine(date.min, d.appointment_time) + timedelta(minutes=d.stay_minutes)
        ).time()
    return {
        "start_date": d.start_date,
        "appointment_time": d.appointment_time,
        "destination_name": d.destination_name,
        "destination_address": d.destination_address,
        "purpose": (d.purpose or RidePurpose.OTHER).value,
        "return_wanted": d.return_wanted,
        "return_time": back,
        "wheelchair": d.wheelchair,
        "escort": d.escort,
        "notes": d.notes,
    }


# --- one occurrence of a series (coordinators) ---------------------------------------


def _occurrence_or_404(request_id: int, shift_id: int) -> tuple[Request, Shift]:
    req = get_in_org_or_404(Request, request_id, current_user)
    shift = get_shift_or_404(shift_id)
    if shift.request_id != req.id:
        abort(404)
    return req, shift


@bp.route("/<int:request_id>/occurrences/<int:shift_id>", methods=["GET", "POST"])
@coordinator_required
def move_occurrence(request_id: int, shift_id: int) -> ResponseReturnValue:
    """Move this date only (or cancel it); the rest of the series stays."""
    req, shift = _occurrence_or_404(request_id, shift_id)
    legs = group_of(shift)
    tz = org_tz(req.organisation_id)
    form = MoveForm(
        data={
            "date": legs[0].starts_at.astimezone(tz).date()
            if not legs[0].kind.is_ride
            else legs[0].ends_at.astimezone(tz).date(),
            "time": occurrences.current_time(legs),
        }
    )
    if form.validate_on_submit():
        try:
            occurrences.move_occurrence(
                shift, form.date.data, form.time.data, current_user, form.reason.data,
                confirm_far_date=form.confirm_far_date.data,
            )
        except FieldError as err:
            show_error(form, err)
        else:
            db.session.commit()
            flash(
                _(
                    "Moved. The rest of the series stays as it was; volunteers who can "
                    "still come keep the date and are told, the others are released."
                ),
                "success",
            )
            return redirect(url_for("requests.detail", request_id=req.id))
    return render_template(
        "requests/move.html",
        req=req,
        legs=legs,
        form=form,
        cancel_form=CancelForm(),
        final=any(leg.status in FINAL for leg in legs),
    )


@bp.route("/<int:request_id>/occurrences/<int:shift_id>/cancel", methods=["POST"])
@coordinator_required
def cancel_occurrence(request_id: int, shift_id: int) -> ResponseReturnValue:
    req, shift = _occurrence_or_404(request_id, shift_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            shift_ops.cancel(shift, current_user, form.reason.data or "this date cancelled")
        except FieldError as err:
            db.session.rollback()
            flash(str(err.message), "error")
        else:
            db.session.commit()
            flash(_("This date is cancelled; the rest of the series stays."), "success")
    return redirect(url_for("requests.detail", request_id=req.id))


@bp.route("/<int:request_id>/destination", methods=["GET", "POST"])
@coordinator_required
def destination(request_id: int) -> ResponseReturnValue:
    """Place or correct a ride's destination on the map."""
    req = get_in_org_or_404(Request, request_id, current_user)
    if req.kind != RequestKind.RIDE:
        abort(404)
    form = PinForm(data={"lat": req.destination_lat, "lon": req.destination_lon})
    if form.validate_on_submit():
        try:
            destinations.place_destination(req, form.lat.data, form.lon.data, current_user)
        except FieldError as err:
            show_error(form, err)
        else:
            db.session.commit()
            flash(
                _("The destination is on the map; the next booking there will find it."), "success"
            )
            return redirect(url_for("requests.detail", request_id=req.id))
    pin = point(req.destination_lat, req.destination_lon)
    home = point(req.pickup_lat, req.pickup_lon)
    people = []
    if home is not None and req.resident is not None:
        people.append(MapPerson(home[0], home[1], req.resident.full_name, "resident"))
    return render_template(
        "requests/destination.html",
        req=req,
        form=form,
        map=map_data(req.organisation_id, pin=pin, people=people),
        leaflet=leaflet_installed(),
    )
