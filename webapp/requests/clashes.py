"""A resident's own bookings checked against each other (docs/guard-rails.md).

A resident cannot be at home for a visit and in a car to the hospital at once. The rule
is the volunteers' (``shifts.eligibility.overlaps``, travel time included). A resident
asking is refused with the clash named; a coordinator is warned with the clash named and
may go ahead knowingly (``Draft.accept_clash``, "book it anyway").
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _

from webapp.auth.models import User
from webapp.core.dates import reader_date
from webapp.core.errors import FieldError
from webapp.extensions import db
from webapp.orgs.profile import call_us
from webapp.orgs.settings import org_tz, settings_for
from webapp.permissions import is_coordinator
from webapp.requests.models import Request, RequestKind
from webapp.shifts.eligibility import overlaps
from webapp.shifts.models import Shift, ShiftKind, ShiftStatus

# A booking that will not happen (or did not) clashes with nothing.
GONE = (ShiftStatus.CANCELLED, ShiftStatus.UNFILLED, ShiftStatus.NO_SHOW)
MARGIN = timedelta(hours=6)


def first_clash(req: Request) -> tuple[Shift, Shift] | None:
    """(new shift, the resident's other booking it overlaps), earliest first, or None."""
    mine = db.session.scalars(
        sa.select(Shift)
        .where(Shift.request_id == req.id, Shift.status.not_in(GONE))
        .order_by(Shift.starts_at, Shift.id)
    ).all()
    if not mine or req.resident_id is None:
        return None
    others = db.session.scalars(
        sa.select(Shift)
        .join(Request, Request.id == Shift.request_id)
        .where(
            Request.resident_id == req.resident_id,
            Request.id != req.id,
            Shift.status.not_in(GONE),
            # wider than any travel time inside one town (the rule adds it)
            Shift.ends_at > mine[0].starts_at - MARGIN,
            Shift.starts_at < mine[-1].ends_at + MARGIN,
        )
        .order_by(Shift.starts_at, Shift.id)
    ).all()
    speed = settings_for(req.organisation_id).travel_speed_kmh
    for shift in mine:
        for other in others:
            if overlaps(shift, other, speed):
                return shift, other
    return None


def _describe(shift: Shift) -> str:
    tz = org_tz(shift.organisation_id)
    start, end = shift.starts_at.astimezone(tz), shift.ends_at.astimezone(tz)
    what = _("a home visit") if shift.kind == ShiftKind.VISIT else _("a ride")
    return str(
        _(
            "%(what)s on %(day)s from %(start)s to %(end)s",
            what=what,
            day=reader_date(start.date()),
            start=start.strftime("%H:%M"),
            end=end.strftime("%H:%M"),
        )
    )


def check_clash(req: Request, actor: User | None, accept: bool) -> None:
    """Refuse (resident) or warn (coordinator, unless ``accept``) when a new booking of
    ``req`` overlaps another booking of the same resident."""
    found = first_clash(req)
    if found is None:
        return
    _new, other = found
    if actor is not None and is_coordinator(actor):
        if accept:
            return
        name = req.resident.full_name if req.resident else ""
        raise FieldError(
            "accept_clash",
            _(
                "%(name)s already has %(other)s, which overlaps this booking. Tick "
                "\u201cBook it anyway\u201d to go ahead knowingly, or change the time.",
                name=name,
                other=_describe(other),
            ),
        )
    field = "appointment_time" if req.kind == RequestKind.RIDE else "start_date"
    raise FieldError(
        field,
        _(
            "You already have %(other)s. Please choose another time. To change the other "
            "one, %(call_us)s.",
            other=_describe(other),
            call_us=call_us(req.organisation_id),
        ),
    )
