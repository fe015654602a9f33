"""A small organisation with open visits and rides, built through the real operations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta

import sqlalchemy as sa

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident, make_volunteer
from tests.helpers import login, post_form
from tests.shifts.builders import make_request, ride_draft, shifts_of, visit_draft
from webapp.extensions import db
from webapp.matchrun.models import MatchRun
from webapp.people.models import AvailabilitySlot

# Points around Isernia, a few hundred metres to a few kilometres apart.
CENTRE = (41.5936, 14.2325)
NORTH = (41.6040, 14.2330)
EAST = (41.5940, 14.2500)
FAR = (41.6800, 14.3500)  # ~13 km out


def next_monday() -> date:
    today = date.today()
    return today + timedelta(days=14 - today.weekday())  # always >= 8 days ahead (notice)


@dataclass
class Org:
    org: object
    coordinator: object
    vols: dict[str, object] = field(default_factory=dict)
    visits: dict[str, object] = field(default_factory=dict)  # name -> Shift
    requests: dict[str, object] = field(default_factory=dict)
    monday: date = field(default_factory=next_monday)


def small_org(with_rides: bool = False) -> Org:
    """The week after next: five visits (one in English, one for two volunteers, one out of
    everyone's range) and four visit volunteers; optionally a ride with a return and a
    driver. Ids follow creation order, so first come tries Giulia, Marco, Sara, Luca."""
    org = make_org()
    o = Org(org, make_coordinator(org))
    mon, tue = o.monday, o.monday + timedelta(days=1)
    o.vols["giulia"] = make_volunteer(
        org,
        first_name="Giulia",
        lat=CENTRE[0],
        lon=CENTRE[1],
        languages=["it"],
        gender="f",
        max_km=5,
    )
    o.vols["marco"] = make_volunteer(
        org,
        first_name="Marco",
        lat=NORTH[0],
        lon=NORTH[1],
        languages=["it", "en"],
        gender="m",
        max_km=5,
    )
    o.vols["sara"] = make_volunteer(
        org, first_name="Sara", lat=EAST[0], lon=EAST[1], languages=["it"], gender="f", max_km=5
    )
    # Sara is only free on Monday mornings.
    sara = o.vols["sara"]
    sara.slots.clear()
    sara.slots.append(AvailabilitySlot(weekday=0, start=time(9), end=time(13)))
    o.vols["luca"] = make_volunteer(
        org, first_name="Luca", lat=CENTRE[0], lon=CENTRE[1], languages=["it"], gender="m", max_km=5
    )
    db.session.flush()

    def visit(name, day, where, **kw):  # type: ignore[no-untyped-def]
        resident = make_resident(org, first_name=name.title(), lat=where[0], lon=where[1])
        req = make_request(org, visit_draft(day, **kw), resident=resident, actor=o.coordinator)
        o.requests[name] = req
        (o.visits[name],) = shifts_of(req)

    visit("ada", mon, CENTRE)
    visit("bruno", mon, EAST, windows=[(mon.weekday(), time(10), time(12))])
    # Dino (two volunteers) comes before Carla (English) in first-come order: first come
    # seats Giulia and Marco with Dino and leaves Carla, who needs Marco, unfilled.
    visit("dino", tue, CENTRE, two_volunteers=True, windows=[(tue.weekday(), time(10), time(11))])
    visit("carla", tue, NORTH, languages=["en"], windows=[(tue.weekday(), time(10), time(11))])
    visit("elsa", tue, FAR)
    if with_rides:
        o.vols["driver"] = make_volunteer(
            org,
            first_name="Piero",
            driving=True,
            visits=False,
            lat=CENTRE[0],
            lon=CENTRE[1],
            max_km=20,
        )
        req = make_request(org, ride_draft(tue), actor=o.coordinator)
        o.requests["ride"] = req
    return o


def start_run(client, coordinator, monday: date, scope: str) -> MatchRun:  # type: ignore[no-untyped-def]
    """Log in as ``coordinator`` and propose matches for the week of ``monday``; the run
    (solved inline by the tests' ``inline`` fixture) as the page left it."""
    login(client, coordinator.email, PASSWORD)
    resp = post_form(
        client,
        "/match/",
        {
            "date_from": monday.isoformat(),
            "date_to": (monday + timedelta(days=6)).isoformat(),
            "scope": scope,
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    run = db.session.scalars(sa.select(MatchRun).order_by(MatchRun.id.desc())).first()
    assert resp.headers["Location"].endswith(f"/match/runs/{run.id}")
    return run


def more_visits(o: Org, n: int) -> None:
    """``n`` more visits later in the week, near everyone: the run proposes them all."""
    for i in range(n):
        day = o.monday + timedelta(days=2 + i % 3)
        resident = make_resident(o.org, first_name=f"Extra{i}", lat=CENTRE[0], lon=CENTRE[1])
        req = make_request(o.org, visit_draft(day), resident=resident, actor=o.coordinator)
        (o.visits[f"extra{i}"],) = shifts_of(req)
