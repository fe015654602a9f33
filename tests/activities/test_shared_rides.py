"""Transport to an activity: the selected participants who need a ride get ride
requests; the rides part of a match run shares cars (fewer drivers than passengers);
a shared ride is approved as one route with the solver's stops and times, shown in
order on the run sheet; completing it credits the driver once for the whole route."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.activities.builders import HOMES, applicant, make_activity
from tests.factories import PASSWORD, make_coordinator, make_org, make_volunteer
from tests.helpers import login, post_form
from tests.matchrun.scenario import next_monday, start_run
from webapp.activities import operations as ops
from webapp.core.timeutil import monday_of
from webapp.extensions import db
from webapp.matchrun.hours import busy_minutes, held_minutes, minutes
from webapp.matchrun.models import MatchRun, RunStatus
from webapp.matchrun.shared_rides import max_ride_for
from webapp.orgs.settings import settings_for
from webapp.shifts import operations as shift_ops
from webapp.shifts.legs import group_of
from webapp.shifts.models import RideRoute, Shift, ShiftStatus
from webapp.timebank.models import Transfer


@pytest.fixture(autouse=True)
def _request_context(app):
    with app.test_request_context():
        yield


@pytest.fixture
def inline(app):  # type: ignore[no-untyped-def]
    app.config["MATCHRUN_LAUNCH"] = "inline"
    app.config["MATCHRUN_TIME_LIMIT_S"] = 3.0
    yield
    app.config["MATCHRUN_LAUNCH"] = "process"
    app.config.pop("MATCHRUN_TIME_LIMIT_S", None)


def _day_out(org, coordinator, n: int = 6):  # type: ignore[no-untyped-def]
    monday = next_monday() + timedelta(days=7)
    act = make_activity(org, capacity=n, days=(monday - monday.today()).days + 2)
    apps = [applicant(org, act, ride=True, lat=lat, lon=lon) for lat, lon in HOMES[:n]]
    ops.select(act)
    assert ops.request_rides(act, coordinator) == n
    return act, apps, monday


def test_activity_rides_are_shared_booked_as_routes_and_paid_once(client, db_session, inline):
    org = make_org()
    coordinator = make_coordinator(org)
    drivers = [make_volunteer(org, visits=False, driving=True, seats=4, first_name=f"Drv{i}",
                              lat=41.5940, lon=14.2310) for i in range(4)]  # fmt: skip
    for d in drivers:
        d.volunteer.hours_per_week = 20
    act, apps, monday = _day_out(org, coordinator)
    db.session.commit()
    run = start_run(client, coordinator, monday, "rides")
    assert run.status == RunStatus.DONE, run.error
    rides = run.results["rides"]
    assert rides["check_errors"] == []
    routes = [p for p in rides["proposals"] if p["kind"] == "route"]
    assert routes, rides
    served = rides["solver"]["served"]
    assert served == 6 and rides["unserved"] == []
    assert rides["solver"]["drivers"] < 6  # fewer drivers than passengers
    page = client.get(f"/match/runs/{run.id}").get_data(as_text=True)
    assert "Shared ride" in page and "Drivers used" in page
    post_form(client, f"/match/runs/{run.id}/decide", {"action": "approve_all", "part": "rides"},
              page=f"/match/runs/{run.id}")  # fmt: skip
    db.session.expire_all()
    booked = db.session.scalars(sa.select(RideRoute)).all()
    assert len(booked) == len(routes)
    route = booked[0]
    legs = group_of(route.legs[0])
    assert {leg.route_id for leg in legs} == {route.id} and len(legs) >= 4
    assert all(leg.status == ShiftStatus.APPROVED for leg in legs)
    assert {v for leg in legs for v in leg.volunteer_ids} == {route.driver_id}
    # The stops are in time order, each leg between its pickup and its drop-off.
    times = [s["at"] for s in route.stops]
    assert times == sorted(times)
    # Hours count the route once, not each passenger's overlapping leg.
    span = (max(x.ends_at for x in legs) - min(x.starts_at for x in legs)).total_seconds() // 60
    mine = [x for x in db.session.scalars(sa.select(Shift)) if route.driver_id in x.volunteer_ids]
    held = held_minutes(route.driver_id, monday_of(legs[0].occurrence_date))
    assert held == busy_minutes(mine) < sum(minutes(x) for x in mine)
    # The run sheet lists the stops in order with their times.
    day = legs[0].occurrence_date.isoformat()
    sheet = client.get(f"/shifts/runsheet/{route.driver_id}?date={day}").get_data(as_text=True)
    names = [leg.request.resident.first_name for leg in legs]
    assert "Shared ride" in sheet and all(n in sheet for n in names)
    # Done: move the day into the past, complete the route, the driver is paid once.
    for leg in legs:
        leg.starts_at -= timedelta(days=30)
        leg.ends_at -= timedelta(days=30)
    db.session.flush()
    shift_ops.complete(legs[0], coordinator)
    assert all(leg.status == ShiftStatus.COMPLETED for leg in legs)
    paid = db.session.scalars(
        sa.select(Transfer).where(Transfer.shift_id.in_([x.id for x in legs]))
    ).all()
    assert len(paid) == 1 and paid[0].amount == span


def test_a_passenger_dropping_out_leaves_the_route_and_the_others_still_ride(
    client, db_session, inline
):
    org = make_org()
    coordinator = make_coordinator(org)
    make_volunteer(org, visits=False, driving=True, seats=4, lat=41.5940, lon=14.2310)
    act, apps, monday = _day_out(org, coordinator, n=3)
    db.session.commit()
    run = start_run(client, coordinator, monday, "rides")
    (route_p,) = [p for p in run.results["rides"]["proposals"] if p["kind"] == "route"]
    post_form(client, f"/match/runs/{run.id}/decide", {"action": "approve_all", "part": "rides"},
              page=f"/match/runs/{run.id}")  # fmt: skip
    db.session.expire_all()
    (route,) = db.session.scalars(sa.select(RideRoute)).all()
    before = len(group_of(route.legs[0]))
    gone = next(a for a in apps if a.rides[0].request.id in
                {db.session.get(Shift, s).request_id for s in route_p["legs"]})  # fmt: skip
    ops.withdraw(gone, coordinator)
    db.session.expire_all()
    left = group_of(route.legs[0])
    assert len(left) == before - 2
    assert all(leg.request_id != gone.rides[0].request.id for leg in left)
    assert all(leg.status == ShiftStatus.APPROVED for leg in left)


def test_the_maximum_ride_time_is_the_organisations_and_a_request_may_tighten_it(
    client, db_session
):
    org = make_org()
    coordinator = make_coordinator(org)
    db.session.commit()
    login(client, coordinator.email, PASSWORD)
    rules = {"min_notice_days": "2", "horizon_weeks": "4", "travel_speed_kmh": "30",
             "check_online_residents": "y", "checkin_tolerance_min": "60",
             "checkin_max_factor": "2"}  # fmt: skip
    post_form(client, "/requests/settings", {**rules, "max_ride_minutes": "3"})
    assert settings_for(org.id).max_ride_minutes == 45  # refused: under 5 minutes
    post_form(client, "/requests/settings", {**rules, "max_ride_minutes": "35"})
    db.session.expire_all()
    assert settings_for(org.id).max_ride_minutes == 35
    act, apps, _monday = _day_out(org, coordinator, n=2)
    req = apps[0].rides[0].request
    assert max_ride_for(req, 35) == 35
    req.max_ride_minutes = 20
    assert max_ride_for(req, 35) == 20
    assert max_ride_for(req, None) == 20


def test_a_coordinator_splits_a_shared_ride_and_solves_again(client, db_session, inline):
    org = make_org()
    coordinator = make_coordinator(org)
    for _ in range(3):
        make_volunteer(org, visits=False, driving=True, seats=4, lat=41.5940, lon=14.2310)
    act, apps, monday = _day_out(org, coordinator, n=3)
    db.session.commit()
    run = start_run(client, coordinator, monday, "rides")
    (route_p,) = [p for p in run.results["rides"]["proposals"] if p["kind"] == "route"]
    resp = post_form(client, f"/match/runs/{run.id}/split", {"shift_id": route_p["shift_id"]},
                     page=f"/match/runs/{run.id}")  # fmt: skip
    assert resp.status_code == 302
    new = db.session.scalars(sa.select(MatchRun).order_by(MatchRun.id.desc())).first()
    assert new.parent_id == run.id and new.status == RunStatus.DONE, new.error
    assert sorted(new.no_share) == sorted(route_p["groups"])
    proposals = new.results["rides"]["proposals"]
    assert [p for p in proposals if p["kind"] == "route"] == []
    assert sorted(p["shift_id"] for p in proposals) == sorted(route_p["groups"])
    # A proposal that is not a shared ride cannot be split.
    resp = post_form(client, f"/match/runs/{new.id}/split", {"shift_id": proposals[0]["shift_id"]},
                     page=f"/match/runs/{new.id}")  # fmt: skip
    assert "This is not a shared ride." in client.get(resp.location).get_data(as_text=True)
