"""Builders for activity tests (real operations, no shortcuts)."""

from __future__ import annotations

from datetime import date, time, timedelta

import sqlalchemy as sa

from tests.factories import make_resident
from tests.shifts.builders import add_place
from webapp.activities import operations as ops
from webapp.activities.models import Activity, Application, IncomeBand
from webapp.extensions import db
from webapp.places.models import GazetteerEntry

CENTRE = ("Piazza Celestino V 1, Isernia", 41.5936, 14.2306)


def make_activity(org, *, capacity: int = 10, days: int = 10, **kw) -> Activity:  # type: ignore[no-untyped-def]
    known = db.session.scalar(
        sa.select(GazetteerEntry.id).where(
            GazetteerEntry.organisation_id == org.id, GazetteerEntry.address == CENTRE[0]
        )
    )
    if known is None:
        add_place(org, *CENTRE, hood="Centro storico")
    base = dict(
        title="Walk in the park",
        place_name="Centro anziani",
        address=CENTRE[0],
        first_day=date.today() + timedelta(days=days),
        start=time(10),
        duration_minutes=120,
        capacity=capacity,
        outlying=["Castelromano", "San Lazzaro"],
    )
    base.update(kw)
    return ops.create_activity(org.id, ops.ActivityDraft(**base))


def applicant(org, activity: Activity, *, age: int = 70, alone: bool = False,  # type: ignore[no-untyped-def]
              income: IncomeBand = IncomeBand.UNKNOWN, ride: bool = False,
              hood: str = "Centro storico", **person_kw) -> Application:  # fmt: skip
    person = make_resident(org, neighbourhood=hood, **person_kw)
    return ops.apply(
        activity, person, None, age=age, lives_alone=alone, income=income, needs_ride=ride
    )


# Homes of the participants of the shared-ride tests, a few streets apart.
HOMES = [(41.5990, 14.2250), (41.5985, 14.2262), (41.5880, 14.2360),
         (41.5890, 14.2372), (41.6000, 14.2380), (41.5870, 14.2240)]  # fmt: skip
