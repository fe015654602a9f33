"""The board reads only the shifts near the volunteer (a box around their home, the kinds
they offer), and still lists exactly what checking every shift of the town lists."""

from __future__ import annotations

import math
import random
from datetime import time, timedelta

import sqlalchemy as sa

from tests.factories import make_coordinator, make_org, make_resident, make_volunteer
from tests.shifts.builders import in_days, make_request, ride_draft, visit_draft
from webapp.db import utcnow
from webapp.extensions import db
from webapp.orgs.settings import settings_for
from webapp.shifts.board import open_board
from webapp.shifts.eligibility import conflict, held_shifts, ineligibility
from webapp.shifts.legs import by_group
from webapp.shifts.models import Shift
from webapp.shifts.transitions import CLAIMABLE

KM_LAT = 111.0


def _every_shift_checked(person) -> list[list[int]]:  # type: ignore[no-untyped-def]
    """The board as it was computed before the box: every claimable shift of the town."""
    now = utcnow()
    settings = settings_for(person.organisation_id)
    horizon = now + timedelta(weeks=settings.horizon_weeks + 1)
    shifts = db.session.scalars(
        sa.select(Shift).where(
            Shift.organisation_id == person.organisation_id,
            Shift.status.in_(CLAIMABLE),
            Shift.starts_at > now,
            Shift.starts_at < horizon,
        )
    ).all()
    held = held_shifts(person, now, horizon)
    every = db.session.scalars(sa.select(Shift)).all()
    sizes = {g[0].group_key: len(g) for g in by_group(every)}
    out = []
    for legs in by_group(shifts):
        if sizes[legs[0].group_key] != len(legs):
            continue
        if any(leg.free_seats < 1 or person.id in leg.volunteer_ids for leg in legs):
            continue
        if any(ineligibility(person, leg) for leg in legs):
            continue
        if conflict(person, legs, settings.travel_speed_kmh, held):
            continue
        out.append(sorted(leg.id for leg in legs))
    return sorted(out)


def test_board_near_the_volunteer_equals_checking_every_shift(db_session):
    rng = random.Random(3)
    org = make_org()
    coord = make_coordinator(org)
    centre = (41.5936, 14.2325)
    for i in range(40):
        # Homes from 0 to 12 km away; many near the edge of the volunteers' radii.
        km, bearing = rng.uniform(0, 12), rng.uniform(0, 6.283)
        lat = centre[0] + km * math.cos(bearing) / KM_LAT
        lon = centre[1] + km * math.sin(bearing) / (KM_LAT * 0.75)
        resident = make_resident(org, lat=lat, lon=lon)
        day = in_days(3 + i % 7)
        if i % 4 == 0:
            draft = ride_draft(day)
        else:
            draft = visit_draft(day, windows=[(day.weekday(), time(9 + i % 8), time(11 + i % 8))])
        make_request(org, draft, resident=resident, actor=coord)
    volunteers = [
        make_volunteer(org, driving=d, visits=v, max_km=r, lat=centre[0], lon=centre[1])
        for d, v, r in [(True, True, 10), (False, True, 5), (True, False, 3), (True, True, 6.5)]
    ]
    volunteers.append(make_volunteer(org, max_km=5, lat=None, lon=None))  # no home known
    db.session.flush()
    seen = 0
    for vol in volunteers:
        board = sorted(sorted(leg.id for leg in item.legs) for item in open_board(vol))
        assert board == _every_shift_checked(vol)
        seen += len(board)
    assert seen > 10  # the comparison compared something
