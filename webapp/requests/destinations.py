"""A ride's destination placed on the map by a coordinator, when the town's list did not
know it (a resident booked it on their own, or the hospital lies outside the town).

The pin is remembered for the address (the next booking there finds it), and the ride's
future legs take it; open legs not moved by hand are planned again, since the drive time
depends on where the destination is. Operations flush; the view commits.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _

from webapp.auth.models import User
from webapp.core.errors import FieldError
from webapp.db import utcnow
from webapp.extensions import db
from webapp.places.geocoding import InvalidCoordinates, manual_location, remember_pin
from webapp.requests.models import Request, RequestKind
from webapp.requests.planning import plan
from webapp.shifts.models import Shift, ShiftKind, ShiftStatus
from webapp.shifts.transitions import FINAL


def place_destination(
    req: Request, lat: float | None, lon: float | None, actor: User | None = None
) -> int:
    """Put ``req``'s destination at (lat, lon); returns how many future legs moved."""
    if req.kind != RequestKind.RIDE:
        raise FieldError("lat", _("Only a ride has a destination."))
    if lat is None or lon is None:
        raise FieldError("lat" if lat is None else "lon", _("Give both latitude and longitude."))
    try:
        found = manual_location(req.organisation_id, lat, lon, req.destination_address or "")
    except InvalidCoordinates as error:
        raise FieldError(error.field, str(error.message)) from None
    req.destination_lat, req.destination_lon = found.lat, found.lon
    if req.destination_address:
        remember_pin(req.organisation_id, req.destination_address, found)
    legs = db.session.scalars(
        sa.select(Shift).where(
            Shift.request_id == req.id,
            Shift.starts_at > utcnow(),
            Shift.status.not_in(tuple(FINAL)),
        )
    ).all()
    for leg in legs:
        if leg.status == ShiftStatus.OPEN and leg.moved_from is None:
            fresh = {row["kind"]: row for row in plan(req, leg.occurrence_date)}.get(leg.kind)
            if fresh is not None:
                leg.starts_at, leg.ends_at = fresh["starts_at"], fresh["ends_at"]
        if leg.kind == ShiftKind.RIDE_OUT:
            leg.end_lat, leg.end_lon = found.lat, found.lon
        else:
            leg.start_lat, leg.start_lon = found.lat, found.lon
    db.session.flush()
    return len(legs)
