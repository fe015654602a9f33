"""Match-run workflows: start a run, approve, reject (pins: ``pins.py``; solving it:
``launch.py``).

Operations flush, the view commits once. Approval goes through the shifts feature's own
operations (``assign``: open -> approved through its transition table), which re-check
eligibility and overlaps against the world as it is now, then checks each volunteer's
weekly hours (the shifts they hold that week, the proposals approved just before
included); a proposal that no longer fits is reported with the reason, and nothing of
it is written.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from webapp.auth.models import User
from webapp.core.dates import reader_date
from webapp.core.errors import FieldError
from webapp.core.locks import begin_write, is_postgres
from webapp.core.timeutil import monday_of
from webapp.db import utcnow
from webapp.extensions import db
from webapp.matchrun.hours import held_minutes, weekly_minutes
from webapp.matchrun.models import MatchRun, RunScope, RunStatus
from webapp.orgs.models import Organisation
from webapp.people.models import Person
from webapp.shifts import operations as shift_ops
from webapp.shifts.models import RideRoute, Shift, ShiftEvent, ShiftStatus

ROUTE_SERVICE_MIN = 5  # the solver's boarding time at a drop-off (``Ride.service_min``)
MAX_DAYS = 31  # a month: enough to plan ahead, small enough to solve in seconds
QUEUE_WAIT = timedelta(hours=1)  # a queued run's turn may come after other organisations'


def start_run(
    user: User,
    date_from: date,
    date_to: date,
    scope: RunScope,
    *,
    today: date | None = None,
    pins: dict[str, dict[str, Any]] | None = None,
    parent: MatchRun | None = None,
    seed: int = 0,
    time_limit_s: float | None = None,
    no_share: list[int] | None = None,
) -> MatchRun:
    """Record a queued run (the view commits, then calls ``launch.launch``)."""
    today = today or date.today()
    if date_to < date_from:
        raise FieldError("date_to", _l("The last day must not be before the first day."))
    if date_to < today:
        raise FieldError("date_to", _l("This range is in the past: nothing to match."))
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise FieldError("date_to", _l("Please pick at most %(n)s days.", n=MAX_DAYS))
    _check_room(user.organisation_id)
    limit = time_limit_s or float(current_app.config.get("MATCHRUN_TIME_LIMIT_S", 10.0))
    run = MatchRun(
        organisation_id=user.organisation_id,
        created_by_id=user.id,
        scope=scope,
        date_from=date_from,
        date_to=date_to,
        status=RunStatus.QUEUED,
        seed=seed,
        time_limit_s=limit,
        params={"pins": pins or {}, "no_share": sorted(set(no_share or []))},
        parent_id=parent.id if parent else None,
        decisions={},
        progress=0.0,
        progress_text="queued",
    )
    db.session.add(run)
    db.session.flush()
    return run


def _check_room(org_id: int | None) -> None:
    """At most ``MATCH_RUNS_PER_ORGANISATION`` runs queued or running per organisation:
    each is a solver process, and a few presses (or a script) must not fill the server.
    The organisation's row is locked (PostgreSQL; SQLite takes its write lock), so two
    presses at once cannot both see room for one."""
    begin_write(MatchRun)
    if is_postgres():
        db.session.execute(
            sa.select(Organisation.id).where(Organisation.id == org_id).with_for_update()
        )
    active = db.session.scalars(
        sa.select(MatchRun).where(
            MatchRun.organisation_id == org_id,
            MatchRun.status.in_((RunStatus.QUEUED, RunStatus.RUNNING)),
        )
    ).all()
    running = [r for r in active if not expire_if_stale(r)]
    if len(running) >= current_app.config["MATCH_RUNS_PER_ORGANISATION"]:
        raise FieldError(
            "date_from",
            _l("The matcher is already working for your organisation. Wait until it "
               "finishes (usually within a minute), then try again."),
        )


def expire_if_stale(run: MatchRun, now: datetime | None = None) -> bool:
    """A worker killed mid-run (server restart, out of memory) never finishes its row: past
    a generous deadline the run is marked failed so the page stops waiting. Flushes.

    The last resort: with the task queue, a dead worker's job is retried or the run
    failed within a minute or two (``queue.py``); and a queued run may wait its turn
    behind other organisations' runs, so it gets an hour before it counts as lost."""
    if run.finished:
        return False
    weeks = (run.date_to - run.date_from).days // 7 + 2
    budget = timedelta(seconds=max(300.0, 5 * run.time_limit_s * weeks))
    if run.started_at is None and current_app.config.get("MATCHRUN_QUEUE") == "procrastinate":
        budget = max(budget, QUEUE_WAIT)
    since = run.started_at or run.created_at
    if (now or utcnow()) - since <= budget:
        return False
    run.status = RunStatus.FAILED
    run.error = "crash|the matcher stopped without finishing"
    run.progress_text = "failed"
    run.finished_at = utcnow()
    db.session.flush()
    return True


def proposal(run: MatchRun, shift_id: int) -> dict[str, Any] | None:
    for part in (run.results or {}).values():
        for p in part.get("proposals", []):
            if p["shift_id"] == shift_id:
                return p
    return None


def check_open(run: MatchRun) -> None:
    if run.status != RunStatus.DONE:
        raise FieldError("run", _l("This run has no proposals yet."))


def approve(
    run: MatchRun, shift_ids: list[int], actor: User
) -> tuple[list[int], list[tuple[int, Any]]]:
    """Approve the given proposals one by one, each all-or-nothing (a savepoint).

    Returns (approved shift ids, [(shift id, message)] for proposals no longer valid)."""
    check_open(run)
    done, problems = [], []
    for sid in shift_ids:
        p = proposal(run, sid)
        if p is None or p.get("fixed") or (run.decisions or {}).get(str(sid)):
            continue
        try:
            with db.session.begin_nested():
                _approve_one(run, p, actor)
            run.decide(sid, "approved")
            done.append(sid)
        except FieldError as exc:
            problems.append((sid, exc.message))
    db.session.flush()
    return done, problems


