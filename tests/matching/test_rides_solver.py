"""Rides: eligibility, seats, return legs, reasons for unserved rides, feasibility."""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.common.errors import InputError
from matching.rides.check import check_rides
from matching.rides.model import (
    Driver,
    DriverRoute,
    Ride,
    RideSolution,
    RidesProblem,
    RideStop,
)
from matching.rides.solver import solve_rides


def flat_km(lat1, lon1, lat2, lon2):
    """A flat test world: 0.01 degree = 1 km; at 60 km/h one km is one minute."""
    return math.hypot(lat1 - lat2, lon1 - lon2) * 100


def problem(drivers, rides, **kw):
    return RidesProblem(tuple(drivers), tuple(rides), speed_kmh=60.0, distance_km=flat_km, **kw)


def driver(id, lat=0.0, lon=0.0, shift=(8 * 60, 12 * 60), **kw):
    return Driver(id, lat, lon, (shift,), **kw)


def ride(id, at=10 * 60, frm=(0.05, 0.0), to=(0.15, 0.0), **kw):
    kw.setdefault("appointment", at if "earliest_pickup" not in kw else None)
    return Ride(id, frm[0], frm[1], to[0], to[1], **kw)


def solve(p, t=1.0):
    sol = solve_rides(p, time_limit_s=t)
    assert check_rides(p, sol) == []
    return sol


def served_by(sol):
    return {s.ride_id: r.driver_id for r in sol.routes for s in r.stops}


def reasons(sol):
    return {u.ride_id: u.reason for u in sol.unserved}


def test_wheelchair_ride_goes_to_the_accessible_car():
    p = problem([driver("a"), driver("b", wheelchair=True, lat=0.5)], [ride("r", wheelchair=True)])
    assert served_by(solve(p)) == {"r": "b"}


def test_no_accessible_car_says_so():
    sol = solve(problem([driver("a")], [ride("r", wheelchair=True)]))
    assert reasons(sol) == {"r": "no wheelchair-accessible car available"}


def test_seats_are_respected():
    p = problem(
        [driver("small", seats=2), driver("big", seats=4, lat=0.5)], [ride("r", passengers=3)]
    )
    assert served_by(solve(p)) == {"r": "big"}
    sol = solve(problem([driver("small", seats=2)], [ride("r", passengers=3)]))
    assert "seats" in reasons(sol)["r"]


def test_shared_car_never_over_capacity():
    rides = [ride(f"r{i}", frm=(0.05, 0.001 * i)) for i in range(3)]
    sol = solve(problem([driver("a", seats=2), driver("b", seats=2)], rides))
    assert len(served_by(sol)) == 3  # 2 + 1 share cars; check_rides verified the seats


def test_outbound_and_return_served_together_or_not_at_all():
    out = ride("out", at=10 * 60)
    back = ride("back", frm=(0.15, 0.0), to=(0.05, 0.0), earliest_pickup=11 * 60, return_of="out")
    assert set(served_by(solve(problem([driver("a")], [out, back])))) == {"out", "back"}
    late = ride("back", frm=(0.15, 0.0), to=(0.05, 0.0), earliest_pickup=15 * 60, return_of="out")
    sol = solve(problem([driver("a")], [out, late]))
    assert served_by(sol) == {}
    why = reasons(sol)
    assert why["back"] == "no driver available at 15:00"
    assert why["out"] == "its return leg back cannot be served: no driver available at 15:00"


def there_and_back(at=10 * 60, back_at=11 * 60):
    out = ride("out", at=at)
    back = ride("back", frm=(0.15, 0.0), to=(0.05, 0.0), earliest_pickup=back_at, return_of="out")
    return [out, back]


def test_one_driver_takes_the_passenger_there_and_back():
    # "near" lives by the pickup but is free only for the outbound leg; "far" can do both.
    near = driver("near", lat=0.05, shift=(8 * 60, 10 * 60 + 30))
    far = driver("far", lat=-0.3, shift=(8 * 60, 13 * 60))
    assert served_by(solve(problem([near, far], there_and_back()))) == {"out": "far", "back": "far"}


def test_a_driver_with_two_shifts_may_drive_each_leg_in_one():
    d = Driver("d", 0.0, 0.0, ((8 * 60, 10 * 60 + 30), (15 * 60, 17 * 60)))
    sol = solve(problem([d], there_and_back(back_at=15 * 60 + 30)))
    assert served_by(sol) == {"out": "d", "back": "d"}


def test_no_single_driver_for_both_legs_says_so():
    morning = driver("m", shift=(8 * 60, 10 * 60 + 30))
    noon = driver("n", shift=(10 * 60 + 45, 13 * 60))
    sol = solve(problem([morning, noon], there_and_back()))
    why = "no single driver can do both the outbound and the return leg"
    assert served_by(sol) == {} and reasons(sol) == {"out": why, "back": why}


