"""Workflows on shifts. Operations flush, never commit; the view or job commits once.

Every operation works on a shift's *group* (a ride's outbound and return legs move
together; a visit is a group of one). Errors are :class:`FieldError` keyed by field.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _
from sqlalchemy.exc import IntegrityError

from webapp.auth.models import User
from webapp.core.errors import FieldError
from webapp.core.locks import is_postgres
from webapp.db import utcnow
from webapp.extensions import db
from webapp.notifications.operations import forget_details
from webapp.orgs.settings import settings_for
from webapp.people.models import Person
from webapp.shifts import candidates
from webapp.shifts.eligibility import conflict, ineligibility
from webapp.shifts.legs import group_of, ride_of
from webapp.shifts.models import (
    Assignment,
    CheckIn,
    NoShowSide,
    Shift,
    ShiftEvent,
    ShiftStatus,
)
from webapp.shifts.outcomes import implausible
from webapp.shifts.signals import checkin_recorded
from webapp.shifts.transitions import (
    AWAITING_APPROVAL,
    BOOKED,
    CLAIMABLE,
    FINAL,
    HOLDING,
    NOT_BOOKED,
    IllegalTransition,
    move,
)

S = ShiftStatus


def about(shift: Shift) -> str:
    """What the messages about a shift's group say they are about (the outbox's key)."""
    return f"shift:{shift.group_key}"


def _forget(legs: list[Shift], person_ids: list[int], *, flush: bool = True) -> None:
    """Those leaving the group keep no copy of the resident's details in their messages."""
    forget_details(about(legs[0]), person_ids, flush=flush)


def _lock_person(person: Person) -> None:
    if is_postgres():
        db.session.execute(sa.select(Person.id).where(Person.id == person.id).with_for_update())


def _speed(org_id: int) -> float:
    return settings_for(org_id).travel_speed_kmh


def _move_all(
    legs: list[Shift], new: ShiftStatus, actor: User | None, reason: str | None = None
) -> None:
    for leg in legs:
        if leg.status != new:
            move(leg, new, actor, reason)


def _check_volunteer(person: Person, legs: list[Shift]) -> None:
    # The board's candidates hold exactly the pairs ineligibility lets through: a row for
    # every leg spares loading the volunteer's whole profile; without one, ask for the reason.
    if not candidates.passes(person, legs):
        for leg in legs:
            reason = ineligibility(person, leg)
            if reason:
                raise FieldError("volunteer", reason)
    reason = conflict(person, legs, _speed(legs[0].organisation_id))
    if reason:
        raise FieldError("volunteer", reason)


def _take_seat(
    person: Person, legs: list[Shift], actor: User | None, target: ShiftStatus
) -> list[Shift]:
    """Lock, check, and seat ``person`` on every leg; then move the legs to ``target``.
    Returns the legs."""
    _lock_person(person)
    legs = group_of(legs[0], lock=True)
    if any(person.id in leg.volunteer_ids for leg in legs):
        raise FieldError("shift", _("You already have this shift."))
    allowed = CLAIMABLE if target == S.CLAIMED else NOT_BOOKED
    if any(leg.status not in allowed for leg in legs) or any(leg.free_seats < 1 for leg in legs):
        raise FieldError(
            "shift", _("Sorry, someone else took this shift a moment ago. Thank you for offering!")
        )
    if legs[0].starts_at <= utcnow():
        raise FieldError("shift", _("This shift has already started."))
    _check_volunteer(person, legs)
    try:
        with db.session.begin_nested():
            for leg in legs:
                taken = {a.seat for a in leg.assignments}
                seat = min(s for s in range(1, leg.seats + 1) if s not in taken)
                db.session.add(Assignment(shift=leg, volunteer_id=person.id, seat=seat))
            db.session.flush()
    except IntegrityError:
        # The unique (shift, seat) key caught a race the locks did not (e.g. SQLite
        # without BEGIN IMMEDIATE): the other volunteer won.
        raise FieldError(
            "shift", _("Sorry, someone else took this shift a moment ago. Thank you for offering!")
        ) from None
    for leg in legs:
        if leg.status == target:
            _note(leg, actor, f"seat taken by person {person.id}")
        elif target == S.APPROVED and leg.status == S.PROPOSED:
            move(leg, S.APPROVED, actor)
        else:
            move(leg, target, actor)
    return legs


