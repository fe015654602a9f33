"""Dial-a-ride (DARP) solver for the Cordeau benchmark: parser, solver, checker, CLI."""

from matching.darp.check import check_solution
from matching.darp.instance import DarpInstance, Vertex, load_cordeau, parse_cordeau
from matching.darp.solution import DarpSolution, Route, Stop
from matching.darp.solver import solve_darp

__all__ = [
    "DarpInstance",
    "DarpSolution",
    "Route",
    "Stop",
    "Vertex",
    "check_solution",
    "load_cordeau",
    "parse_cordeau",
    "solve_darp",
]
