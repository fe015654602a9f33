"""Demo step "history": a year of the demo town's past, so the observatory (and the
case files) show something real on first run.

About 45 residents had weekly or fortnightly visits and 20 a monthly ride over the last
twelve months, mostly from "their" volunteer; most services happened, some were
cancelled, found nobody or the volunteer did not come. Completed services are paid by
the ledger (the one payment path); some check-ins worried a volunteer and raised an
alert, most handled within a day. Volunteers joined across the year. Rows are written
directly (requests in the past are refused by the operations, rightly); the ledger pays
the last three weeks' services through its one payment path (paying a whole year one
by one would make the demo load slow).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from random import Random

import sqlalchemy as sa

from webapp.demo.registry import DemoContext, register_demo_step
from webapp.desk.models import Alert, AlertReason
from webapp.extensions import db
from webapp.people.models import Person, VolunteerStatus
from webapp.requests.models import Request, RequestKind, RequestStatus, RequestWindow
from webapp.requests.planning import plan
from webapp.shifts.models import Assignment, CheckIn, NoShowSide, Shift, ShiftStatus
from webapp.timebank import partners
from webapp.timebank.errors import LedgerError
from webapp.timebank.listeners import pay_for_legs

VISITORS, RIDERS, DAYS = 45, 20, 365
PAID_DAYS = 21  # the ledger pays the last three weeks (the rest: a paper ledger)
MOODS = ["good", "good", "good", "ok", "ok", "low"]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


@register_demo_step("history", order=70)
def add_history(ctx: DemoContext) -> None:
    rng = ctx.rng("history")
    org_id = ctx.org.id
    people = list(
        db.session.scalars(
            sa.select(Person)
            .where(Person.organisation_id == org_id, Person.lat.is_not(None))
            .order_by(Person.id)
        )
    )
    residents = [p for p in people if p.is_resident and p.resident is not None]
    volunteers = [
        p
        for p in people
        if p.is_volunteer
        and p.volunteer is not None
        and p.volunteer.status == VolunteerStatus.APPROVED
    ]
    if not residents or not volunteers:
        return
    first_day = ctx.today - timedelta(days=DAYS)
    # Volunteers joined over the years; a third of them during the last one.
    for n, v in enumerate(volunteers):
        back = rng.randint(10, DAYS) if n % 3 == 0 else rng.randint(DAYS + 30, 3 * DAYS)
        v.created_at = _at(ctx.today - timedelta(days=back), 9)
    drivers = [v for v in volunteers if v.volunteer.offers_driving] or volunteers
    ride_template = db.session.scalars(
        sa.select(Request)
        .where(Request.organisation_id == org_id, Request.kind == RequestKind.RIDE)
        .order_by(Request.id)
        .limit(1)
    ).first()
    rng.shuffle(residents)
    done: list[tuple[list[Shift], Person]] = []
    for person in residents[:VISITORS]:
        start = first_day + timedelta(days=rng.randint(0, 300))
        req = Request(
            organisation_id=org_id,
            resident_id=person.id,
            kind=RequestKind.VISIT,
            status=RequestStatus.ACTIVE,
            start_date=start,
            recurring=True,
            end_date=ctx.today - timedelta(days=2),
            duration_minutes=rng.choice([60, 60, 90, 120]),
            created_at=_at(start - timedelta(days=rng.randint(2, 25)), 10),
        )
        hour = rng.choice([9, 10, 15, 16])
        req.windows = [RequestWindow(weekday=start.weekday(), start=time(hour), end=time(hour + 2))]
        db.session.add(req)
        db.session.flush()
        step = rng.choice([7, 7, 14])
        _occurrences(ctx, rng, req, start, step, rng.choice(volunteers), volunteers, done)
    riders = residents[VISITORS : VISITORS + RIDERS] if ride_template is not None else []
    for person in riders:
        assert ride_template is not None
        start = first_day + timedelta(days=rng.randint(0, 250))
        req = Request(
            organisation_id=org_id,
            resident_id=person.id,
            kind=RequestKind.RIDE,
            status=RequestStatus.ACTIVE,
            start_date=start,
            recurring=True,
            end_date=ctx.today - timedelta(days=2),
            created_at=_at(start - timedelta(days=rng.randint(3, 20)), 11),
            pickup_address=person.address,
            pickup_lat=person.lat,
            pickup_lon=person.lon,
            destination_name=ride_template.destination_name,
            destination_address=ride_template.destination_address,
            destination_lat=ride_template.destination_lat,
            destination_lon=ride_template.destination_lon,
            purpose=ride_template.purpose,
            appointment_time=time(rng.choice([9, 10, 11])),
            stay_minutes=60,
            return_wanted=True,
        )
        db.session.add(req)
        db.session.flush()
        _occurrences(ctx, rng, req, start, 28, rng.choice(drivers), drivers, done)
    db.session.flush()
    _settle(ctx, rng, done)


def _occurrences(
    ctx: DemoContext,
    rng: Random,
    req: Request,
    start: date,
    step: int,
    regular: Person,
    others: list[Person],
    done: list[tuple[list[Shift], Person]],
) -> None:
    """Every occurrence of ``req`` from ``start`` to two days ago, unflushed; completed
    ones are appended to ``done`` (the caller pays and checks them in after one flush)."""
    day = start
    while day < ctx.today - timedelta(days=2):
        roll = rng.random()
        status = (
            ShiftStatus.COMPLETED
            if roll < 0.84
            else ShiftStatus.CANCELLED
            if roll < 0.91
            else ShiftStatus.UNFILLED
            if roll < 0.96
            else ShiftStatus.NO_SHOW
        )
        side = None
        if status == ShiftStatus.NO_SHOW:
            side = NoShowSide.VOLUNTEER if rng.random() < 0.5 else NoShowSide.RESIDENT
        volunteer = regular if rng.random() < 0.8 else rng.choice(others)
        legs = []
        for row in plan(req, day):
            shift = Shift(
                organisation_id=req.organisation_id,
                request_id=req.id,
                occurrence_date=day,
                status=status,
                no_show_side=side,
                **row,
            )
            if status in (ShiftStatus.COMPLETED, ShiftStatus.NO_SHOW):
                shift.assignments.append(Assignment(volunteer_id=volunteer.id, seat=1))
            db.session.add(shift)
            legs.append(shift)
        if status == ShiftStatus.COMPLETED:
            done.append((legs, volunteer))
        day += timedelta(days=step)


def _settle(ctx: DemoContext, rng: Random, done: list[tuple[list[Shift], Person]]) -> None:
    """Check-ins (some worried: an alert, mostly handled within the day) and, for the
    last ``PAID_DAYS``, the ledger's payments through its one payment path."""
    worried: list[tuple[CheckIn, Shift]] = []
    for legs, volunteer in done:
        shift = legs[0]
        if shift.request.kind == RequestKind.VISIT and rng.random() < 0.3:
            checkin = _check_in(rng, shift, volunteer)
            if checkin.worried or checkin.mood == "unwell":
                worried.append((checkin, shift))
    db.session.flush()
    for checkin, shift in worried:
        raised = shift.ends_at + timedelta(minutes=20)
        db.session.add(
            Alert(
                organisation_id=shift.organisation_id,
                person_id=shift.request.resident_id,
                checkin_id=checkin.id,
                reason=AlertReason.UNWELL if checkin.mood == "unwell" else AlertReason.WORRIED,
                note=checkin.note,
                raised_at=raised,
                due_at=raised + timedelta(hours=4),
                handled_at=raised + timedelta(hours=rng.choice([1, 2, 3, 5, 8, 20])),
                outcome="Chiamata la figlia: tutto sotto controllo.",
            )
        )
    # Completed here, not through shift_completed: their pairs for the give-to lists too.
    partners.note(
        (legs[0].request.resident_id, volunteer.id)
        for legs, volunteer in done
        if legs[0].request.resident_id is not None
    )
    since = ctx.today - timedelta(days=PAID_DAYS)
    for legs, _volunteer in done:
        if legs[0].occurrence_date >= since:
            try:
                with db.session.begin_nested():
                    pay_for_legs(legs)
            except LedgerError:
                pass  # a resident past their limit and an empty chest: not chased here
    db.session.flush()


def _check_in(rng: Random, shift: Shift, volunteer: Person) -> CheckIn:
    worried = rng.random() < 0.12
    mood = "unwell" if worried and rng.random() < 0.3 else rng.choice(MOODS)
    checkin = CheckIn(
        organisation_id=shift.organisation_id,
        shift=shift,
        volunteer_id=volunteer.id,
        mood=mood,
        resident_happy=not worried,
        worried=worried,
        note="Mi è sembrata più stanca del solito." if worried else None,
        created_at=shift.ends_at,
    )
    db.session.add(checkin)
    return checkin