def _note(shift: Shift, actor: User | None, reason: str) -> None:
    """A history line that is not a status change (same status before and after)."""
    db.session.add(
        ShiftEvent(
            shift=shift,
            actor_id=getattr(actor, "id", None),
            from_status=shift.status.value,
            to_status=shift.status.value,
            reason=reason[:300],
        )
    )


def claim(shift: Shift, person: Person, actor: User | None) -> list[Shift]:
    """A volunteer takes a free seat (race-safe). Returns the legs they now hold."""
    return _take_seat(person, [shift], actor, S.CLAIMED)


def propose(shift: Shift, person: Person, actor: User | None) -> None:
    """The solver (or a coordinator) suggests ``person``; a coordinator approves later."""
    if shift.status != S.OPEN:
        raise IllegalTransition(shift.status, S.PROPOSED)
    _take_seat(person, [shift], actor, S.PROPOSED)


def assign(
    shift: Shift, person: Person, actor: User | None, *, replace: Person | None = None
) -> None:
    """A coordinator seats ``person`` by hand (approved at once), optionally in place of
    ``replace``; the same eligibility and overlap checks as a volunteer's claim."""
    if replace is not None:
        withdraw(shift, replace, actor, "reassigned by the coordinator")
    legs = group_of(shift)
    if any(leg.status in FINAL for leg in legs):
        raise IllegalTransition(legs[0].status, S.APPROVED)
    if any(leg.status in BOOKED for leg in legs):
        # Adding a second visitor to an approved visit: seat them, keep the status.
        _lock_person(person)
        legs = group_of(shift, lock=True)
        if any(leg.free_seats < 1 for leg in legs):
            raise FieldError("volunteer", _("Every seat of this shift is taken."))
        _check_volunteer(person, legs)
        for leg in legs:
            taken = {a.seat for a in leg.assignments}
            seat = min(s for s in range(1, leg.seats + 1) if s not in taken)
            db.session.add(Assignment(shift=leg, volunteer_id=person.id, seat=seat))
            _note(leg, actor, f"person {person.id} added by coordinator")
        db.session.flush()
        return
    _take_seat(person, legs, actor, S.APPROVED)
    for leg in group_of(shift):
        if leg.status == S.CLAIMED:
            move(leg, S.APPROVED, actor)


def approve(shift: Shift, actor: User | None) -> None:
    legs = group_of(shift)
    for leg in legs:
        if leg.status not in AWAITING_APPROVAL:
            raise IllegalTransition(leg.status, S.APPROVED)
    if not all(leg.assignments for leg in legs):
        raise FieldError("shift", _("Nobody has claimed this shift yet."))
    _move_all(legs, S.APPROVED, actor)


def reject(shift: Shift, actor: User | None, reason: str | None = None) -> None:
    """Turn down a claim or proposal: the seats are freed and the shift is open again."""
    legs = group_of(shift)
    for leg in legs:
        if leg.status not in AWAITING_APPROVAL:
            raise IllegalTransition(leg.status, S.OPEN)
    _forget(legs, sorted({v for leg in legs for v in leg.volunteer_ids}))
    _move_all(legs, S.OPEN, actor, reason)
    for leg in legs:
        leg.assignments.clear()  # delete-orphan: the rows go
    db.session.flush()


def confirm(shift: Shift, person: Person, actor: User | None) -> None:
    """The volunteer confirms an approved shift; it is confirmed once everyone has."""
    legs = group_of(shift)
    for leg in legs:
        mine = [a for a in leg.assignments if a.volunteer_id == person.id]
        if not mine:
            raise FieldError("shift", _("This is not one of your shifts."))
        if leg.status != S.APPROVED:
            raise IllegalTransition(leg.status, S.CONFIRMED)
        mine[0].confirmed_at = utcnow()
    db.session.flush()
    for leg in legs:
        if all(a.confirmed_at for a in leg.assignments):
            move(leg, S.CONFIRMED, actor)


def check_withdraw(shift: Shift, person: Person) -> list[Shift]:
    """The group's legs if ``person`` may give it back (theirs, none of it final)."""
    legs = group_of(shift)
    for leg in legs:
        if leg.status in FINAL:
            raise IllegalTransition(leg.status, S.OPEN)
        if not any(a.volunteer_id == person.id for a in leg.assignments):
            raise FieldError("shift", _("This is not one of your shifts."))
    return legs


