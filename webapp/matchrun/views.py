"""The coordinator's matcher pages: start a run, watch it, decide on its proposals."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.core.confirm import HANDFUL, Question, ask, confirmed
from webapp.core.errors import FieldError
from webapp.core.forms import attach_errors
from webapp.core.locks import begin_write
from webapp.core.navigation import add_nav
from webapp.core.timeutil import monday_of
from webapp.extensions import db
from webapp.matchrun import operations as ops
from webapp.matchrun import pins
from webapp.matchrun.forms import RunForm
from webapp.matchrun.launch import launch
from webapp.matchrun.models import MatchRun, RunScope, RunStatus
from webapp.matchrun.reasons import error_text, progress_text, reason_text
from webapp.orgs.settings import org_tz
from webapp.people.models import Person
from webapp.people.names import picker_labels
from webapp.permissions import coordinator_required, get_in_org_or_404, is_coordinator
from webapp.shifts.models import Shift

bp = Blueprint("matchrun", __name__, url_prefix="/match")
add_nav("matchrun.index", lambda: _l("Match"), is_coordinator, order=40, group="matching")


@bp.route("/", methods=["GET", "POST"])
@coordinator_required
def index() -> ResponseReturnValue:
    form = RunForm()
    if form.validate_on_submit():
        try:
            run = ops.start_run(
                current_user, form.date_from.data, form.date_to.data, RunScope(form.scope.data)
            )
        except FieldError as exc:
            attach_errors(form, exc)
        else:
            db.session.commit()
            launch(run.id)  # after the commit: the worker must see the row
            return redirect(url_for("matchrun.show", run_id=run.id))
    runs = db.session.scalars(
        sa.select(MatchRun)
        .where(MatchRun.organisation_id == current_user.organisation_id)
        .order_by(MatchRun.id.desc())
        .limit(10)
    ).all()
    return render_template("matchrun/index.html", form=form, runs=runs), (
        422 if form.errors else 200
    )


def _status(run: MatchRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "status": run.status.value,
        "progress": round(run.progress or 0.0, 3),
        "text": progress_text(run.progress_text),
        "finished": run.finished,
        "url": url_for("matchrun.show", run_id=run.id),
    }


@bp.route("/runs/<int:run_id>/status.json")
@coordinator_required
def status(run_id: int) -> ResponseReturnValue:
    run = get_in_org_or_404(MatchRun, run_id, current_user)
    if ops.expire_if_stale(run):
        db.session.commit()
    return jsonify(_status(run))


@bp.route("/runs/<int:run_id>")
@coordinator_required
def show(run_id: int) -> str:
    run = get_in_org_or_404(MatchRun, run_id, current_user)
    if ops.expire_if_stale(run):
        db.session.commit()
    if not run.finished:
        return render_template("matchrun/progress.html", run=run, state=_status(run))
    if run.status == RunStatus.FAILED:
        return render_template("matchrun/failed.html", run=run, message=error_text(run.error))
    return render_template("matchrun/results.html", run=run, parts=_parts(run))


def _parts(run: MatchRun) -> list[dict[str, Any]]:
    """What the results page shows, per part (visits, rides), with names looked up now."""
    tz = org_tz(run.organisation_id)
    out = []
    for key, data in (run.results or {}).items():
        ids = {p["shift_id"] for p in data["proposals"]} | {u["shift_id"] for u in data["unserved"]}
        ids |= {s["shift_id"] for p in data["proposals"] for s in p.get("stops", [])}
        shifts = {s.id: s for s in db.session.scalars(sa.select(Shift).where(Shift.id.in_(ids)))}
        pids = {v["person_id"] for p in data["proposals"] for v in p["volunteers"]}
        people = {p.id: p for p in db.session.scalars(sa.select(Person).where(Person.id.in_(pids)))}
        baseline_unserved = set(data["baseline"].get("unserved", []))
        pool = pins.candidates(run.organisation_id, ride=key == "rides")
        rows = []
        for p in data["proposals"]:
            shift = shifts.get(p["shift_id"])
            if shift is None:
                continue
            decision = (run.decisions or {}).get(str(p["shift_id"]))
            open_ = not (decision or p.get("fixed"))
            rows.append(
                {
                    "p": p,
                    "shift": shift,
                    "start": datetime.fromisoformat(p["start"]).astimezone(tz),
                    "end": datetime.fromisoformat(p["end"]).astimezone(tz),
                    "decision": decision,
                    "first_come_unfilled": p["shift_id"] in baseline_unserved,
                    "volunteers": [
                        dict(
                            v,
                            person=people.get(v["person_id"]),
                            slot_text=_slot(v, tz),
                            over_hours=_over_hours(v, people.get(v["person_id"]), shift)
                            if open_
                            else None,
                        )
                        for v in p["volunteers"]
                    ],
                    "choices": _labelled(pins.eligible_for(shift, pool))
                    if _pinnable(run, p, shift) and p["kind"] != "route"
                    else [],
                    "stops": route_stops(p.get("stops", []), shifts, tz),
                }
            )
        unserved = []
        for u in data["unserved"]:
            shift = shifts.get(u["shift_id"])
            if shift is None:
                continue
            unserved.append(
                {
                    "shift": shift,
                    "reason": reason_text(u["reason"]),
                    "start": shift.starts_at.astimezone(tz),
                    "first_come_filled": u["shift_id"] not in baseline_unserved,
                    "choices": _labelled(pins.eligible_for(shift, pool))
                    if shift.seats == 1 and shift.status.value == "open"
                    else [],
                }
            )
        out.append(
            {
                "key": key,
                "rows": rows,
                "unserved": unserved,
                "solver": data["solver"],
                "baseline": data["baseline"],
                "dropped_pins": [
                    dict(d, reason=reason_text(d["reason"])) for d in data.get("dropped_pins", [])
                ],
                "check_errors": data.get("check_errors", []),
                "total": data.get("visits_total", data.get("rides_total", 0)),
            }
        )
    return out


def route_stops(
    stops: list[dict[str, Any]], shifts: dict[int, Shift], tz: ZoneInfo
) -> list[dict[str, Any]]:
    """A shared ride's stops in order: time, pick up or drop off, whom, where."""
    out = []
    for stop in stops:
        leg = shifts.get(stop["shift_id"])
        if leg is None:
            continue
        pickup = stop["kind"] == "pickup"
        out.append(
            {
                "at": datetime.fromisoformat(stop["at"]).astimezone(tz),
                "pickup": pickup,
                "shift": leg,
                "address": leg.start_address if pickup else leg.end_address,
            }
        )
    return out


