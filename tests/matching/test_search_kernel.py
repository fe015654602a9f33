"""The compiled search's own parts: travel never below the checker's, the week's
earliest and latest starts, a plan handed back in, and when it stands aside."""

from __future__ import annotations

import random

import numpy as np

from benchmarks.town_week import town_week
from matching.common.geo import Geo, matrix_distance
from matching.visits.prune import prune
from matching.visits.scenario_io import parse_scenario
from matching.visits.search import fast_search, kernel
from tests.matching.builders import problem, visit, vol


def _static_for(points, speed=30.0):
    """A Static with just the visit places filled in (all the travel code reads)."""
    p, _ = parse_scenario(town_week(20, 5, seed=0, fixed_share=0.0))
    geo = Geo(p.speed_kmh)
    sta = fast_search._static(p, geo, prune(p, geo))
    lat = np.array([a for a, _ in points], np.float64)
    lon = np.array([b for _, b in points], np.float64)
    return sta._replace(plat=lat, plon=lon, speed=speed)


def test_travel_agrees_with_the_checker_and_never_counts_less():
    rng = random.Random(3)
    points = [(41.59 + rng.uniform(-0.2, 0.2), 14.23 + rng.uniform(-0.3, 0.3)) for _ in range(400)]
    points += [(41.6, 14.2), (41.6, 14.2)]  # the same place twice: no travel
    geo = Geo(30.0)
    sta = _static_for(points)
    pairs = [(a, b) for a in range(len(points)) for b in range(a + 1, len(points))]
    rng.shuffle(pairs)
    differ = 0
    for a, b in pairs[:20_000]:
        mine = kernel.travel_of(sta, a, b)
        theirs = geo.travel(points[a], points[b])
        assert mine >= theirs, (points[a], points[b])
        differ += mine != theirs
    # Rounded up only within a centimetre of a minute boundary: practically never.
    assert differ <= 2
    assert kernel.travel_of(sta, len(points) - 2, len(points) - 1) == 0


def test_vincenty_matches_the_geodesic():
    from matching.common.geo import geodesic_km

    rng = random.Random(5)
    for _ in range(2000):
        a = (rng.uniform(-60, 60), rng.uniform(-170, 170))
        b = (a[0] + rng.uniform(-1, 1), a[1] + rng.uniform(-1, 1))
        assert abs(kernel.vincenty_km(*a, *b) - geodesic_km(a, b)) < 1e-6  # a millimetre


def test_a_plan_handed_back_in_is_kept():
    """A re-solve starts from the last plan: the search never returns worse than it."""
    p, _ = parse_scenario(town_week(300, 60, seed=2, fixed_share=0.05))
    geo = Geo(p.speed_kmh)
    pruned = prune(p, geo)
    plan, stats = fast_search.search(p, geo, pruned, seed=4, max_work=100_000)
    again, stats2 = fast_search.search(p, geo, pruned, seed=9, max_work=1, start=plan)
    assert stats2["start"] == stats["best"]
    assert stats2["best"] >= stats["best"]
    assert sum(p.visits[i].priority for i in again) == stats2["best"]


def test_weeks_hold_their_earliest_and_latest_starts():
    """After a search, every week's stored earliest and latest starts equal a fresh
    forward and backward pass over its visits (the undo restored them exactly)."""
    p, _ = parse_scenario(town_week(200, 40, seed=6, fixed_share=0.05))
    geo = Geo(p.speed_kmh)
    sta = fast_search._static(p, geo, prune(p, geo))
    st = fast_search._state(sta)
    kernel.construct(sta, st)
    kernel.save_best(st)
    kernel.seed_rng(1)
    kernel.anneal(sta, st, 0.0, 0.5, 50_000, np.zeros(4, np.int64), 10**9)
    for j in range(len(p.volunteers)):
        n = st.cnt[j]
        seq = st.seq[j, :n]
        E, L = st.wlo[j, :n].copy(), st.whi[j, :n].copy()
        for k in range(1, n):
            E[k] = max(E[k], E[k - 1] + sta.dur[seq[k - 1]] + st.travel[seq[k - 1], seq[k]])
        for k in range(n - 2, -1, -1):
            L[k] = min(L[k], L[k + 1] - sta.dur[seq[k]] - st.travel[seq[k], seq[k + 1]])
        assert (st.E[j, :n] == E).all() and (st.L[j, :n] == L).all()
        assert (E <= L).all()  # every visit still fits
        assert st.load[j] == sum(sta.dur[v] for v in seq)


def test_an_injected_distance_leaves_the_python_search_in_charge():
    p = problem([vol("anna")], [visit("v")])
    assert fast_search.usable(p)
    pts = [p.volunteers[0].point, p.visits[0].point]
    road = p.__class__(**{**p.__dict__, "distance_km": matrix_distance(pts, [[0, 1], [1, 0]])})
    assert not fast_search.usable(road)
