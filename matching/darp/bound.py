"""A proven lower bound on the cost of any plan serving every request: the assignment bound.

Every complete plan gives each start depot, pickup and delivery exactly one successor
(a pickup, a delivery or an end depot), and each pickup, delivery and end depot exactly
one predecessor. The cheapest such assignment, over the arcs some plan could use, is
therefore a lower bound (the classic assignment relaxation: subtours, capacity and ride
times are relaxed). Arcs no plan can use are left out, which is what makes it useful here:

- start depot -> delivery, pickup -> end depot, delivery i -> pickup i;
- i -> j when service at j cannot start in its window after service at i:
  early_i + service_i + t_ij > late_j, with windows first tightened by what the ride limit,
  the travel from pickup to delivery and the depot's window imply.

Costs are rounded down to 1/1000 so the bound stays below the true optimum. Solved with
OR-Tools' linear sum assignment in well under a second for 250 requests. For benchmarks
(``benchmarks/darp_generated.py``), not used by the solver.
"""

from __future__ import annotations

import math

from ortools.graph.python import linear_sum_assignment

from matching.darp.instance import DarpInstance

SCALE = 1000


def tightened_windows(inst: DarpInstance) -> list[tuple[float, float]]:
    """Windows on the start of service that every feasible plan respects."""
    n, end, V, L = inst.requests, inst.end_depot, inst.vertices, inst.max_ride_time
    win = [(v.early, v.late) for v in V]
    e0, lend = V[0].early + V[0].service, V[end].late
    for i in range(1, n + 1):
        d, s = i + n, V[i].service
        (ep, lp), (ed, ld) = win[i], win[d]
        tpd = inst.dist(i, d)
        ep = max(ep, ed - L - s, e0 + inst.dist(0, i))
        lp = min(lp, ld - s - tpd)
        ed = max(ed, ep + s + tpd)
        ld = min(ld, lp + s + L, lend - V[d].service - inst.dist(d, end))
        win[i], win[d] = (ep, lp), (ed, ld)
    return win


def assignment_bound(inst: DarpInstance) -> float:
    """The assignment lower bound on a plan serving every request (module doc); ``inf``
    if the relaxation already has no solution (then no complete plan exists)."""
    n, m, end, V = inst.requests, inst.vehicles, inst.end_depot, inst.vertices
    win = tightened_windows(inst)
    # Left nodes: m start depots, then vertices 1..2n. Right: vertices 1..2n, m end depots.
    left = [0] * m + list(range(1, 2 * n + 1))
    right = list(range(1, 2 * n + 1)) + [end] * m
    lsa = linear_sum_assignment.SimpleLinearSumAssignment()
    for a, u in enumerate(left):
        ready = win[u][0] + V[u].service
        for b, v in enumerate(right):
            if u == 0 and v == end:
                lsa.add_arc_with_cost(a, b, 0)  # an unused vehicle
                continue
            if u == 0 and v > n or v == end and 1 <= u <= n or u == v or u == v + n:
                continue
            t = inst.dist(u, v)
            if ready + t > win[v][1] + 1e-9:
                continue
            lsa.add_arc_with_cost(a, b, math.floor(t * SCALE))
    if lsa.solve() != lsa.OPTIMAL:
        return math.inf
    return float(lsa.optimal_cost()) / SCALE