def _over_hours(v: dict[str, Any], person: Person | None, shift: Shift) -> Any:
    """The warning for a volunteer whose week in this run goes past their weekly hours
    (in practice a pin: the solver itself keeps within them), else ``None``. Approval
    would refuse it in the same words; the pin stays, the coordinator decides."""
    load, limit = v.get("load_week_min", 0), v.get("week_limit_min")
    if person is None or limit is None or load <= limit:
        return None
    return ops.over_hours(person, monday_of(shift.occurrence_date), load, limit)


def _labelled(people: list[Person]) -> list[tuple[int, str]]:
    return list(picker_labels(people).items())


def _pinnable(run: MatchRun, p: dict[str, Any], shift: Shift) -> bool:
    return (
        not p.get("fixed")
        and not (run.decisions or {}).get(str(p["shift_id"]))
        and shift.status.value == "open"
    )


def _slot(v: dict[str, Any], tz: ZoneInfo) -> str:
    if not v.get("slot"):
        return ""
    a, b = (datetime.fromisoformat(x).astimezone(tz) for x in v["slot"])
    return f"{a:%H:%M}–{b:%H:%M}"


def _open_proposals(run: MatchRun, part: str) -> list[dict[str, Any]]:
    """The proposals of one part of the run still waiting for a decision."""
    decisions = run.decisions or {}
    return [
        p
        for p in (run.results or {}).get(part, {}).get("proposals", [])
        if not p.get("fixed") and str(p["shift_id"]) not in decisions
    ]


def _part_name(part: str) -> str:
    return _("Home visits") if part == "visits" else _("Rides")


