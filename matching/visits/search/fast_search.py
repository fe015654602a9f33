"""Run the compiled ruin-and-recreate search (``kernel``, in this package).

``search`` has the signature and the answer of ``ruin_recreate.search``; it builds the
kernel's arrays from the pruned candidates, runs the annealing in slices (so the wall
clock, progress reports and the switch to the polish stage stay in Python), and returns
the best plan with levels 2-3 tidied. ``usable`` says when it can stand in for the
Python search: travel is the geodesic (an injected distance function can only be called
from Python) and the week's travel table fits in memory. numba is a dependency of Ponte
(pyproject.toml), so the kernel is imported unconditionally: a broken kernel fails loudly
instead of quietly handing every week to the slower Python search.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from matching.common.geo import Geo
from matching.visits.model import FixedAssignment, Visit, VisitProblem, Volunteer
from matching.visits.prune import Pruned, prune
from matching.visits.search import kernel
from matching.visits.solution import RawPlan

# Same values and meaning as week_plan / ruin_recreate (this package), except STALL
# (moves without a level-1 gain, per visit, before the search hands over to CP-SAT):
# moves are cheap here, and at 200 x 50 stopping after 100 x visits left 421-422 where
# 500 x visits reached 423-425 (seeds 0-2, 6.5 s).
PREFERRED_BONUS, PRESSURE_WEIGHT = 1000.0, 0.5
STALL, POLISH_FROM = 500, 0.85
PROGRESS_SECONDS = 0.5
# The travel table is n x n int16: 2,000 visits take 8 MB; beyond this many, the Python
# search (a dictionary of the pairs it meets) serves.
MAX_VISITS = 6000
# Slices: a wall-clock slice aims at this many seconds; a counted one is this share.
SLICE_SECONDS, SLICES = 0.05, 64


def usable(problem: VisitProblem) -> bool:
    return problem.distance_km is None and len(problem.visits) <= MAX_VISITS


def _static(problem: VisitProblem, geo: Geo, pruned: Pruned) -> kernel.Static:
    visits, vols = problem.visits, problem.volunteers
    n, nj = len(visits), len(vols)
    vindex: dict[str | None, int] = {u.id: j for j, u in enumerate(vols)}
    pindex = {v.id: i for i, v in enumerate(visits)}
    dur = np.array([v.duration_min for v in visits], np.int64)
    pri = np.array([v.priority for v in visits], np.int64)
    need = np.array([v.volunteers_needed for v in visits], np.int64)
    pref = np.array([vindex.get(v.preferred_volunteer, -1) for v in visits], np.int64)
    cap = np.array([u.max_minutes for u in vols], np.int64)
    asked = np.zeros(nj)
    g_ptr, g_vol, g_km, o_ptr = [0], [], [], [0]
    o_lo, o_hi, o_cost = [], [], []
    by_vol: list[list[int]] = [[] for _ in vols]
    for i, row in enumerate(pruned.cands):
        if row:
            share = pri[i] * dur[i] / len(row)
            for c in row:
                asked[c.vol] += share
            if i not in pruned.reasons:
                for c in sorted(row, key=lambda c: c.vol):
                    cost = c.km - PREFERRED_BONUS if c.vol == pref[i] else c.km
                    g_vol.append(c.vol)
                    g_km.append(c.km)
                    for lo, hi in c.starts:
                        o_lo.append(lo)
                        o_hi.append(hi)
                        o_cost.append(cost)
                    o_ptr.append(len(o_lo))
                    by_vol[c.vol].append(i)
        g_ptr.append(len(g_vol))
    bv_ptr, bv_vis = [0], []
    for b in by_vol:
        bv_vis.extend(sorted(b, key=lambda i: (dur[i], i)))
        bv_ptr.append(len(bv_vis))
    bv_vis_a = np.array(bv_vis, np.int64)
    g_ptr_a = np.array(g_ptr, np.int64)
    servable = np.flatnonzero(g_ptr_a[1:] > g_ptr_a[:-1]).astype(np.int64)
    density = pri / (dur * need)
    order = np.lexsort((np.arange(n), -pri, -density)).astype(np.int64)
    g_vol_a = np.array(g_vol, np.int64)
    gidx = np.full((n, nj), -1, np.int32)
    gidx[np.repeat(np.arange(n), np.diff(g_ptr_a)), g_vol_a] = np.arange(len(g_vol_a))
    fixed = sorted(problem.fixed, key=lambda f: f.start)
    fixed_j = np.full((len(fixed), 2), -1, np.int64)
    fixed_km = np.zeros((len(fixed), 2))
    for f, a in enumerate(fixed):
        for k, u in enumerate(a.volunteers[:2]):
            j = vindex[u]
            fixed_j[f, k] = j
            fixed_km[f, k] = geo.km(visits[pindex[a.visit]].point, vols[j].point)
    return kernel.Static(
        dur=dur,
        pri=pri,
        need=need,
        pref=pref,
        cap=cap,
        g_ptr=g_ptr_a,
        g_vol=g_vol_a,
        g_km=np.array(g_km, np.float64),
        o_ptr=np.array(o_ptr, np.int64),
        o_lo=np.array(o_lo, np.int64),
        o_hi=np.array(o_hi, np.int64),
        o_cost=np.array(o_cost, np.float64),
        bv_ptr=np.array(bv_ptr, np.int64),
        bv_vis=bv_vis_a,
        bv_dur=dur[bv_vis_a] if len(bv_vis_a) else np.zeros(0, np.int64),
        servable=servable,
        serv_cum=np.cumsum(np.maximum(pri[servable], 1)).astype(np.float64),
        vols_active=np.unique(g_vol_a),
        vlat=np.array([u.point[0] for u in vols], np.float64),
        vlon=np.array([u.point[1] for u in vols], np.float64),
        plat=np.array([v.point[0] for v in visits], np.float64),
        plon=np.array([v.point[1] for v in visits], np.float64),
        speed=float(problem.speed_kmh),
        base_pressure=PRESSURE_WEIGHT * asked / np.maximum(cap, 1),
        fixed_vis=np.array([pindex[a.visit] for a in fixed], np.int64),
        fixed_j=fixed_j,
        fixed_start=np.array([a.start for a in fixed], np.int64),
        fixed_km=fixed_km,
        order=order,
        gidx=gidx,
    )


def _state(sta: kernel.Static) -> kernel.State:
    n, nj = sta.dur.shape[0], sta.cap.shape[0]
    # A week never holds more visits than its minutes allow of its shortest candidate,
    # nor more than its candidates, plus its fixed visits (approved before any limit).
    fixed_per = np.bincount(sta.fixed_j[sta.fixed_j >= 0], minlength=nj)
    width = 1
    for j in range(nj):
        b0, b1 = sta.bv_ptr[j], sta.bv_ptr[j + 1]
        free = 0 if b1 == b0 else min(b1 - b0, sta.cap[j] // max(int(sta.bv_dur[b0]), 1))
        width = max(width, int(free + fixed_per[j]) + 1)

    def weeks() -> np.ndarray:
        return np.zeros((nj, width), np.int64)

    return kernel.State(
        seq=weeks(),
        wlo=weeks(),
        whi=weeks(),
        E=weeks(),
        L=weeks(),
        cnt=np.zeros(nj, np.int64),
        load=np.zeros(nj, np.int64),
        js=np.full((n, 2), -1, np.int64),
        served=np.zeros(n, np.int8),
        fixed=np.zeros(n, np.int8),
        fkm=np.zeros((n, 2)),
        travel=np.full((n, n), -1, np.int16),
        pressure=sta.base_pressure.copy(),
        tot=np.zeros(3),
        iw=np.zeros(8, np.int64),
        touched=np.zeros(nj, np.int8),
        touched_list=np.zeros(nj, np.int64),
        bk_seq=weeks(),
        bk_lo=weeks(),
        bk_hi=weeks(),
        bk_E=weeks(),
        bk_L=weeks(),
        bk_cnt=np.zeros(nj, np.int64),
        bk_load=np.zeros(nj, np.int64),
        log_v=np.zeros(2 * n + 4, np.int64),
        log_j=np.zeros((2 * n + 4, 2), np.int64),
        log_kind=np.zeros(2 * n + 4, np.int64),
        saved_tot=np.zeros(3),
        mark=np.zeros(n, np.int64),
        best_js=np.full((n, 2), -1, np.int64),
        best_start=np.full(n, -1, np.int64),
        best_key=np.zeros(3, np.int64),
    )


def _load_plan(st: kernel.State, plan: RawPlan) -> None:
    st.best_js[:, :] = -1
    st.best_start[:] = -1
    for i, (js, start) in plan.items():
        st.best_start[i] = start
        for k, j in enumerate(sorted(js)[:2]):
            st.best_js[i, k] = j


def _plan(st: kernel.State) -> RawPlan:
    out: RawPlan = {}
    for i in np.flatnonzero(st.best_start >= 0):
        js = tuple(int(j) for j in st.best_js[i] if j >= 0)
        out[int(i)] = (js, int(st.best_start[i]))
    return out


def search(
    problem: VisitProblem,
    geo: Geo,
    pruned: Pruned,
    *,
    seed: int = 0,
    start: RawPlan | None = None,
    max_work: int | None = None,
    deadline: float | None = None,
    progress: Callable[[float], None] | None = None,
) -> tuple[RawPlan, dict[str, Any]]:
    """``ruin_recreate.search``, compiled: the best plan found before
    ``max_work`` position tests (deterministic) or the wall-clock ``deadline``."""
    sta = _static(problem, geo, pruned)
    st = _state(sta)
    if start:
        _load_plan(st, start)
        kernel.restore_best(sta, st)
    kernel.construct(sta, st)
    kernel.save_best(st)
    stats: dict[str, Any] = {
        "start": int(st.best_key[0]),
        "iterations": 0,
        "accepted": 0,
        "improved": 0,
    }
    counters = np.zeros(4, np.int64)  # iterations, accepted, improved, last level-1 gain
    if len(sta.vols_active):
        _anneal(sta, st, counters, stats, seed, max_work, deadline, progress)
    kernel.restore_best(sta, st)
    st.pressure[:] = 0.0
    kernel.tidy(sta, st, 2)
    stats.update(
        iterations=int(counters[0]),
        accepted=int(counters[1]),
        improved=int(counters[2]),
        work=int(st.iw[kernel.WORK]),
        best=int(st.best_key[0]),
    )
    stats["key"] = (int(st.best_key[0]), int(st.best_key[1]), -int(st.best_key[2]) / 1e6)
    return _plan(st), stats


def _anneal(
    sta: kernel.Static,
    st: kernel.State,
    counters: np.ndarray,
    stats: dict[str, Any],
    seed: int,
    max_work: int | None,
    deadline: float | None,
    progress: Callable[[float], None] | None,
) -> None:
    kernel.seed_rng(seed)
    stall = STALL * max(sta.dur.shape[0], 100)
    t0 = time.perf_counter()
    span = None if deadline is None else max(deadline - t0, 1e-9)
    rate = None  # position tests per second, measured on the first slice
    last_said = -math.inf

    def frac_now() -> float:
        """Where the schedule stands: by counted work when there is a work limit (the
        answer must not depend on the machine's speed), else by the clock."""
        if max_work is not None:
            return st.iw[kernel.WORK] / max(max_work, 1)
        assert span is not None, "a search without a work limit needs a deadline"
        return (time.perf_counter() - t0) / span

    while True:
        f0 = frac_now()
        if f0 >= 1.0:
            return
        if max_work is not None and span is not None and time.perf_counter() - t0 >= span:
            stats["wall_stopped"] = True  # the safety net: the answer now depends on speed
            return
        if f0 >= POLISH_FROM and not st.iw[kernel.POLISHING]:
            # Last stretch: keep level 1, tidy levels 2-3 (strict acceptance, places by
            # distance rather than contention), from the best plan so far.
            st.iw[kernel.POLISHING] = 1
            st.pressure[:] = 0.0
            kernel.restore_best(sta, st)
        if progress is not None and time.perf_counter() - last_said >= PROGRESS_SECONDS:
            last_said = time.perf_counter()
            progress(f0)
        # This slice's work and where it ends on the schedule (never across the polish).
        end = 1.0 if f0 >= POLISH_FROM else POLISH_FROM
        if max_work is not None:
            chunk = max(1, min(max_work // SLICES, math.ceil((end - f0) * max_work)))
            f1 = min(end, f0 + chunk / max_work)
        else:
            assert span is not None, "a search without a work limit needs a deadline"
            chunk = max(1, int((rate or 1e6) * SLICE_SECONDS))
            f1 = min(end, f0 + SLICE_SECONDS / span)
        w0, c0 = int(st.iw[kernel.WORK]), time.perf_counter()
        go_on = kernel.anneal(sta, st, f0, f1, chunk, counters, stall)
        spent = time.perf_counter() - c0
        if spent > 0:
            rate = (int(st.iw[kernel.WORK]) - w0) / spent
        if not go_on:
            return


def warm() -> float:
    """Compile the kernel (or load it from numba's cache) on a tiny week; returns the
    seconds it took. ``make install`` calls it, so that the first match run of a new
    installation does not spend its time limit compiling (about a minute)."""
    t0 = time.perf_counter()
    day = ((0, 24 * 60),)
    vols = tuple(
        Volunteer(id=f"v{k}", lat=41.59, lon=14.23 + 0.01 * k, max_km=10.0, available=day,
                  max_minutes=600)
        for k in range(2)
    )  # fmt: skip
    visits = tuple(
        Visit(id=f"x{k}", lat=41.59, lon=14.231 + 0.01 * k, duration_min=60, windows=day)
        for k in range(3)
    ) + (Visit(id="pair", lat=41.6, lon=14.24, duration_min=60, windows=day, volunteers_needed=2),)
    problem = VisitProblem(
        speed_kmh=30.0,
        volunteers=vols,
        visits=visits,
        fixed=(FixedAssignment(visit="x0", volunteers=("v0",), start=600),),
    )
    geo = Geo(problem.speed_kmh)
    search(problem, geo, prune(problem, geo), max_work=2000)
    return time.perf_counter() - t0
