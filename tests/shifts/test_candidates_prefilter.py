"""A new shift's candidates are worked out from the few volunteers who could serve it: the
kinds they offer, their radius around the shift and a free time holding it are asked of
the database first (``candidates._reaching``). The volunteers it leaves out must be only
ones Eligibility refuses: volunteers on every edge of each check are placed around the
homes of requests still to come, and after each request the table must equal checking
every volunteer against every shift."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from tests.factories import make_coordinator, make_org, make_resident, make_volunteer
from tests.shifts.builders import (
    CENTRE,
    WED,
    candidate_table,
    candidates_from_scratch,
    make_request,
    next_weekday,
    ride_draft,
    visit_draft,
)
from webapp.extensions import db
from webapp.orgs.settings import org_tz
from webapp.people.models import AvailabilitySlot, Person
from webapp.shifts import candidates
from webapp.shifts.models import Shift

KM_LAT = 111.2


def _at(home: tuple[float, float], km: float, bearing: float) -> tuple[float, float]:
    lat = home[0] + km * math.cos(bearing) / KM_LAT
    lon = home[1] + km * math.sin(bearing) / (KM_LAT * math.cos(math.radians(home[0])))
    return lat, lon


def _minutes(at: time, n: int) -> time:
    return (datetime.combine(date.today(), at) + timedelta(minutes=n)).time()


def _local_window(shift: Shift) -> tuple[int, time, time]:
    tz = org_tz(shift.organisation_id)
    start, end = shift.starts_at.astimezone(tz), shift.ends_at.astimezone(tz)
    return start.weekday(), start.time(), end.time()


def test_a_new_shift_finds_every_volunteer_who_may_serve_it(db_session):
    org = make_org()
    coord = make_coordinator(org)
    day = next_weekday(WED, 4)
    probe = make_request(org, visit_draft(day), actor=coord)
    db.session.commit()
    first = db.session.scalars(sa.select(Shift).where(Shift.request_id == probe.id)).first()
    weekday, start, end = _local_window(first)

    homes = [_at(CENTRE, km, bearing) for km, bearing in [(0.5, 0), (3, 1), (5, 2.5), (7, 4)]]
    # (kinds, radius, distance as a share of it, free time) around every home to come
    exact = (weekday, start, end)
    edges = [
        ("visits", 3, 0.97, exact),  # inside, free from the very start to the very end
        ("visits", 5, 0.5, (weekday, _minutes(start, 1), end)),  # free a minute late
        ("visits", 5, 0.5, (weekday, start, _minutes(end, -1))),  # gone a minute early
        ("visits", 5, 0.5, ((weekday + 1) % 7, start, end)),  # free the day after
        ("visits", 3, 1.03, None),  # just outside the radius
        ("visits", 8, 0.99, None),  # just inside a wide one
        ("driving", 5, 0.5, None),  # drives only
        ("both", 2, 0.9, None),
    ]
    volunteers = []
    for h, home in enumerate(homes):
        for e, (kinds, radius, share, free) in enumerate(edges):
            lat, lon = _at(home, radius * share, bearing=h + e * 0.7)
            vol = make_volunteer(
                org,
                visits=kinds != "driving",
                driving=kinds != "visits",
                max_km=radius,
                lat=lat,
                lon=lon,
            )
            if free is not None:
                vol.slots.clear()
                vol.slots.append(AvailabilitySlot(weekday=free[0], start=free[1], end=free[2]))
            volunteers.append(vol)
    db.session.commit()
    assert candidate_table() == candidates_from_scratch(org)

    asked, everyone = [], len(volunteers)
    for home in homes:
        for draft in (visit_draft(day), ride_draft(day)):
            resident = make_resident(org, lat=home[0], lon=home[1])
            request = make_request(org, draft, resident=resident, actor=coord)
            db.session.commit()  # (settles: the new shifts' candidates are worked out)
            db.session.expire_all()
            assert candidate_table() == candidates_from_scratch(org), (draft.kind, home)
            shifts = db.session.scalars(sa.select(Shift).where(Shift.request_id == request.id))
            where = [Person.organisation_id == org.id, *candidates._reaching(list(shifts))]
            asked.append(len(candidates._volunteers(db.session, where)))
            db.session.rollback()

    # The edges were met: a volunteer free from the very start to the very end, and one
    # just inside a wide radius, each has the visit near them; the others none.
    served = {p for p, _s in candidate_table()}
    for h in range(len(homes)):
        assert volunteers[h * len(edges)].id in served
        assert volunteers[h * len(edges) + 5].id in served
        for late in (1, 2, 3):
            assert volunteers[h * len(edges) + late].id not in served
    assert max(asked) < everyone / 2  # and the database was asked about a few