def withdraw(shift: Shift, person: Person, actor: User | None, reason: str | None) -> None:
    """A volunteer declines or cancels (or a coordinator takes them off): their seat is
    freed; with nobody left the shift is open again for others."""
    legs = check_withdraw(shift, person)
    _forget(legs, [person.id])
    for leg in legs:
        mine = [a for a in leg.assignments if a.volunteer_id == person.id]
        if len(leg.assignments) == 1:
            move(leg, S.OPEN, actor, reason)
        else:
            _note(leg, actor, f"person {person.id} withdrew: {reason or ''}")
        leg.assignments.remove(mine[0])
        if not leg.assignments:
            leg.route_id = None  # a shared ride nobody drives is open again, ride by ride
    db.session.flush()


def cancel(shift: Shift, actor: User | None, reason: str | None) -> None:
    """Cancel the whole group (both legs of a ride). Volunteers keep their seat rows for
    the record and are told through ``shift_status_changed``. In a shared ride only this
    passenger's legs are cancelled: they leave the route, the others still ride."""
    legs = check_cancel(shift)
    _forget(legs, sorted({v for leg in legs for v in leg.volunteer_ids}))
    for leg in legs:
        leg.route_id = None
        leg.cancelled_by_id = getattr(actor, "id", None)
        leg.cancel_reason = (reason or None) and reason[:300]
        move(leg, S.CANCELLED, actor, reason)


def check_no_show(shift: Shift, now: datetime | None = None) -> list[Shift]:
    """The ride's legs if a no-show may be recorded now: booked, and the shift has
    started (nobody can fail to turn up to a visit that is still days away)."""
    legs = ride_of(shift)  # a passenger's no-show is theirs, not the whole route's
    for leg in legs:
        if leg.status not in BOOKED:
            raise IllegalTransition(leg.status, S.NO_SHOW)
    if legs[0].starts_at > (now or utcnow()):
        raise FieldError(
            "shift", _("A no-show can only be recorded once the shift has started.")
        )
    return legs


def record_no_show(
    shift: Shift, side: NoShowSide, actor: User | None, reason: str | None = None
) -> None:
    for leg in check_no_show(shift):
        leg.no_show_side = side
        move(leg, S.NO_SHOW, actor, reason or side.value)


def check_cancel(shift: Shift) -> list[Shift]:
    """The ride's legs (the group's, or one passenger's in a shared route) if they may be
    cancelled (none of them final yet)."""
    legs = ride_of(shift)
    for leg in legs:
        if leg.status in FINAL:
            raise IllegalTransition(leg.status, S.CANCELLED)
    return legs


def check_complete(shift: Shift) -> list[Shift]:
    """The group's legs if it may be marked done now: booked, and started. A shared route
    is completed whole, less the legs already final (a passenger's no-show or
    cancellation)."""
    legs = group_of(shift)
    if shift.route_id is not None:
        legs = [leg for leg in legs if leg.status not in FINAL] or legs
    for leg in legs:
        if leg.status not in BOOKED:
            raise IllegalTransition(leg.status, S.COMPLETED)
    if legs[0].starts_at > utcnow():
        raise FieldError("shift", _("This shift has not started yet."))
    return legs


def complete(
    shift: Shift,
    actor: User | None,
    *,
    actual_start: datetime | None = None,
    actual_end: datetime | None = None,
) -> bool:
    """Mark the group done (volunteer's log or coordinator on their behalf). Actual
    times default to the planned ones; they apply to the first start and last end.
    A shared route is completed whole, less the legs already final.

    Times far from the planned ones (``outcomes.implausible``) are kept but *held*: the
    shift is done, its hours wait for a coordinator (``outcomes.confirm_times``).
    Returns whether the hours are held."""
    if actual_start and actual_end and actual_end <= actual_start:
        raise FieldError("actual_end", _("The end must be after the start."))
    legs = check_complete(shift)
    held = implausible(legs, actual_start, actual_end)
    for i, leg in enumerate(legs):
        for a in leg.assignments:
            a.actual_start = actual_start if (i == 0 and actual_start) else leg.starts_at
            a.actual_end = actual_end if (i == len(legs) - 1 and actual_end) else leg.ends_at
            a.times_held = held
        move(leg, S.COMPLETED, actor, "logged times held for a coordinator" if held else None)
    return held


