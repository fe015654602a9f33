"""Coordinator pages: one shift's actions, run sheets (the day and week: calendar_views)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from webapp.core.confirm import Question, ask, confirmed
from webapp.core.errors import FieldError
from webapp.core.locks import begin_write
from webapp.core.timeutil import at_local
from webapp.db import utcnow
from webapp.extensions import db
from webapp.orgs.settings import org_tz, settings_for
from webapp.people.access import get_person_or_404
from webapp.people.models import Person
from webapp.people.names import picker_labels
from webapp.permissions import coordinator_required
from webapp.shifts import operations as ops
from webapp.shifts import questions
from webapp.shifts.access import get_shift_or_404
from webapp.shifts.calendar_views import day_arg
from webapp.shifts.eligibility import conflict, ineligibility
from webapp.shifts.forms import ActionForm, AssignForm, NoShowForm, ReasonForm, options
from webapp.shifts.legs import group_of
from webapp.shifts.models import Assignment, CheckIn, NoShowSide, Shift, ShiftStatus
from webapp.shifts.outcomes import UNDO_DAYS, undo_window_ends
from webapp.shifts.views import bp

S = ShiftStatus

FILTER_FROM = 8  # a longer list of volunteers gets a search box above it


def searchable_choices(people: list[Person]) -> list[SelectChoice]:
    """The picker's options, each carrying the phone and neighbourhood that the search
    box above the list matches (static/js/filter_select.js)."""
    labels = picker_labels(people)
    return [
        SelectChoice(p.id, labels[p.id],
                     render_kw={"data-search": f"{p.phone or ''} {p.neighbourhood or ''}"})
        for p in people
    ]  # fmt: skip


def _candidates(shift: Shift) -> list[tuple[Person, str | None]]:
    """Every volunteer of the organisation with the reason they cannot take ``shift``."""
    legs = group_of(shift)
    speed = settings_for(shift.organisation_id).travel_speed_kmh
    people = db.session.scalars(
        sa.select(Person)
        .where(Person.organisation_id == shift.organisation_id, Person.is_volunteer.is_(True))
        .order_by(Person.first_name, Person.last_name)
    ).all()
    out = []
    for p in people:
        if p.id in shift.volunteer_ids:
            continue
        reason = next((r for r in (ineligibility(p, leg) for leg in legs) if r), None)
        out.append((p, reason or conflict(p, legs, speed)))
    return out


@bp.route("/<int:shift_id>/manage")
@coordinator_required
def manage(shift_id: int) -> str:
    shift = get_shift_or_404(shift_id)
    legs = group_of(shift)
    candidates = _candidates(shift)
    assign_form = AssignForm()
    free = [p for p, r in candidates if r is None]
    assign_form.volunteer.choices = searchable_choices(free)
    if len(free) > FILTER_FROM:
        assign_form.volunteer.render_kw = {"data-filter": _("Find a volunteer")}
    assign_form.replace.choices = options(
        [(0, "—")] + [(a.volunteer_id, a.volunteer.full_name) for a in shift.assignments]
    )
    return render_template(
        "shifts/manage.html",
        shift=shift,
        legs=legs,
        candidates=candidates,
        assign_form=assign_form,
        form=ActionForm(),
        reason_form=ReasonForm(),
        noshow_form=NoShowForm(),
        undo_until=undo_window_ends(shift),
        undo_days=UNDO_DAYS,
        checkins=db.session.query(CheckIn).filter(CheckIn.shift_id.in_([x.id for x in legs])).all(),
        now=utcnow(),
    )


def _act(
    shift_id: int,
    action: Callable[[Shift, Any], object],
    form: FlaskForm | None = None,
    success: str | None = None,
) -> ResponseReturnValue:
    shift = get_shift_or_404(shift_id)  # first: another organisation's id is 404
    form = form or ActionForm()
    if not form.validate_on_submit():
        flash(
            _("Please check the form: %(e)s", e="; ".join(str(v) for v in form.errors.values())),
            "error",
        )
        return redirect(url_for("shifts.manage", shift_id=shift_id))
    try:
        action(shift, form)
    except FieldError as err:
        _fail(err)
    else:
        db.session.commit()
        flash(success or _("Saved."), "success")
    return redirect(url_for("shifts.manage", shift_id=shift_id))


def _fail(err: FieldError) -> None:
    db.session.rollback()
    flash(str(err.message), "error")


@bp.route("/<int:shift_id>/approve", methods=["POST"])
@coordinator_required
def approve(shift_id: int) -> ResponseReturnValue:
    return _act(shift_id, lambda s, f: ops.approve(s, current_user), success=_("Approved."))


@bp.route("/<int:shift_id>/reject", methods=["POST"])
@coordinator_required
def reject(shift_id: int) -> ResponseReturnValue:
    return _act(
        shift_id, lambda s, f: ops.reject(s, current_user, f.reason.data), ReasonForm(),
        _("Turned down; the shift is open again."),
    )  # fmt: skip


@bp.route("/<int:shift_id>/assign", methods=["POST"])
@coordinator_required
def assign(shift_id: int) -> ResponseReturnValue:
    form = AssignForm()
    shift = get_shift_or_404(shift_id)
    # Every volunteer is a valid choice here: the operation gives the reason if not allowed.
    form.volunteer.choices = options(picker_labels(p for p, _r in _candidates(shift)).items())
    form.replace.choices = options([(0, "—")] + [(a.volunteer_id, "") for a in shift.assignments])

    def do(s: Shift, f: AssignForm) -> None:
        person = get_person_or_404(f.volunteer.data, current_user, manage=True)
        old = (
            get_person_or_404(f.replace.data, current_user, manage=True) if f.replace.data else None
        )
        begin_write(Shift)
        s = get_shift_or_404(shift_id)
        ops.assign(s, person, current_user, replace=old)

    return _act(shift_id, do, form, _("Assigned."))


def _ask(
    shift_id: int, form: FlaskForm, check: Callable[[Shift], list[Shift]],
    question: Callable[[list[Shift]], Question],
) -> ResponseReturnValue | None:
    """A final action asks once: when the form is good and the action allowed, the
    question page (None: go on, the answer was yes or the form will explain itself)."""
    if confirmed() or not form.validate_on_submit():
        return None
    shift = get_shift_or_404(shift_id)
    try:
        legs = check(shift)
    except FieldError as err:
        _fail(err)
        return redirect(url_for("shifts.manage", shift_id=shift_id))
    return ask(question(legs))


@bp.route("/<int:shift_id>/cancel", methods=["POST"])
@coordinator_required
def cancel(shift_id: int) -> ResponseReturnValue:
    return _ask(shift_id, ReasonForm(), ops.check_cancel, questions.cancel) or _act(
        shift_id, lambda s, f: ops.cancel(s, current_user, f.reason.data or "cancelled"),
        ReasonForm(), _("Cancelled; the volunteers are told."),
    )  # fmt: skip


@bp.route("/<int:shift_id>/no-show", methods=["POST"])
@coordinator_required
def no_show(shift_id: int) -> ResponseReturnValue:
    side = request.form.get("side", "")
    return _ask(
        shift_id, NoShowForm(), ops.check_no_show, lambda legs: questions.no_show(legs, side)
    ) or _act(
        shift_id,
        lambda s, f: ops.record_no_show(s, NoShowSide(f.side.data), current_user, f.reason.data),
        NoShowForm(),
        _("No-show recorded. You can undo it for %(days)s days.", days=UNDO_DAYS),
    )


@bp.route("/<int:shift_id>/complete", methods=["POST"])
@coordinator_required
def complete(shift_id: int) -> ResponseReturnValue:
    return _ask(shift_id, ActionForm(), ops.check_complete, questions.complete) or _act(
        shift_id, lambda s, f: ops.complete(s, current_user), success=_("Marked as done.")
    )


def _stops(day: date, driver_ids: list[int] | None = None) -> dict[int, list[Shift]]:
    """Booked shifts of ``day`` by volunteer (in time order); ``driver_ids`` None: every
    volunteer with a ride leg that day."""
    tz = org_tz(current_user.organisation_id)
    query = (
        sa.select(Assignment.volunteer_id, Shift)
        .join(Assignment, Assignment.shift_id == Shift.id)
        .where(
            Shift.organisation_id == current_user.organisation_id,
            Shift.status.in_((S.APPROVED, S.CONFIRMED, S.COMPLETED)),
            Shift.starts_at >= at_local(day, datetime.min.time(), tz),
            Shift.starts_at < at_local(day + timedelta(days=1), datetime.min.time(), tz),
        )
        .order_by(Shift.starts_at, Shift.id)
    )
    if driver_ids is not None:
        query = query.where(Assignment.volunteer_id.in_(driver_ids))
    out: dict[int, list[Shift]] = {}
    for person_id, shift in db.session.execute(query):
        out.setdefault(person_id, []).append(shift)
    if driver_ids is None:  # a run sheet is for drivers: someone with a ride that day
        out = {k: v for k, v in out.items() if any(s.kind.is_ride for s in v)}
    return out


@bp.route("/runsheet/<int:person_id>")
@coordinator_required
def runsheet(person_id: int) -> str:
    driver = get_person_or_404(person_id, current_user, manage=True)
    if not driver.is_volunteer:
        abort(404)
    the_day = day_arg()
    stops = _stops(the_day, [driver.id]).get(driver.id, [])
    return render_template(
        "shifts/runsheet.html", sheets=[(driver, stops)], day=the_day, single=True
    )


@bp.route("/runsheets")
@coordinator_required
def runsheets() -> str:
    """Every driver's run sheet of the day, one printed page each."""
    the_day = day_arg()
    by_driver = _stops(the_day)
    people = {
        p.id: p for p in db.session.scalars(sa.select(Person).where(Person.id.in_(list(by_driver))))
    }
    sheets = sorted(
        ((people[pid], stops) for pid, stops in by_driver.items()),
        key=lambda sheet: (sheet[1][0].starts_at, sheet[0].last_name),
    )
    return render_template(
        "shifts/runsheet.html",
        sheets=sheets,
        day=the_day,
        single=False,
        prev=the_day - timedelta(days=1),
        next=the_day + timedelta(days=1),
    )
