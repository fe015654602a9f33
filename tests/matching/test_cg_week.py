"""The weekly-minutes Lagrangian (``matching.bounds.cg_week``): its tables and knapsack are upper
bounds of what they stand for, and the bound sits between the optimum and the CG bound."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.bounds.cg_pricing import Piece
from matching.bounds.cg_week import combine, price_table, week_step
from matching.visits.baseline import first_come
from matching.visits.check import check_solution
from matching.visits.solve import solve_visits
from tests.matching.bound_helpers import bounds, brute_force, random_piece
from tests.matching.builders import H, problem, visit, vol
from tests.matching.strategies import crowded, problems


def enumerate_piece(piece: Piece, weight: np.ndarray) -> dict[int, float]:
    """Best weight of every feasible sequence, per minutes used (by enumeration)."""
    n, best = len(piece.vis), {0: 0.0}
    for r in range(1, n + 1):
        for perm in itertools.permutations(range(n), r):
            end, last, ok = -(10**9), None, True
            for k in perm:
                start = max(piece.s_lo[k], end + (piece.travel[last, k] if last is not None else 0))
                if start > piece.s_hi[k]:
                    ok = False
                    break
                end, last = start + piece.dur[k], k
            if ok and end <= piece.close[last]:
                m = int(piece.dur[list(perm)].sum())
                best[m] = max(best.get(m, -np.inf), float(weight[list(perm)].sum()))
    return best


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 6), st.sampled_from([60, 120, 135, 240]))
def test_table_is_the_best_sequence_per_budget_and_an_upper_bound_when_cut(seed, n, cap):
    rng = np.random.default_rng(seed)
    piece = random_piece(rng, n)
    w = rng.uniform(-1, 5, n)
    step = week_step([piece])
    per_minutes = enumerate_piece(piece, w)
    truth = [
        max(v for m, v in per_minutes.items() if m <= b * step) for b in range(cap // step + 1)
    ]
    table, seqs = price_table(piece, w, cap, step, node_limit=10**6)
    assert np.allclose(table, truth, atol=1e-6)
    for b, seq in enumerate(seqs):  # the sequence given per budget is worth the table entry
        assert piece.dur[list(seq)].sum() <= b * step
        assert abs(w[list(seq)].sum() - truth[b]) < 1e-6
    for limit in (1, 2, 5):
        cut, _ = price_table(piece, w, cap, step, node_limit=limit)
        assert (cut >= np.array(truth) - 1e-9).all()


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(st.floats(0, 10), min_size=1, max_size=5), min_size=1, max_size=4))
def test_combine_is_the_multiple_choice_knapsack(raw):
    K = 4
    tables = [np.maximum.accumulate(np.array((t + [t[-1]] * K)[: K + 1])) for t in raw]
    value, chosen = combine(tables, K)
    truth = max(
        sum(t[u] for t, u in zip(tables, us, strict=True))
        for us in itertools.product(range(K + 1), repeat=len(tables))
        if sum(us) <= K
    )
    assert abs(value - truth) < 1e-9
    assert sum(chosen) <= K
    assert abs(sum(t[u] for t, u in zip(tables, chosen, strict=True)) - value) < 1e-9


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(problems(), crowded()))
def test_week_bound_is_between_the_optimum_and_the_cg_bound(p):
    p = type(p)(
        p.volunteers[:3],
        p.visits[:5],
        p.speed_kmh,
        tuple(
            f
            for f in p.fixed
            if f.visit in {v.id for v in p.visits[:5]}
            and set(f.volunteers) <= {u.id for u in p.volunteers[:3]}
        ),
    )
    res, lp = bounds(p)
    if res.week is None:  # nothing to price (no pieces): the CG bound alone
        assert res.bound == min(res.cg, lp)
        return
    assert brute_force(p) <= res.week <= res.cg
    assert res.bound == min(res.cg, lp, res.week)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(problems(), crowded()))
def test_week_bound_is_above_every_checked_plan(p):
    res, _ = bounds(p)
    for sol in (first_come(p), solve_visits(p, time_limit_s=0.5, max_candidates=None)):
        assert check_solution(p, sol) == []
        assert sol.objective.priority <= res.bound
        assert res.week is None or sol.objective.priority <= res.week


def test_weekly_minutes_are_kept_whole():
    # 90 minutes a week, a one-hour visit in each of two slots: the CG master may serve
    # one and a half of them (3), a week holds only one (2).
    p = problem(
        [vol("anna", available=((9 * H, 12 * H), (33 * H, 36 * H)), max_minutes=90)],
        [
            visit("a", priority=2, windows=((9 * H, 12 * H),)),
            visit("b", priority=2, windows=((33 * H, 36 * H),)),
        ],
    )
    res, lp = bounds(p)
    assert lp == res.cg == 3
    assert res.week == res.bound == 2


def test_volunteers_not_reached_in_time_keep_their_fallback():
    from matching.bounds.cg_week import week_values

    rng = np.random.default_rng(1)
    pieces = [random_piece(rng, 5), random_piece(rng, 5)]
    pieces[1].vol = 1
    for g in pieces:
        g.rho = np.zeros(len(g.vis), dtype=np.int64)
    pi, rho = -rng.uniform(0, 3, 5), np.zeros(1)
    fallback = {0: 7.5, 1: -1.0}
    by_vol = {0: [0], 1: [1]}
    late = week_values(pieces, by_vol, [120, 120], 15, pi, rho, 0.0, lambda: 1.0, 10, fallback)
    assert late is not None and late[0] == 7.5  # nobody reached: the fallbacks (>= 0)
    assert week_values(pieces, by_vol, [120, 120], 15, pi, rho, 0.0, lambda: 1.0) is None
    # in time: each volunteer counts min(its week value, its fallback), never below 0
    v0 = week_values(pieces, {0: [0]}, [120, 120], 15, pi, rho, 1.0, lambda: 0.0, 10**6)[0]
    both = week_values(pieces, by_vol, [120, 120], 15, pi, rho, 1.0, lambda: 0.0, 10**6, fallback)
    assert v0 > 0 and abs(both[0] - min(v0, 7.5)) < 1e-9
