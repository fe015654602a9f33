"""The assignment bound is a lower bound: below every checked plan, above zero."""

import math
from pathlib import Path

import pytest

from matching.darp.bound import assignment_bound, tightened_windows
from matching.darp.check import check_solution
from matching.darp.generate import Spec, generate
from matching.darp.instance import load_cordeau, parse_cordeau
from matching.darp.solver import solve_darp

DATA = Path(__file__).parent / "data" / "darp"


@pytest.mark.parametrize("name,bks", [("a2-16", 294.25), ("a2-20", 344.83), ("a3-18", 300.48)])
def test_below_the_proven_optimum_of_published_instances(name, bks):
    bound = assignment_bound(load_cordeau(DATA / f"{name}.txt"))
    assert 0.4 * bks < bound <= bks


def test_below_planted_and_solved_plans():
    inst, planted = generate(Spec(3, 15, seed=2))
    sol = solve_darp(inst, time_limit_s=30, iterations=50)
    assert check_solution(inst, sol)[0] == [] and sol.unserved == ()
    bound = assignment_bound(inst)
    assert 0 < bound <= sol.cost <= planted.cost + 1e-6


def test_one_request_is_exact():
    # depot -> pickup -> delivery -> depot is the only plan: the bound is its length.
    inst = parse_cordeau("1 1 100 1 30\n0 0 0 0 0 0 100\n1 3 4 0 1 0 100\n2 3 0 0 -1 0 100\n")
    assert assignment_bound(inst) == pytest.approx(5 + 4 + 3, abs=1e-3)


def test_windows_tightened_by_the_ride_limit():
    # Delivery window [50, 60], ride limit 10, service 1: the pickup cannot start before 39.
    inst = parse_cordeau("1 1 100 1 10\n0 0 0 0 0 0 100\n1 1 0 1 1 0 100\n2 2 0 1 -1 50 60\n")
    (ep, lp), (ed, ld) = tightened_windows(inst)[1:3]
    assert ep == 39 and lp == 58 and (ed, ld) == (50, 60)


def test_no_complete_plan_gives_infinity():
    # The delivery window closes before the pickup can be reached and left.
    inst = parse_cordeau("1 1 100 1 30\n0 0 0 0 0 0 100\n1 50 0 0 1 0 100\n2 51 0 0 -1 0 10\n")
    assert assignment_bound(inst) == math.inf
