"""Dial-a-ride solver: ``solve_darp`` picks a method and runs it.

The model is :mod:`matching.darp.routing` (OR-Tools routing, pickup and delivery with time
windows). Search: OR-Tools parallel cheapest insertion + guided local search for a first
plan, then ruin-and-recreate driven from Python: native (:mod:`matching.darp.alns`, the
default) or with OR-Tools repairs (:mod:`matching.darp.lns`).
"""

from __future__ import annotations

import os
import random
import sys
import time
from typing import Any

from matching.darp import alns, lns
from matching.darp.instance import DarpInstance
from matching.darp.routing import build_model, extract, routes_of, search_params
from matching.darp.solution import DarpSolution, Route, Stop


def solve_darp(
    inst: DarpInstance,
    *,
    time_limit_s: float,
    seed: int = 0,
    method: str = "alns",
    init_share: float | None = None,
    group: int = 3,
    max_removed: int | None = None,
    iterations: int | None = None,
    stats: dict[str, Any] | None = None,
) -> DarpSolution:
    """Solve a Cordeau instance within about ``time_limit_s`` seconds.

    - ``method="gls"``: the textbook model, one OR-Tools search (parallel cheapest
      insertion, then guided local search) for the whole time.
    - ``method="alns"`` (default): that search for ``init_share`` of the time (default
      0.1), then a
      native ruin-and-recreate with exact route tests
      (:func:`matching.darp.alns.improve`): thousands of moves where OR-Tools repairs
      allow a handful.
    - ``method="ils"``: that search for ``init_share`` of the time (default 0.2), then
      ruin-and-recreate on the whole instance (:func:`matching.darp.lns.ruin_and_recreate`),
      removing up to ``max_removed`` requests at a time (default max(10, n // 3): each
      OR-Tools repair costs 0.3-3 s on the larger instances, so few, large moves won).
    - ``method="decompose"``: as ``ils`` for half the time, then re-optimise groups of
      ``group`` related routes as small instances (:func:`matching.darp.lns.decompose`).
      Measured no better than ``ils`` here (docs/benchmarks-darp.md); kept as an option.

    ``seed`` drives every random choice (OR-Tools itself has no seed), so runs repeat up
    to timing effects. ``iterations`` (``alns`` only) makes a run work-limited: no
    OR-Tools start (its search is cut by the clock), the plan built by insertion, then at
    most that many ruin-and-recreate moves with the temperature following the moves; a
    run that ends by its move count, not by ``time_limit_s``, gives the same plan on any
    machine for a given seed. ``stats``, if given, receives the search's counters
    (``alns_iterations``, ``alns_seconds``, ...). Always returns a plan, possibly with
    unserved requests; the schedule is feasible by construction and verified by
    ``check_solution`` in the tests.
    """
    if method not in ("gls", "alns", "ils", "decompose"):
        raise ValueError(f"unknown method {method!r}")
    started = time.monotonic()
    deadline = started + time_limit_s
    if method == "gls":
        manager, routing, tdim, _keep = build_model(inst)
        found = routing.SolveWithParameters(search_params(time_limit_s))
        return _empty(inst) if found is None else extract(inst, manager, routing, tdim, found)
    rng = random.Random(seed)
    stats = {} if stats is None else stats
    if method == "alns":
        # A short OR-Tools run is enough: the native search improves faster from there
        # (0.1 vs 0.2 of the time at 5 s on the five hardest instances: mean gap 2.8% vs
        # 3.5%, within noise; docs/benchmarks-darp.md).
        start = None
        if iterations is None:
            manager, routing, tdim, _keep = build_model(inst)
            budget = search_params(time_limit_s * (init_share or 0.1))
            first = routing.SolveWithParameters(budget)
            start = None if first is None else routes_of(routing, manager, first, inst.vehicles)
        plan = alns.improve(
            inst,
            start,
            deadline,
            rng,
            max_removed=max_removed or 15,
            max_iterations=iterations,
            stats=stats,
        )
        if os.environ.get("DARP_DEBUG"):
            print(f"{inst.name}: {stats}", file=sys.stderr)
        return plan
    split = deadline if method == "ils" or inst.vehicles <= group else started + time_limit_s / 2
    sol = lns.ruin_and_recreate(
        inst,
        None,
        split,
        rng,
        init_budget=time_limit_s * (init_share or 0.2),
        max_removed=max_removed or max(10, inst.requests // 3),
        stats=stats,
    )
    if sol is None:
        return _empty(inst)
    if split < deadline and not sol.unserved:
        sol = lns.decompose(
            inst, sol, deadline, rng, group=group, budget=max(0.5, time_limit_s / 20), stats=stats
        )
    if os.environ.get("DARP_DEBUG"):
        print(f"{inst.name}: {stats}", file=sys.stderr)
    return sol


def _empty(inst: DarpInstance) -> DarpSolution:
    """Every request unserved: what we return if no plan was found at all."""
    t0 = inst.vertices[0].early
    routes = tuple(Route(k, (Stop(0, t0), Stop(inst.end_depot, t0))) for k in range(inst.vehicles))
    return DarpSolution(inst.name, 0.0, routes, tuple(range(1, inst.requests + 1)))