def check_in(
    shift: Shift,
    person: Person,
    actor: User | None,
    *,
    mood: str,
    resident_happy: bool,
    worried: bool,
    note: str | None,
    actual_start: datetime | None = None,
    actual_end: datetime | None = None,
) -> CheckIn:
    """The volunteer's log after the shift: completes it (if not yet) and files the
    wellbeing check-in. A happy resident makes this volunteer the preferred one."""
    legs = group_of(shift)
    first = legs[0]
    if person.id not in first.volunteer_ids:
        raise FieldError("shift", _("This is not one of your shifts."))
    if worried and not (note or "").strip():
        raise FieldError("note", _("Please tell us briefly what worries you."))
    if first.status != S.COMPLETED:
        complete(first, actor, actual_start=actual_start, actual_end=actual_end)
    exists = db.session.scalar(
        sa.select(CheckIn).where(CheckIn.shift_id == first.id, CheckIn.volunteer_id == person.id)
    )
    if exists:
        raise FieldError("shift", _("You have already filed a check-in for this shift."))
    entry = CheckIn(
        organisation_id=first.organisation_id,
        shift_id=first.id,
        volunteer_id=person.id,
        mood=mood,
        resident_happy=resident_happy,
        worried=worried,
        note=(note or "").strip() or None,
    )
    db.session.add(entry)
    request = first.request
    if resident_happy and request.preferred_volunteer_id is None:
        # Continuity is the point of befriending: keep the same face next time.
        request.preferred_volunteer_id = person.id
    db.session.flush()
    checkin_recorded.send(entry, actor=actor)
    return entry


def handle_alert(entry: CheckIn, actor: User | None) -> None:
    if entry.handled_at is None:
        entry.handled_at = utcnow()
        entry.handled_by_id = getattr(actor, "id", None)
        db.session.flush()


def mark_unfilled(org_id: int, now: datetime | None = None) -> int:
    """Shifts whose start passed with nobody approved become ``unfilled`` (a job runs it)."""
    now = now or utcnow()
    late = db.session.scalars(
        sa.select(Shift).where(
            Shift.organisation_id == org_id,
            Shift.starts_at <= now,
            Shift.status.in_(NOT_BOOKED),
        )
    ).all()
    for shift in late:
        move(shift, S.UNFILLED, None, "start time passed")
    return len(late)


def cancel_future(
    request_id: int,
    actor: User | None,
    reason: str,
    now: datetime | None = None,
    *,
    flush: bool = True,
) -> int:
    """Cancel every shift of a request that has not started and is not final."""
    now = now or utcnow()
    shifts = db.session.scalars(
        sa.select(Shift).where(
            Shift.request_id == request_id,
            Shift.starts_at > now,
            Shift.status.not_in(tuple(FINAL)),
        )
    ).all()
    for shift in shifts:
        _forget([shift], shift.volunteer_ids, flush=flush)
        shift.route_id = None  # leaves a shared ride; the other passengers still ride
        shift.cancelled_by_id = getattr(actor, "id", None)
        shift.cancel_reason = reason[:300]
        move(shift, S.CANCELLED, actor, reason, flush=flush)
    return len(shifts)


# Reasons recorded when the system takes a volunteer off (the message to them says why).
SUSPENDED = "volunteering suspended"
CREDENTIAL_LAPSED = "credential lapsed"


def held_groups(person: Person, now: datetime) -> list[list[Shift]]:
    """The groups ``person`` holds (proposed, claimed, approved, confirmed) that have not
    ended yet, earliest first."""
    shifts = db.session.scalars(
        sa.select(Shift)
        .join(Assignment, Assignment.shift_id == Shift.id)
        .where(
            Assignment.volunteer_id == person.id,
            Shift.status.in_(tuple(HOLDING)),
            Shift.ends_at > now,
        )
        .order_by(Shift.starts_at, Shift.id)
    ).all()
    seen: set[str] = set()
    groups = []
    for shift in shifts:
        if shift.group_key not in seen:
            seen.add(shift.group_key)
            groups.append(group_of(shift))
    return groups
