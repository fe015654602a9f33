"""One occurrence of a series, moved to another day or time (the rest of the series stays).

The moved shift keeps its request, its group and its volunteers where they still can
come; ``Shift.moved_from`` remembers the series' own date, so the horizon planner never
makes that date again. Cancelling one occurrence is ``shifts.operations.cancel``.
Operations flush; the view commits.
"""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _

from webapp.auth.models import User
from webapp.core.dates import far_ahead, reader_date
from webapp.core.errors import FieldError
from webapp.core.timeutil import at_local, today_local
from webapp.db import utcnow
from webapp.extensions import db
from webapp.orgs.settings import org_tz, settings_for
from webapp.requests.planning import occurrence_dates
from webapp.shifts import operations as shift_ops
from webapp.shifts.eligibility import conflict, ineligibility
from webapp.shifts.legs import group_of
from webapp.shifts.models import Shift, ShiftEvent
from webapp.shifts.signals import shift_details_changed
from webapp.shifts.transitions import FINAL


def current_time(legs: list[Shift]) -> time:
    """What the coordinator reads as the occurrence's time: a visit's start, a ride's
    appointment (when the outbound leg arrives)."""
    tz = org_tz(legs[0].organisation_id)
    moment = legs[0].ends_at if legs[0].kind.is_ride else legs[0].starts_at
    return moment.astimezone(tz).time().replace(second=0, microsecond=0)


def move_occurrence(
    shift: Shift,
    day: date | None,
    at: time | None,
    actor: User | None,
    reason: str | None = None,
    now: datetime | None = None,
    *,
    confirm_far_date: bool = False,
) -> list[Shift]:
    """Move the occurrence of ``shift`` (both legs of a ride) to ``day`` at ``at`` (a
    visit's start, a ride's appointment), local time. Volunteers who can still come keep
    their seat and are told of the change; the others are released (and told). Raises
    :class:`FieldError` on ``date``/``time``."""
    now = now or utcnow()
    if day is None:
        raise FieldError("date", _("Give the new date."))
    if at is None:
        raise FieldError("time", _("Give the new time."))
    legs = group_of(shift, lock=True)
    first = legs[0]
    if any(leg.status in FINAL for leg in legs):
        raise FieldError("date", _("This occurrence is over or cancelled, so it cannot be moved."))
    if first.starts_at <= now:
        raise FieldError("date", _("This occurrence has already started."))
    tz = org_tz(first.organisation_id)
    anchor = first.ends_at if first.kind.is_ride else first.starts_at
    delta = at_local(day, at, tz) - anchor
    if not delta:
        raise FieldError("date", _("This is the day and time it already has."))
    if first.starts_at + delta <= now:
        raise FieldError("date", _("This time is already in the past."))
    if not confirm_far_date and far_ahead(day, today_local(tz, now)):
        raise FieldError(
            "confirm_far_date",
            _(
                "That is %(day)s, more than a year from now. If the date is right, tick "
                "\u201cYes, this date is right\u201d and send again.",
                day=reader_date(day),
            ),
        )
    old_day = first.occurrence_date
    request = first.request
    if day != old_day:
        _check_day_free(request.id, legs, day)
        if request.recurring and any(occurrence_dates(request, day, day)):
            raise FieldError(
                "date",
                _("The series already has its own occurrence on that day: move that one instead."),
            )
    when = at_local(day, at, tz).strftime("%Y-%m-%d %H:%M")
    for leg in legs:
        leg.starts_at += delta
        leg.ends_at += delta
        if day != old_day:
            leg.moved_from = leg.moved_from or old_day
            leg.occurrence_date = day
        db.session.add(
            ShiftEvent(
                shift=leg,
                actor_id=getattr(actor, "id", None),
                from_status=leg.status.value,
                to_status=leg.status.value,
                reason=f"moved to {when}" + (f": {reason}" if reason else ""),
            )
        )
    db.session.flush()
    _keep_or_release(legs, actor)
    return group_of(first)


def _check_day_free(request_id: int, legs: list[Shift], day: date) -> None:
    ids = [leg.id for leg in legs]
    taken = db.session.scalar(
        sa.select(Shift.id).where(
            Shift.request_id == request_id,
            Shift.occurrence_date == day,
            Shift.id.not_in(ids),
        )
    )
    if taken is not None:
        raise FieldError(
            "date", _("This request already has an occurrence on that day: choose another.")
        )


def _keep_or_release(legs: list[Shift], actor: User | None) -> None:
    """Volunteers still free and allowed at the new time stay (told of the change);
    the others are taken off (the shift reopens when nobody is left)."""
    speed = settings_for(legs[0].organisation_id).travel_speed_kmh
    people = {a.volunteer_id: a.volunteer for leg in legs for a in leg.assignments}
    kept = False
    for person in people.values():
        why = next((r for r in (ineligibility(person, leg) for leg in legs) if r), None)
        why = why or conflict(person, legs, speed)
        if why:
            shift_ops.withdraw(legs[0], person, actor, f"moved: {why}")
        else:
            kept = True
    if kept:
        shift_details_changed.send(legs[0], actor=actor, changes=["time"])
    db.session.flush()