def test_max_minutes_caps_the_legs_a_driver_takes():
    # Each leg: 5 + 10 + 5 = 20 busy minutes (boarding, 10 km at 60 km/h, escorting).
    rides = [ride("a", at=9 * 60), ride("b", at=11 * 60, priority=2)]
    sol = solve(problem([driver("d", max_minutes=30)], rides))
    assert served_by(sol) == {"b": "d"}
    assert reasons(sol) == {"a": "conflicts with higher-priority rides"}
    sol = solve(problem([driver("d", max_minutes=40)], rides))
    assert served_by(sol) == {"a": "d", "b": "d"}


def test_max_minutes_counts_every_shift_of_the_driver():
    d = Driver("d", 0.0, 0.0, ((8 * 60, 10 * 60 + 30), (15 * 60, 17 * 60)), max_minutes=25)
    rides = [ride("a", at=10 * 60), ride("b", at=16 * 60, busy_min=10)]
    sol = solve(problem([d], rides))
    assert len(served_by(sol)) == 1


def test_a_driver_without_the_minutes_is_explained():
    sol = solve(problem([driver("d", max_minutes=15)], [ride("r")]))
    assert reasons(sol) == {
        "r": "every driver free then has used up their hours (the leg takes 20 min)"
    }
    sol = solve(problem([driver("d", max_minutes=30)], there_and_back()))
    why = "no single driver can do both the outbound and the return leg"
    assert reasons(sol) == {"out": why, "back": why}


def test_checker_catches_split_legs_and_minutes_over_the_limit():
    p = problem([driver("a", max_minutes=20), driver("b")], there_and_back())

    def route(d, rid, t0):
        stops = (RideStop(rid, "pickup", t0), RideStop(rid, "dropoff", t0 + 15))
        home = 5 if rid == "out" else 15
        return DriverRoute(d, (8 * 60, 12 * 60), t0 - home, t0 + 20 + 5, stops, 30.0)

    split = RideSolution((route("a", "out", 9 * 60 + 45), route("b", "back", 11 * 60)), (), 60.0)
    errors = check_rides(p, split)
    assert any("outbound by a but return by b" in e for e in errors)
    both = DriverRoute(
        "a",
        (8 * 60, 12 * 60),
        9 * 60 + 40,
        11 * 60 + 25,
        route("a", "out", 9 * 60 + 45).stops + route("a", "back", 11 * 60).stops,
        30.0,
    )
    errors = check_rides(p, RideSolution((both,), (), 30.0))
    assert any("legs take 40 min > max_minutes 20" in e for e in errors)


def test_out_of_range_and_out_of_hours_reasons():
    far = ride("far", to=(5.0, 0.0), earliest_pickup=9 * 60)
    evening = ride("eve", at=18 * 60 + 30)
    sol = solve(problem([driver("a", max_km=50)], [far, evening]))
    assert reasons(sol) == {
        "far": "destination beyond every driver's range",
        "eve": "no driver available at 18:30",
    }


def test_impossible_appointment_is_explained():
    r = ride("r", earliest_pickup=9 * 60 + 55, at=10 * 60, to=(0.5, 0.0))
    r = Ride(
        r.id, r.pickup_lat, r.pickup_lon, 0.5, 0.0, earliest_pickup=9 * 60 + 55, appointment=10 * 60
    )
    sol = solve(problem([driver("a")], [r]))
    assert "cannot be reached" in reasons(sol)["r"]


def test_conflict_with_higher_priority_ride():
    # One driver, two rides at the same time in opposite directions.
    a = ride("a", at=10 * 60, frm=(0.05, 0.0), to=(0.25, 0.0), flex_min=5, priority=1)
    b = ride("b", at=10 * 60, frm=(-0.05, 0.0), to=(-0.25, 0.0), flex_min=5, priority=5)
    sol = solve(problem([driver("d")], [a, b]))
    assert served_by(sol) == {"b": "d"}
    assert reasons(sol) == {"a": "conflicts with higher-priority rides"}


def test_stop_times_respect_windows_and_ride_time():
    r = ride("r", at=10 * 60, max_ride_min=15)
    sol = solve(problem([driver("a")], [r]))
    stops = sol.routes[0].stops
    assert stops[1].time <= 10 * 60 + 1e-6
    assert stops[1].time - stops[0].time - 5 <= 15 + 1e-6
    assert sol.cost_km == pytest.approx(5 + 10 + 15)