def _ask_to_approve(run: MatchRun, picked: list[int], part: str | None) -> ResponseReturnValue:
    """More than a handful in one click: say how many shifts and volunteers, ask once."""
    props = [
        p
        for data in (run.results or {}).values()
        for p in data.get("proposals", [])
        if p["shift_id"] in set(picked)
    ]
    people = {v["person_id"] for p in props for v in p["volunteers"]}
    details = [_("%(n)s volunteers will be told by message.", n=len(people))]
    if part:
        details.insert(0, _("Only the %(part)s part of this run.", part=_part_name(part)))
    return ask(
        Question(
            title=_("Approve %(n)s proposals?", n=len(picked)),
            question=_(
                "This approves %(n)s proposals at once: each shift gets its volunteers.",
                n=len(picked),
            ),
            details=details,
            action=url_for("matchrun.decide", run_id=run.id),
            back=url_for("matchrun.show", run_id=run.id),
            yes=_("Yes, approve %(n)s", n=len(picked)),
            no=_("No, go back"),
            fields=[("action", "approve")] + [("shift_id", str(i)) for i in picked],
        )
    )


@bp.route("/runs/<int:run_id>/decide", methods=["POST"])
@coordinator_required
def decide(run_id: int) -> ResponseReturnValue:
    run = get_in_org_or_404(MatchRun, run_id, current_user)
    action = request.form.get("action", "")
    picked = [int(x) for x in request.form.getlist("shift_id") if x.isdigit()]
    part = None
    if action == "approve_all":
        # "Approve all" sits under one part (visits or rides) and means that part only.
        part = request.form.get("part", "")
        if part not in (run.results or {}):
            flash(_("Please use the button under the part you want to approve."), "error")
            return redirect(url_for("matchrun.show", run_id=run.id))
        picked = [p["shift_id"] for p in _open_proposals(run, part)]
    if not picked:
        flash(_("Please tick at least one proposal."), "error")
        return redirect(url_for("matchrun.show", run_id=run.id))
    if action in ("approve", "approve_all") and len(picked) > HANDFUL and not confirmed():
        return _ask_to_approve(run, picked, part)
    try:
        if action in ("approve", "approve_all"):
            begin_write(Shift)  # SQLite: take the write lock before reading seats
            run = get_in_org_or_404(MatchRun, run_id, current_user)
            done, problems = ops.approve(run, picked, current_user)
            db.session.commit()
            if done:
                flash(
                    _(
                        "%(n)s proposals approved: the volunteers see them in their shifts.",
                        n=len(done),
                    ),
                    "success",
                )
            for sid, message in problems:
                flash(
                    _("Shift %(id)s could not be approved: %(why)s", id=sid, why=message), "error"
                )
        elif action == "reject":
            done = ops.reject(run, picked)
            db.session.commit()
            flash(_("%(n)s proposals turned down; those shifts stay open.", n=len(done)), "success")
        else:
            flash(_("Unknown action."), "error")
    except FieldError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    return redirect(url_for("matchrun.show", run_id=run.id))


@bp.route("/runs/<int:run_id>/split", methods=["POST"])
@coordinator_required
def split(run_id: int) -> ResponseReturnValue:
    """Split a proposed shared ride: solve again with each of its passengers on their own."""
    run = get_in_org_or_404(MatchRun, run_id, current_user)
    shift_id = request.form.get("shift_id", "")
    try:
        if not shift_id.isdigit():
            raise FieldError("shift", _("This is not a shared ride."))
        new = pins.split_and_resolve(run, int(shift_id), current_user)
    except FieldError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("matchrun.show", run_id=run.id))
    db.session.commit()
    launch(new.id)
    flash(_("Shared ride split. Solving again with each passenger on their own…"), "success")
    return redirect(url_for("matchrun.show", run_id=new.id))


@bp.route("/runs/<int:run_id>/pin", methods=["POST"])
@coordinator_required
def pin(run_id: int) -> ResponseReturnValue:
    run = get_in_org_or_404(MatchRun, run_id, current_user)
    shift_id = request.form.get("shift_id", "")
    person_id = request.form.get("person_id", "")
    if not (shift_id.isdigit() and person_id.isdigit()):
        flash(_("Please choose a volunteer to pin."), "error")
        return redirect(url_for("matchrun.show", run_id=run.id))
    try:
        new = pins.pin_and_resolve(run, int(shift_id), int(person_id), current_user)
    except FieldError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("matchrun.show", run_id=run.id))
    db.session.commit()
    launch(new.id)
    flash(_("Volunteer pinned. Solving again with your choices kept…"), "success")
    return redirect(url_for("matchrun.show", run_id=new.id))
