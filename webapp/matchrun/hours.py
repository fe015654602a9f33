"""A volunteer's week as the matcher counts it.

``hours_per_week`` is a limit per calendar week (Monday to Sunday, by the shift's local
date). Everything a person gives that week counts its length, whatever the kind:
the shifts they already hold (proposed, claimed, approved, confirmed) and, inside one
run, the work the run has planned for them but the database does not hold yet
(:class:`Planned`: the visit proposals when the rides part is solved after them, a ride
the coordinator pinned while the visits part is solved). The same count serves the
solver's limits, the rides re-check, the "load this week" of every proposal once the
whole run is planned (:func:`count_loads`) and approval.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp.core.timeutil import monday_of
from webapp.extensions import db
from webapp.people.models import Person
from webapp.shifts.models import Assignment, Shift, ShiftKind, ShiftStatus
from webapp.shifts.transitions import HOLDING


def minutes(shift: Shift | Planned) -> int:
    """A shift's length in whole minutes, as the app and the time bank count it."""
    return int((shift.ends_at - shift.starts_at).total_seconds() // 60)


def busy_minutes(items: Iterable[Shift | Planned]) -> int:
    """Minutes of the union of the items' times: the legs of a shared ride overlap (one
    driver, several passengers aboard) and count once; for separate shifts it is their
    sum, as before."""
    spans = sorted((x.starts_at, x.ends_at) for x in items)
    total, end = 0.0, None
    for a, b in spans:
        if end is None or a >= end:
            total += (b - a).total_seconds()
            end = b
        elif b > end:
            total += (b - end).total_seconds()
            end = b
    return int(total // 60)


def weekly_minutes(person: Person) -> int:
    return round(person.volunteer.hours_per_week * 60)


def held_minutes(person_id: int, monday: date) -> int:
    """Minutes of the shifts ``person_id`` holds in the week starting ``monday``."""
    rows = db.session.scalars(
        sa.select(Shift)
        .join(Assignment, Assignment.shift_id == Shift.id)
        .where(
            Assignment.volunteer_id == person_id,
            Shift.status.in_(HOLDING),
            Shift.occurrence_date >= monday,
            Shift.occurrence_date <= monday + timedelta(days=6),
        )
    )
    return busy_minutes(rows)


@dataclass(frozen=True)
class Planned:
    """One shift this run gives ``person_id`` that nobody holds yet in the database.

    It has the attributes of a :class:`Shift` that the overlap and travel checks read,
    with the run's own times (a visit may be proposed at another start in its window)."""

    person_id: int
    shift_id: int
    starts_at: datetime
    ends_at: datetime
    occurrence_date: date
    start_lat: float | None
    start_lon: float | None
    end_lat: float | None
    end_lon: float | None

    @property
    def id(self) -> int:
        return self.shift_id

    @property
    def monday(self) -> date:
        return monday_of(self.occurrence_date)


def _planned(person_id: int, shift: Shift, start: datetime, end: datetime) -> Planned:
    return Planned(
        person_id,
        shift.id,
        start,
        end,
        shift.occurrence_date,
        shift.start_lat,
        shift.start_lon,
        shift.end_lat,
        shift.end_lon,
    )


def from_proposals(proposals: Iterable[dict[str, Any]]) -> list[Planned]:
    """Proposals of a run (its stored JSON) as planned work, per volunteer.

    A visit counts at the time the run proposes (it may move inside its window); a ride
    counts each of its legs. Proposals marked ``fixed`` are approved shifts the database
    already holds: they are counted as held shifts, not again here. Pinned ones are not
    held yet: they count. First come's plan (``baseline.proposals``) reads the same way."""
    wanted = [p for p in proposals if not p.get("fixed")]
    if not wanted:
        return []
    ids = {i for p in wanted for i in (p.get("legs") or [p["shift_id"]])}
    shifts = {s.id: s for s in db.session.scalars(sa.select(Shift).where(Shift.id.in_(ids)))}
    out = []
    for p in wanted:
        people = [v["person_id"] for v in p["volunteers"]]
        if p.get("kind") in ("ride", "route"):
            legs = [shifts[i] for i in p["legs"] if i in shifts]
            out += [_planned(u, leg, leg.starts_at, leg.ends_at) for u in people for leg in legs]
            continue
        shift = shifts.get(p["shift_id"])
        if shift is None:
            continue
        start, end = datetime.fromisoformat(p["start"]), datetime.fromisoformat(p["end"])
        out += [_planned(u, shift, start, end) for u in people]
    return out


def pinned_rides(pins: dict[str, dict[str, Any]], first: date, last: date) -> list[Planned]:
    """The legs of the open ride groups the coordinator pinned a driver to, in range.

    The visits part of a *Both* run keeps that time and those minutes free, as the pin
    promises; the rides part then books the pin first."""
    out = []
    for sid, pin in pins.items():
        if pin.get("kind") != "ride" or not sid.isdigit() or not pin.get("people"):
            continue
        leader = db.session.get(Shift, int(sid))
        if leader is None or not (first <= leader.occurrence_date <= last):
            continue
        legs = db.session.scalars(
            sa.select(Shift).where(
                Shift.group_key == leader.group_key,
                Shift.kind != ShiftKind.VISIT,
                Shift.status == ShiftStatus.OPEN,
            )
        ).all()
        person_id = int(pin["people"][0])
        out += [_planned(person_id, leg, leg.starts_at, leg.ends_at) for leg in legs]
    return out


def by_person(planned: Iterable[Planned]) -> dict[int, list[Planned]]:
    out: dict[int, list[Planned]] = {}
    for item in planned:
        out.setdefault(item.person_id, []).append(item)
    return out


def planned_minutes(items: Iterable[Planned], monday: date) -> int:
    return busy_minutes(x for x in items if x.monday == monday)


def count_loads(results: dict[str, Any]) -> None:
    """Write the week's load into every proposal of a finished run, in place.

    Per volunteer of a proposal: ``load_week_min`` = the minutes of the shifts they hold
    in the proposal's calendar week (approved ones shown as ``fixed`` among them) plus
    every other proposal of the run for them that week, whichever part proposed it (a
    visit's load includes the rides planned after it in a *Both* run), and
    ``week_limit_min`` = their weekly hours in minutes. Runs once all parts are planned;
    the page compares the two (a pin may take someone past their hours)."""
    proposals = [p for part in results.values() for p in part.get("proposals", [])]
    if not proposals:
        return
    planned = by_person(from_proposals(proposals))
    week_of = {
        s.id: monday_of(s.occurrence_date)
        for s in db.session.scalars(
            sa.select(Shift).where(Shift.id.in_({p["shift_id"] for p in proposals}))
        )
    }
    ids = {v["person_id"] for p in proposals for v in p["volunteers"]}
    people = {
        p.id: p
        for p in db.session.scalars(
            sa.select(Person).where(Person.id.in_(ids)).options(selectinload(Person.volunteer))
        )
    }
    held: dict[tuple[int, date], int] = {}  # one query per person and week
    for p in proposals:
        monday = week_of.get(p["shift_id"])
        for v in p["volunteers"]:
            person = people.get(v["person_id"])
            if monday is None or person is None or person.volunteer is None:
                v.setdefault("load_week_min", 0)  # shift or person deleted meanwhile
                continue
            if (person.id, monday) not in held:
                held[person.id, monday] = held_minutes(person.id, monday)
            v["load_week_min"] = held[person.id, monday] + planned_minutes(
                planned.get(person.id, []), monday
            )
            v["week_limit_min"] = weekly_minutes(person)