def test_matrix_instead_of_function():
    p = problem([driver("a")], [ride("r")])
    locs = [(0.0, 0.0), (0.05, 0.0), (0.15, 0.0)]
    m = tuple(tuple(flat_km(*a, *b) for b in locs) for a in locs)
    p2 = RidesProblem(p.drivers, p.rides, speed_kmh=60.0, matrix_km=m)
    assert solve(p2).cost_km == pytest.approx(solve(p).cost_km)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d, r: ([d[0], d[0]], r), "drivers[1].id"),
        (lambda d, r: (d, [r[0], r[0]]), "rides[1].id"),
        (lambda d, r: ([Driver("x", 95.0, 0.0, ((0, 60),))], r), "drivers[0].lat"),
        (lambda d, r: ([Driver("x", 0.0, 0.0, ((60, 0),))], r), "drivers[0].shifts[0]"),
        (lambda d, r: ([Driver("x", 0.0, 0.0, ((0, 60),), seats=0)], r), "drivers[0].seats"),
        (
            lambda d, r: ([Driver("x", 0.0, 0.0, ((0, 60),), max_minutes=-1)], r),
            "drivers[0].max_minutes",
        ),
        (
            lambda d, r: (d, [Ride("q", 0, 0, 1, 1, appointment=60, busy_min=-1)]),
            "rides[0].busy_min",
        ),
        (lambda d, r: (d, [Ride("q", 0, 0, 1, 1)]), "rides[0].appointment"),
        (
            lambda d, r: (d, [Ride("q", 0, 0, 1, 1, appointment=60, passengers=0)]),
            "rides[0].passengers",
        ),
        (lambda d, r: (d, [Ride("q", 0, math.nan, 1, 1, appointment=60)]), "rides[0].pickup.lon"),
        (
            lambda d, r: (d, [Ride("q", 0, 0, 1, 1, appointment=60, return_of="zz")]),
            "rides[0].return_of",
        ),
    ],
)
def test_bad_problems_name_the_field(mutate, field):
    d, r = mutate([driver("a")], [ride("r")])
    with pytest.raises(InputError) as err:
        solve_rides(problem(d, r), time_limit_s=1)
    assert err.value.field == field


def test_no_drivers_at_all_is_a_plan_with_reasons():
    sol = solve(problem([], [ride("r")]))
    assert sol.routes == () and len(sol.unserved) == 1


# ---- property: whatever the input, the plan passes the independent checker ----

coord = st.floats(-0.2, 0.2, allow_nan=False)


@st.composite
def ride_problems(draw):
    drivers = []
    for k in range(draw(st.integers(1, 3))):
        start = draw(st.integers(6 * 60, 12 * 60))
        shifts = [(start, start + draw(st.integers(30, 360)))]
        if draw(st.booleans()):  # a second shift later in the day
            later = shifts[0][1] + draw(st.integers(0, 120))
            shifts.append((later, later + draw(st.integers(30, 240))))
        drivers.append(
            Driver(
                f"d{k}",
                draw(coord),
                draw(coord),
                tuple(shifts),
                seats=draw(st.integers(1, 4)),
                wheelchair=draw(st.booleans()),
                max_km=draw(st.one_of(st.none(), st.floats(5, 100))),
                max_minutes=draw(st.one_of(st.none(), st.integers(0, 120))),
            )
        )
    rides = []
    for k in range(draw(st.integers(1, 6))):
        t = draw(st.integers(7 * 60, 14 * 60))
        kind = draw(st.sampled_from(["appointment", "pickup", "both"]))
        link = None
        if k > 0 and rides[k - 1].return_of is None and draw(st.booleans()):
            link = rides[k - 1].id
        rides.append(
            Ride(
                f"r{k}",
                draw(coord),
                draw(coord),
                draw(coord),
                draw(coord),
                earliest_pickup=t - 60 if kind != "appointment" else None,
                appointment=t if kind != "pickup" else None,
                passengers=draw(st.integers(1, 3)),
                wheelchair=draw(st.booleans()),
                service_min=draw(st.integers(0, 10)),
                max_ride_min=draw(st.one_of(st.none(), st.integers(5, 60))),
                flex_min=draw(st.integers(0, 45)),
                return_of=link,
                priority=draw(st.integers(1, 3)),
                busy_min=draw(st.one_of(st.none(), st.integers(0, 60))),
            )
        )
    return problem(drivers, rides)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ride_problems())
def test_property_every_plan_passes_the_checker(p):
    sol = solve_rides(p, time_limit_s=0.3)
    assert check_rides(p, sol) == []
    served = set(served_by(sol))
    assert served | {u.ride_id for u in sol.unserved} == {r.id for r in p.rides}
    assert all(u.reason for u in sol.unserved)