def _approve_one(run: MatchRun, p: dict[str, Any], actor: User) -> None:
    if p["kind"] == "route":
        _approve_route(run, p, actor)
        return
    shift = db.session.get(Shift, p["shift_id"])
    if shift is None or shift.organisation_id != run.organisation_id:
        raise FieldError("shift", _l("This shift no longer exists."))
    if shift.status != ShiftStatus.OPEN:
        raise FieldError(
            "shift", _l("This shift is no longer open (someone took it or it was cancelled).")
        )
    start = datetime.fromisoformat(p["start"])
    if p["kind"] == "visit" and start != shift.starts_at:
        # The solver chose another start inside the resident's window: move the shift
        # (nobody holds it yet, it is open) and keep the change in its history.
        length = shift.ends_at - shift.starts_at
        old = shift.starts_at
        shift.starts_at, shift.ends_at = start, start + length
        db.session.add(
            ShiftEvent(
                shift=shift,
                actor_id=actor.id,
                from_status=shift.status.value,
                to_status=shift.status.value,
                reason=f"time moved by the matcher from {old.isoformat()}",
            )
        )
        db.session.flush()
    for v in p["volunteers"]:
        person = db.session.get(Person, v["person_id"])
        if person is None or person.organisation_id != run.organisation_id:
            raise FieldError("volunteer", _l("This volunteer is no longer registered."))
        shift_ops.assign(shift, person, actor)
        _check_hours(person, shift)


def _approve_route(run: MatchRun, p: dict[str, Any], actor: User) -> None:
    """Book a shared ride as one unit: a ``RideRoute`` with the solver's stops, its legs
    at the solver's times (pickup to drop-off), the driver seated on every leg at once
    (the shifts feature's own checks, which see the route's legs as one group)."""
    legs = list(db.session.scalars(sa.select(Shift).where(Shift.id.in_(p["legs"]))))
    if len(legs) != len(p["legs"]) or any(x.organisation_id != run.organisation_id for x in legs):
        raise FieldError("shift", _l("This shift no longer exists."))
    if any(x.status != ShiftStatus.OPEN or x.route_id is not None for x in legs):
        raise FieldError(
            "shift", _l("This shift is no longer open (someone took it or it was cancelled).")
        )
    (v,) = p["volunteers"]
    person = db.session.get(Person, v["person_id"])
    if person is None or person.organisation_id != run.organisation_id:
        raise FieldError("volunteer", _l("This volunteer is no longer registered."))
    route = RideRoute(
        organisation_id=run.organisation_id,
        driver_id=person.id,
        occurrence_date=legs[0].occurrence_date,
        km=p.get("km_route"),
        stops=p["stops"],
    )
    db.session.add(route)
    db.session.flush()
    times: dict[int, dict[str, datetime]] = {}
    for stop in p["stops"]:
        times.setdefault(stop["shift_id"], {})[stop["kind"]] = datetime.fromisoformat(stop["at"])
    for leg in legs:
        t = times.get(leg.id, {})
        if "pickup" in t and "dropoff" in t:
            start, end = t["pickup"], t["dropoff"] + timedelta(minutes=ROUTE_SERVICE_MIN)
            if (start, end) != (leg.starts_at, leg.ends_at):
                db.session.add(
                    ShiftEvent(
                        shift=leg,
                        actor_id=actor.id,
                        from_status=leg.status.value,
                        to_status=leg.status.value,
                        reason=f"shared ride {route.id}: from {leg.starts_at.isoformat()}",
                    )
                )
                leg.starts_at, leg.ends_at = start, end
        leg.route_id = route.id
    db.session.flush()
    shift_ops.assign(min(legs, key=lambda x: (x.starts_at, x.id)), person, actor)
    _check_hours(person, legs[0])


def _check_hours(person: Person, shift: Shift) -> None:
    """Refuse if ``person`` now holds more than their weekly hours in ``shift``'s week.

    Runs after the seat is taken, so the count includes this shift (both legs of a ride)
    and everything approved before it in the same action; the caller's savepoint undoes
    the seat. PostgreSQL: ``assign`` locked the person's row, so two approvals for the
    same person cannot both pass the count; SQLite: the view holds the write lock."""
    monday = monday_of(shift.occurrence_date)
    held, limit = held_minutes(person.id, monday), weekly_minutes(person)
    if held > limit:
        raise FieldError("volunteer", over_hours(person, monday, held, limit))


def over_hours(person: Person, monday: date, total: int, limit: int) -> Any:
    """Why ``total`` minutes in the week of ``monday`` are too many for ``person``: the
    words approval refuses with, and the results page warns with next to a pin."""
    return _l(
        "%(name)s would then give %(h)s h %(m)s min in the week of %(day)s, more "
        "than the %(lh)s h %(lm)s min a week they offer",
        name=person.full_name,
        h=total // 60,
        m=total % 60,
        day=reader_date(monday),
        lh=limit // 60,
        lm=limit % 60,
    )


def reject(run: MatchRun, shift_ids: list[int]) -> list[int]:
    """Turn proposals down: the shifts stay open (nothing was written to them)."""
    check_open(run)
    out = []
    for sid in shift_ids:
        if proposal(run, sid) is not None and not (run.decisions or {}).get(str(sid)):
            run.decide(sid, "rejected")
            out.append(sid)
    db.session.flush()
    return out
