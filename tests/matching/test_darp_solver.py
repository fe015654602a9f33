"""Solver and CLI on small Cordeau instances: plans are checker-feasible and complete."""

import csv
import json
from pathlib import Path

import pytest

from matching.darp.check import check_solution
from matching.darp.cli import main
from matching.darp.instance import load_cordeau, parse_cordeau
from matching.darp.solution import DarpSolution
from matching.darp.solver import solve_darp

DATA = Path(__file__).parent / "data" / "darp"
with (DATA / "bks.csv").open(encoding="utf-8") as _fh:
    BKS = {r["instance"]: float(r["bks_cost"]) for r in csv.DictReader(_fh)}


@pytest.mark.parametrize("name", ["a2-16", "a3-18"])
@pytest.mark.parametrize("method", ["ils", "gls"])
def test_small_instance_is_feasible_and_near_best_known(name, method):
    inst = load_cordeau(DATA / f"{name}.txt")
    sol = solve_darp(inst, time_limit_s=2, method=method)
    violations, cost = check_solution(inst, sol)
    assert violations == []
    assert sol.unserved == ()
    assert cost == pytest.approx(sol.cost)
    assert cost <= BKS[name] * 1.05  # both reach 0-1% here; 5% keeps the test robust


def test_cli_writes_the_documented_json(tmp_path):
    out = tmp_path / "sol.json"
    assert (
        main([str(DATA / "a2-20.txt"), "--time-limit", "2", "--output", str(out), "--seed", "3"])
        == 0
    )
    data = json.loads(out.read_text())
    assert set(data) == {"instance", "cost", "routes", "unserved"}
    assert data["instance"] == "a2-20" and isinstance(data["cost"], float)
    assert [r["vehicle"] for r in data["routes"]] == [0, 1]
    for route in data["routes"]:
        assert route["stops"][0]["vertex"] == 0 and route["stops"][-1]["vertex"] == 41
        assert all(set(s) == {"vertex", "start"} for s in route["stops"])
    inst = load_cordeau(DATA / "a2-20.txt")
    assert check_solution(inst, DarpSolution.from_json(data))[0] == []


def test_unreachable_request_is_left_out_not_fatal():
    # Request 2's pickup window closes before the vehicle can get there.
    text = """1 2 100 3 30
0 0 0 0 0 0 100
1 1 0 1 1 0 100
2 50 0 1 1 0 10
3 2 0 1 -1 0 100
4 51 0 1 -1 0 100
5 0 0 0 0 0 100
"""
    inst = parse_cordeau(text, "t")
    sol = solve_darp(inst, time_limit_s=1)
    assert sol.unserved == (2,)
    assert check_solution(inst, sol)[0] == []


def test_unused_vehicle_is_reported_as_depot_to_depot():
    text = """2 1 100 3 30
0 0 0 0 0 0 100
1 1 0 1 1 0 100
2 2 0 1 -1 0 100
3 0 0 0 0 0 100
"""
    sol = solve_darp(parse_cordeau(text, "t"), time_limit_s=1)
    stops = sorted([s.vertex for s in r.stops] for r in sol.routes)
    assert stops == [[0, 1, 2, 3], [0, 3]]


def test_decomposition_keeps_plans_feasible():
    inst = load_cordeau(DATA / "a3-18.txt")
    sol = solve_darp(inst, time_limit_s=3, method="decompose", group=2, seed=1)
    assert check_solution(inst, sol)[0] == []
    assert sol.unserved == ()


def test_unknown_method_is_rejected():
    with pytest.raises(ValueError):
        solve_darp(load_cordeau(DATA / "a2-16.txt"), time_limit_s=1, method="magic")


def test_sub_instance_maps_requests():
    from matching.darp.lns import sub_instance

    inst = load_cordeau(DATA / "a2-16.txt")
    sub = sub_instance(inst, [3, 7], 1)
    assert (sub.requests, sub.vehicles, len(sub.vertices)) == (2, 1, 6)
    assert sub.vertices[1].x == inst.vertices[3].x and sub.vertices[4].x == inst.vertices[23].x
    assert [v.id for v in sub.vertices] == list(range(6))


def test_native_search_builds_and_improves_from_nothing():
    import random
    import time

    from matching.darp.alns import improve

    inst = load_cordeau(DATA / "a3-18.txt")
    sol = improve(inst, None, time.monotonic() + 2, random.Random(1))
    violations, cost = check_solution(inst, sol)
    assert violations == [] and sol.unserved == ()
    assert cost == pytest.approx(sol.cost)
    assert cost <= BKS["a3-18"] * 1.05


def test_native_search_drops_an_infeasible_start_route():
    import random
    import time

    from matching.darp.alns import improve

    inst = load_cordeau(DATA / "a2-16.txt")
    n = inst.requests
    # Vehicle 0 gets every delivery before its pickup: infeasible, so it is rebuilt.
    bad = [[i + n for i in range(1, n + 1)] + list(range(1, n + 1)), []]
    sol = improve(inst, bad, time.monotonic() + 1, random.Random(0))
    assert check_solution(inst, sol)[0] == []
    assert sol.unserved == ()
