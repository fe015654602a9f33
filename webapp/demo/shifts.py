"""Demo step "shifts": visit and ride requests for the demo town, some already matched.

About 40 residents get a weekly visit and 20 a ride (most with a return) to real kinds
of places; in the coming days some shifts are claimed, approved or confirmed by eligible
volunteers (same rules as the board); yesterday's two visits are done, one with a
worried check-in so the coordinator's alert queue is not empty.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from random import Random

import sqlalchemy as sa

from webapp.auth.models import User
from webapp.core.errors import FieldError
from webapp.demo.registry import DemoContext, register_demo_step
from webapp.extensions import db
from webapp.orgs.settings import settings_for
from webapp.people.models import Person, VolunteerStatus
from webapp.requests.models import Request, RequestKind, RidePurpose
from webapp.requests.operations import Draft, create_request
from webapp.requests.planning import plan
from webapp.shifts import operations as ops
from webapp.shifts.eligibility import conflict, ineligibility
from webapp.shifts.legs import group_of
from webapp.shifts.models import Assignment, Shift, ShiftStatus

# Names of places a ride goes to, on streets of the demo gazetteer.
DESTINATIONS = [
    ("Ospedale Veneziale", "Via Santo Spirito 1", RidePurpose.MEDICAL),
    ("Poliambulatorio ASREM", "Via Berta 4", RidePurpose.MEDICAL),
    ("Farmacia Centrale", "Corso Garibaldi 4", RidePurpose.PHARMACY),
    ("Ufficio postale", "Via Cavour 3", RidePurpose.BANK),
    ("Municipio", "Piazza Andrea d'Isernia 1", RidePurpose.ADMINISTRATION),
    ("Supermercato", "Via Matteotti 3", RidePurpose.SHOPPING),
]
VISITS, RIDES = 40, 20


def _residents() -> list[Person]:
    return list(
        db.session.scalars(
            sa.select(Person)
            .where(Person.is_resident.is_(True), Person.lat.is_not(None))
            .order_by(Person.id)
        )
    )


def _volunteers(org_id: int) -> list[Person]:
    return [
        p
        for p in db.session.scalars(
            sa.select(Person)
            .where(Person.organisation_id == org_id, Person.is_volunteer.is_(True))
            .order_by(Person.id)
        )
        if p.volunteer and p.volunteer.status == VolunteerStatus.APPROVED and p.user
    ]


@register_demo_step("shifts", order=60)
def add_requests_and_shifts(ctx: DemoContext) -> None:
    rng = ctx.rng("shifts")
    coordinator = ctx.coordinators[0]
    base = max(ctx.today, date.today())  # requests must lie in the future
    residents = [p for p in _residents() if p.organisation_id == ctx.org.id]
    rng.shuffle(residents)
    for person in residents[:VISITS]:
        day = base + timedelta(days=rng.randint(3, 9))
        hour = rng.choice([9, 10, 15, 16])
        draft = Draft(
            kind=RequestKind.VISIT,
            start_date=day,
            windows=[(day.weekday(), time(hour), time(hour + 2))],
            recurring=rng.random() < 0.8,
            end_date=day + timedelta(weeks=rng.randint(8, 26)),
            two_volunteers=rng.random() < 0.1,
            languages=[],
            interests=list(person.interests or [])[:2],
        )
        _create(person, draft, coordinator)
    for person in residents[VISITS : VISITS + RIDES]:
        name, address, purpose = rng.choice(DESTINATIONS)
        day = base + timedelta(days=rng.randint(3, 12))
        draft = Draft(
            kind=RequestKind.RIDE,
            start_date=day,
            destination_name=name,
            destination_address=f"{address}, Isernia",
            purpose=purpose,
            appointment_time=time(rng.choice([9, 10, 11]), rng.choice([0, 30])),
            return_wanted=rng.random() < 0.85,
            stay_minutes=rng.choice([45, 60, 90]),
            wheelchair=bool(person.resident and person.resident.uses_wheelchair),
            escort=rng.random() < 0.5,
        )
        _create(person, draft, coordinator)
    _match_some(ctx, rng, coordinator)
    _yesterday(ctx, coordinator)


def _create(person: Person, draft: Draft, actor: User) -> None:
    try:
        with db.session.begin_nested():
            create_request(person, draft, actor)
    except FieldError:
        pass  # e.g. a destination the gazetteer lacks: the demo simply skips it


def _match_some(ctx: DemoContext, rng: Random, coordinator: User) -> None:
    """Claim, approve or confirm a share of the next week's shifts, as people would."""
    speed = settings_for(ctx.org.id).travel_speed_kmh
    volunteers = _volunteers(ctx.org.id)
    soon = datetime.now(UTC) + timedelta(days=8)
    shifts = db.session.scalars(
        sa.select(Shift)
        .where(Shift.organisation_id == ctx.org.id, Shift.starts_at < soon)
        .order_by(Shift.starts_at, Shift.id)
    ).all()
    seen: set[str] = set()
    for shift in shifts:
        if shift.group_key in seen or shift.status != ShiftStatus.OPEN or rng.random() < 0.4:
            continue
        seen.add(shift.group_key)
        legs = group_of(shift)
        for person in rng.sample(volunteers, len(volunteers)):
            if any(ineligibility(person, leg) for leg in legs) or conflict(person, legs, speed):
                continue
            roll = rng.random()
            if roll < 0.35:
                ops.claim(shift, person, person.user)
            else:
                ops.assign(shift, person, coordinator)
                if roll > 0.65:
                    ops.confirm(shift, person, person.user)
            break


def _yesterday(ctx: DemoContext, coordinator: User) -> None:
    """Two visits that happened yesterday, logged; one check-in raises a worry."""
    visits = db.session.scalars(
        sa.select(Request)
        .where(Request.organisation_id == ctx.org.id, Request.kind == RequestKind.VISIT)
        .order_by(Request.id)
        .limit(2)
    ).all()
    volunteers = [p for p in _volunteers(ctx.org.id) if p.volunteer.offers_visits]
    yesterday = date.today() - timedelta(days=1)
    notes = [None, "Sembrava molto giù e il frigorifero era quasi vuoto."]
    for req, volunteer, note in zip(visits, volunteers, notes, strict=False):
        row = plan(req, yesterday)[0]
        shift = Shift(
            organisation_id=req.organisation_id,
            request_id=req.id,
            occurrence_date=yesterday,
            status=ShiftStatus.APPROVED,
            **row,
        )
        db.session.add(shift)
        db.session.flush()
        db.session.add(Assignment(shift=shift, volunteer_id=volunteer.id, seat=1))
        db.session.flush()
        ops.check_in(
            shift,
            volunteer,
            volunteer.user,
            mood="low" if note else "good",
            resident_happy=note is None,
            worried=note is not None,
            note=note,
        )
