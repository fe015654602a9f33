"""The ``solve`` fixture of the matching tests (the builders are in builders.py)."""

from __future__ import annotations

import pytest

from matching.visits.check import check_solution
from matching.visits.model import VisitProblem, VisitSolution
from matching.visits.solve import solve_visits


@pytest.fixture
def solve():
    """Solve quickly and always run the independent checker on the answer."""

    def run(p: VisitProblem, **kw) -> VisitSolution:
        sol = solve_visits(p, time_limit_s=kw.pop("time_limit_s", 2.0), **kw)
        assert check_solution(p, sol) == []
        return sol

    return run
