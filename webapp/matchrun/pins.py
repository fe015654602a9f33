"""Pins and splits: the coordinator fixes a volunteer on a proposal, or books a shared
ride's passengers apart, and the run is solved again with the earlier pins kept."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from matching.common.geo import haversine_km
from webapp.auth.models import User
from webapp.core.errors import FieldError
from webapp.extensions import db
from webapp.matchrun import operations as ops
from webapp.matchrun.convert import visit_volunteers
from webapp.matchrun.models import MatchRun
from webapp.matchrun.ride_inputs import drivers_of
from webapp.people.models import Person
from webapp.places.geocoding import Point, point
from webapp.shifts.eligibility import ineligibility
from webapp.shifts.legs import group_of
from webapp.shifts.models import Shift, ShiftStatus


def candidates(org_id: int, ride: bool) -> list[Person]:
    """Everyone who might be pinned to a visit (or a ride), loaded once per page."""
    return drivers_of(org_id) if ride else visit_volunteers(org_id)


def eligible_for(shift: Shift, people: list[Person] | None = None) -> list[Person]:
    """Volunteers the coordinator may pin to ``shift`` (the shifts feature's rules).

    A quick great-circle test skips people clearly beyond their radius first (the rules
    then measure the geodesic exactly); it matters on a page with hundreds of rows."""
    legs = group_of(shift) if shift.kind.is_ride else [shift]
    if people is None:
        people = candidates(shift.organisation_id, shift.kind.is_ride)
    out = []
    where = point(shift.start_lat, shift.start_lon)
    for p in people:
        home = point(p.lat, p.lon)
        if (
            where is not None
            and home is not None
            and _rough_km(home, where) > p.volunteer.max_km * 1.01 + 0.1
        ):
            continue
        if all(ineligibility(p, leg) is None for leg in legs):
            out.append(p)
    return out


def _rough_km(a: Point, b: Point) -> float:
    return haversine_km(a, b)


def pin_and_resolve(run: MatchRun, shift_id: int, person_id: int, actor: User) -> MatchRun:
    """A new run like ``run`` with ``person`` fixed on ``shift`` (plus the earlier pins)."""
    ops.check_open(run)
    shift = db.session.get(Shift, shift_id)
    if shift is None or shift.organisation_id != run.organisation_id:
        raise FieldError("volunteer", _l("This shift no longer exists."))
    if shift.status != ShiftStatus.OPEN:
        raise FieldError("volunteer", _l("This shift is no longer open."))
    if not (run.date_from <= shift.occurrence_date <= run.date_to):
        raise FieldError("volunteer", _l("This shift is outside the dates of this run."))
    person = db.session.get(Person, person_id)
    if person is None or person not in eligible_for(shift):
        raise FieldError("volunteer", _l("This volunteer cannot take this shift."))
    p = ops.proposal(run, shift_id)
    people = [person_id]
    if shift.seats == 2:
        partner = [
            v["person_id"] for v in (p or {}).get("volunteers", []) if v["person_id"] != person_id
        ][:1]
        if not partner:
            raise FieldError(
                "volunteer",
                _l("This visit needs two volunteers: approve or assign them on the shift itself."),
            )
        people += partner
    if p is not None and person_id in [v["person_id"] for v in p["volunteers"]]:
        start = p["start"]  # the time the solver gave this volunteer
    else:
        start = shift.starts_at.isoformat()
    kind = "ride" if shift.kind.is_ride else "visit"
    pins: dict[str, dict[str, Any]] = {
        **run.pins,
        str(shift_id): {
            "people": people,
            "start": start,
            "kind": kind,
            "date": shift.occurrence_date.isoformat(),
        },
    }
    return ops.start_run(
        actor,
        run.date_from,
        run.date_to,
        run.scope,
        pins=pins,
        parent=run,
        seed=run.seed,
        time_limit_s=run.time_limit_s,
        no_share=run.no_share,
    )


def split_and_resolve(run: MatchRun, shift_id: int, actor: User) -> MatchRun:
    """A new run like ``run`` in which the passengers of the shared ride ``shift_id``
    proposed are not shared (each ride on its own), plus the earlier pins and splits."""
    ops.check_open(run)
    p = ops.proposal(run, shift_id)
    if p is None or p.get("kind") != "route":
        raise FieldError("shift", _l("This is not a shared ride."))
    return ops.start_run(
        actor,
        run.date_from,
        run.date_to,
        run.scope,
        pins=run.pins,
        parent=run,
        seed=run.seed,
        time_limit_s=run.time_limit_s,
        no_share=[*run.no_share, *p["groups"]],
    )
