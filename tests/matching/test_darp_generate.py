"""Generated instances: deterministic, planted plan feasible, written and read back whole."""

import pytest

from matching.darp.check import check_solution
from matching.darp.generate import Spec, generate
from matching.darp.instance import format_cordeau, parse_cordeau
from matching.darp.solver import solve_darp


@pytest.mark.parametrize(
    "spec", [Spec(2, 6), Spec(3, 13, seed=4), Spec(4, 20, ride=15.0), Spec(3, 9, capacity=1)]
)
def test_planted_plan_serves_everyone_and_passes_the_checker(spec):
    inst, planted = generate(spec)
    assert (inst.vehicles, inst.requests, inst.max_ride_time) == (
        spec.vehicles,
        spec.requests,
        spec.ride,
    )
    assert planted.unserved == ()
    violations, cost = check_solution(inst, planted)
    assert violations == []
    assert cost == pytest.approx(planted.cost)
    # Each request has one 15-minute window, at its pickup or at its delivery.
    n = inst.requests
    for i in range(1, n + 1):
        widths = sorted(inst.vertices[v].late - inst.vertices[v].early for v in (i, i + n))
        assert widths == [spec.window, 2 * spec.horizon]


def test_same_spec_same_instance_other_seed_other_instance():
    assert generate(Spec(3, 12)) == generate(Spec(3, 12))
    assert generate(Spec(3, 12))[0].vertices != generate(Spec(3, 12, seed=1))[0].vertices


def test_names_follow_size_and_ride_limit():
    assert Spec(10, 150).name == "g10-150"
    assert Spec(13, 160, ride=20.0).name == "g13-160-L20"


def test_written_in_cordeau_format_and_read_back_equal():
    inst, _ = generate(Spec(3, 12, ride=20.0))
    text = format_cordeau(inst)
    assert text.splitlines()[0] == "3 12 720 3 20"
    assert parse_cordeau(text, inst.name) == inst


def test_work_limited_solve_repeats_exactly_and_serves_everyone():
    inst, planted = generate(Spec(3, 15, ride=20.0))
    runs = [solve_darp(inst, time_limit_s=60, seed=3, iterations=40) for _ in range(2)]
    assert runs[0] == runs[1]
    assert runs[0].unserved == ()
    violations, cost = check_solution(inst, runs[0])
    assert violations == []
    assert cost <= planted.cost + 1e-6
