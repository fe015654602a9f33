"""The checker catches each kind of broken solution (one test per rule)."""

import itertools

import pytest

from matching.darp.check import check_solution
from matching.darp.instance import parse_cordeau
from matching.darp.solution import DarpSolution, Route, Stop

# 2 vehicles, 2 requests, T=90, Q=1, L=20. Pickups at x=1,2, deliveries at x=3,4.
TINY = """2 2 90 1 20
0 0 0 0 0 0 100
1 1 0 1 1 0 100
2 2 0 1 1 0 100
3 3 0 1 -1 0 100
4 4 0 1 -1 0 100
5 0 0 0 0 0 100
"""
INST = parse_cordeau(TINY, "tiny")


def asap(route: list[int], begin: float = 0.0) -> tuple[Stop, ...]:
    """Earliest service starts along a route (windows here are wide)."""
    stops, t = [Stop(route[0], begin)], begin
    for u, v in itertools.pairwise(route):
        t = max(t + INST.vertices[u].service + INST.dist(u, v), INST.vertices[v].early)
        stops.append(Stop(v, t))
    return tuple(stops)


def sol(*routes, unserved=()) -> DarpSolution:
    return DarpSolution("tiny", 0.0, tuple(Route(k, s) for k, s in enumerate(routes)), unserved)


GOOD = sol(asap([0, 1, 3, 5]), asap([0, 2, 4, 5]))
EMPTY = asap([0, 5])


def errors(s: DarpSolution) -> list[str]:
    return check_solution(INST, s)[0]


def test_good_solution_passes_and_cost_is_recomputed():
    violations, cost = check_solution(INST, GOOD)
    assert violations == []
    assert cost == pytest.approx(3 + 3 + 4 + 4)


def test_unserved_listed_is_fine():
    assert errors(sol(asap([0, 1, 3, 5]), EMPTY, unserved=(2,))) == []


def test_request_neither_served_nor_listed():
    assert any("neither served" in e for e in errors(sol(asap([0, 1, 3, 5]), EMPTY)))


def test_listed_unserved_but_visited():
    assert any("listed as unserved" in e for e in errors(sol(*GOOD_ROUTES(), unserved=(1,))))


def GOOD_ROUTES():
    return [r.stops for r in GOOD.routes]


def test_route_must_start_at_0_and_end_at_2n_plus_1():
    assert any("start at 0" in e for e in errors(sol(asap([1, 3, 5]), asap([0, 2, 4, 5]))))
    assert any("start at 0" in e for e in errors(sol(asap([0, 1, 3]), asap([0, 2, 4, 5]))))


def test_every_vehicle_has_a_route():
    assert any("missing route" in e for e in errors(sol(asap([0, 1, 3, 2, 4, 5]))))


def test_vertex_visited_twice():
    assert any(
        "more than once" in e for e in errors(sol(asap([0, 1, 3, 5]), asap([0, 1, 2, 4, 5])))
    )


def test_pickup_and_delivery_on_same_vehicle():
    assert any(
        "vehicle" in e and "request 1" in e
        for e in errors(sol(asap([0, 1, 4, 5]), asap([0, 2, 3, 5])))
    )


def test_pickup_before_delivery():
    assert any(
        "delivery before pickup" in e for e in errors(sol(asap([0, 3, 1, 5]), asap([0, 2, 4, 5])))
    )


def test_capacity():
    assert any("capacity" in e for e in errors(sol(asap([0, 1, 2, 3, 4, 5]), EMPTY)))


def test_time_window():
    late = list(GOOD_ROUTES()[0])
    late[2] = Stop(3, 101.0)
    late[3] = Stop(5, 101.0)
    assert any("outside" in e for e in errors(sol(tuple(late), GOOD_ROUTES()[1])))


def test_travel_time_cannot_be_beaten():
    fast = list(GOOD_ROUTES()[0])
    fast[2] = Stop(3, fast[1].start + 1.0)  # needs service 1 + travel 2
    assert any("cannot be reached" in e for e in errors(sol(tuple(fast), GOOD_ROUTES()[1])))


def test_max_ride_time():
    slow = asap([0, 1, 3, 5])
    slow = (
        slow[0],
        slow[1],
        Stop(3, slow[1].start + 1 + 25),
        Stop(5, slow[1].start + 1 + 25 + 1 + 3),
    )
    assert any("ride time" in e for e in errors(sol(slow, GOOD_ROUTES()[1])))


def test_route_duration():
    ok = (Stop(0, 0.0), Stop(1, 1.0), Stop(3, 4.0), Stop(5, 90.0))
    assert errors(sol(ok, GOOD_ROUTES()[1])) == []
    long = (*ok[:3], Stop(5, 95.0))
    assert [e for e in errors(sol(long, GOOD_ROUTES()[1]))] == [
        "vehicle 0: route duration 95.000 > 90.0"
    ]


def test_unknown_vertex_and_vehicle():
    assert any(
        "unknown vertex" in e
        for e in errors(
            sol(asap([0, 1, 3, 5])[:3] + (Stop(9, 50.0), Stop(5, 60.0)), GOOD_ROUTES()[1])
        )
    )
    bad = DarpSolution("tiny", 0.0, (*GOOD.routes, Route(7, EMPTY)), ())
    assert any("no such vehicle" in e for e in errors(bad))


def test_json_round_trip():
    assert DarpSolution.from_json(GOOD.to_json()) == GOOD
