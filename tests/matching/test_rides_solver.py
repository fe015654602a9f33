"""Rides: eligibility, seats, return legs, reasons for unserved rides, feasibility."""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.errors import InputError
from matching.rides import Driver, Ride, RidesProblem, solve_rides
from matching.rides_check import check_rides


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
        drivers.append(
            Driver(
                f"d{k}",
                draw(coord),
                draw(coord),
                ((start, start + draw(st.integers(30, 360))),),
                seats=draw(st.integers(1, 4)),
                wheelchair=draw(st.booleans()),
                max_km=draw(st.one_of(st.none(), st.floats(5, 100))),
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
            )
        )
    return problem(drivers, rides)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ride_problems())
def test_property_every_plan_passes_the_checker(p):
    sol = solve_rides(p, time_limit_s=0.3)
    assert check_rides(p, sol) == []
    served = set(served_by(sol))
    assert served | {u.ride_id for u in sol.unserved} == {r.id for r in p.rides}
    assert all(u.reason for u in sol.unserved)
