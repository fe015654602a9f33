"""The exact route test (schedule.py) against the independent checker and a plain
Bellman-Ford oracle, on random small routes with tight windows, ride and duration limits."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.darp.check import check_solution
from matching.darp.instance import DarpInstance, Vertex
from matching.darp.schedule import Timing, capacity_ok, earliest, feasible, latest
from matching.darp.solution import DarpSolution, Route, Stop


@st.composite
def route_cases(draw):
    """A one-vehicle instance with k requests and one order of its 2k stops."""
    k = draw(st.integers(1, 4))
    n = k
    coord = st.integers(0, 20)
    T = draw(st.integers(20, 200))
    L = draw(st.integers(5, 40))
    Q = draw(st.integers(1, 3))
    verts = [Vertex(0, draw(coord), draw(coord), 0, 0, 0, 200)]
    for i in range(1, 2 * n + 1):
        e = draw(st.integers(0, 150))
        w = draw(st.integers(0, 60))
        q = 1 if i <= n else -1
        verts.append(Vertex(i, draw(coord), draw(coord), draw(st.integers(0, 3)), q, e, e + w))
    verts.append(Vertex(2 * n + 1, verts[0].x, verts[0].y, 0, 0, 0, 200))
    inst = DarpInstance("rand", 1, n, T, Q, L, tuple(verts))
    # A random interleaving with each pickup before its delivery.
    order = draw(st.permutations(list(range(1, n + 1)) * 2))
    seen, seq = set(), [0]
    for r in order:
        seq.append(r + n if r in seen else r)
        seen.add(r)
    seq.append(2 * n + 1)
    return inst, seq


def oracle_feasible(inst: DarpInstance, seq: list[int]) -> bool:
    """Bellman-Ford on the difference constraints x_j - x_i <= c (negative cycle = infeasible)."""
    V, n = inst.vertices, inst.requests
    load = 0
    for v in seq:
        load += V[v].load
        if load > inst.capacity:
            return False
    k = len(seq)
    src = k  # x_src = 0; bounds as edges from/to it
    edges = []  # (i, j, c): x_j <= x_i + c
    for x, v in enumerate(seq):
        edges.append((src, x, V[v].late))
        edges.append((x, src, -V[v].early))
    for x in range(k - 1):
        u, v = seq[x], seq[x + 1]
        edges.append((x + 1, x, -(V[u].service + inst.dist(u, v))))
    pos = {v: x for x, v in enumerate(seq)}
    for i in range(1, n + 1):
        edges.append((pos[i], pos[i + n], V[i].service + inst.max_ride_time))
    edges.append((0, k - 1, inst.max_route_duration))
    dist = [0.0] * (k + 1)
    for _ in range(k + 1):
        changed = False
        for i, j, c in edges:
            if dist[i] + c < dist[j] - 1e-9:
                dist[j] = dist[i] + c
                changed = True
        if not changed:
            return True
    return False


def as_solution(inst, seq, times):
    stops = tuple(Stop(v, t) for v, t in zip(seq, times, strict=True))
    return DarpSolution(inst.name, 0.0, (Route(0, stops),), ())


@settings(max_examples=400, deadline=None)
@given(route_cases())
def test_exact_test_agrees_with_oracle_and_checker(case):
    inst, seq = case
    tm = Timing.of(inst)
    ok = feasible(seq, tm)
    assert ok == oracle_feasible(inst, seq)
    if ok:
        lo, hi = earliest(seq, tm), latest(seq, tm)
        assert check_solution(inst, as_solution(inst, seq, lo))[0] == []
        assert check_solution(inst, as_solution(inst, seq, hi))[0] == []
        assert all(a <= b + 1e-9 for a, b in zip(lo, hi, strict=True))
    elif capacity_ok(seq, tm):  # infeasible for time reasons: both schedules say so
        assert earliest(seq, tm) is None and latest(seq, tm) is None


def test_ride_limit_forces_a_later_pickup():
    # Pickup 1 opens at 0, its delivery opens at 50, L = 10: the earliest schedule must
    # wait to pick up (a forward-only schedule would leave at 0 and ride 49).
    verts = (
        Vertex(0, 0, 0, 0, 0, 0, 100),
        Vertex(1, 1, 0, 0, 1, 0, 100),
        Vertex(2, 2, 0, 0, -1, 50, 100),
        Vertex(3, 0, 0, 0, 0, 0, 100),
    )
    inst = DarpInstance("ride", 1, 1, 100, 3, 10, verts)
    tm = Timing.of(inst)
    times = earliest([0, 1, 2, 3], tm)
    assert times[1] >= 40 - 1e-9 and times[2] == 50
    assert check_solution(inst, as_solution(inst, [0, 1, 2, 3], times))[0] == []


def test_unpaired_or_reversed_routes_are_rejected():
    verts = tuple(
        itertools.chain(
            [Vertex(0, 0, 0, 0, 0, 0, 100)],
            [Vertex(1, 1, 0, 0, 1, 0, 100), Vertex(2, 2, 0, 0, -1, 0, 100)],
            [Vertex(3, 0, 0, 0, 0, 0, 100)],
        )
    )
    tm = Timing.of(DarpInstance("x", 1, 1, 100, 3, 30, verts))
    assert not feasible([0, 2, 1, 3], tm)
    assert not feasible([0, 1, 3], tm)
    assert feasible([0, 1, 2, 3], tm)


@settings(max_examples=300, deadline=None)
@given(route_cases())
def test_insertion_screens_never_drop_a_feasible_position(case):
    """Every exactly-feasible position of a removed request is among the candidates."""
    import numpy as np

    from matching.darp.alns import _Problem, _State, _with_request

    inst, seq = case
    tm = Timing.of(inst)
    if not feasible(seq, tm):
        return
    n, r = inst.requests, 1
    rest = [v for v in seq if v not in (r, r + n)]
    state = _State(_Problem(inst), [rest])
    found = state.candidates(r)
    offered = (
        set() if found is None else set(zip(found[2].tolist(), found[3].tolist(), strict=True))
    )
    for g in range(len(rest) - 1):
        for h in range(g, len(rest) - 1):
            if feasible(_with_request(rest, r, r + n, g, h), tm):
                assert (g, h) in offered
    if found is not None:  # and each candidate's cost is its true added length
        for c, g, h in zip(found[0], found[2], found[3], strict=True):
            new = _with_request(rest, r, r + n, int(g), int(h))
            length = sum(inst.dist(u, v) for u, v in itertools.pairwise(new))
            old = sum(inst.dist(u, v) for u, v in itertools.pairwise(rest))
            assert np.isclose(c, length - old)


@settings(max_examples=200, deadline=None)
@given(route_cases())
def test_earliest_from_an_old_schedule_gives_the_same_answer(case):
    """Seeding the sweep with the route's schedule before an insertion changes nothing."""
    from matching.darp.alns import _with_request

    inst, seq = case
    tm = Timing.of(inst)
    n, r = inst.requests, 1
    rest = [v for v in seq if v not in (r, r + n)]
    old = earliest(rest, tm)
    if old is None:
        return
    for g in range(len(rest) - 1):
        for h in range(g, len(rest) - 1):
            new = _with_request(rest, r, r + n, g, h)
            low = _with_request(old, tm.early[r], tm.early[r + n], g, h)
            plain, seeded = earliest(new, tm), earliest(new, tm, None, low, g + 1)
            assert (plain is None) == (seeded is None)
            if plain is not None:
                assert max(abs(a - b) for a, b in zip(plain, seeded, strict=True)) < 1e-6
