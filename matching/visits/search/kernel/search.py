"""The search itself: ruin a few weeks, recreate the best set that fits, anneal, tidy."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from matching.visits.search.kernel.insert import insert_each, lex_order
from matching.visits.search.kernel.plans import save_best
from matching.visits.search.kernel.state import (
    CLASH_MARGIN,
    CLASH_P,
    DYNAMIC,
    ITERATION_WORK,
    NEAR_P,
    NOISE,
    OTHER_P,
    POLISH_FROM,
    POLISH_SEED_P,
    POLISHING,
    PRESSURE_WEIGHT,
    PRICE_HI,
    PRICE_LO,
    RANDOM_ORDER,
    RUIN_VOLS,
    SEED_P,
    STAMP,
    T_END,
    T_START,
    WORK,
    State,
    Static,
)
from matching.visits.search.kernel.weeks import (
    begin_move,
    cmp_keys,
    commit_move,
    plan_key,
    remove,
    rollback_move,
)

# -- ruin and recreate ----------------------------------------------------------------


@njit(cache=True)
def _pick_unserved(sta: Static, st: State) -> int:
    total = sta.serv_cum[-1]
    while True:
        k = np.searchsorted(sta.serv_cum, np.random.random() * total, side="right")
        if k >= sta.servable.shape[0]:
            k = sta.servable.shape[0] - 1
        i = sta.servable[k]
        if not st.served[i]:
            return i


@njit(cache=True)
def _clashes(
    o_ptr: np.ndarray, o_lo: np.ndarray, o_hi: np.ndarray, du: int, g: int, start: int, d: int
) -> bool:
    """Does a booked visit at ``start`` (``d`` minutes) come within CLASH_MARGIN of the
    ranges of option group g (the waiting visit's, ``du`` minutes long)?"""
    for o in range(o_ptr[g], o_ptr[g + 1]):
        lo, hi = o_lo[o], o_hi[o] + du
        if start < hi + CLASH_MARGIN and start + d > lo - CLASH_MARGIN:
            return True
    return False


@njit(cache=True)
def _ruin(
    sta: Static, st: State, n_unserved: int, chosen: np.ndarray, pool: np.ndarray
) -> tuple[int, int]:
    """Take visits out of a few weeks; fills ``chosen`` (weeks touched) and ``pool``
    (visits to put back); returns their lengths and the seed visit's index (-1: none)."""
    nc = 0
    npool = 0
    u = -1
    seed_p = POLISH_SEED_P if st.iw[POLISHING] else SEED_P
    if n_unserved > 0 and np.random.random() < seed_p:
        u = _pick_unserved(sta, st)
        g0, g1 = sta.g_ptr[u], sta.g_ptr[u + 1]
        nv = g1 - g0
        k = np.random.randint(1, min(RUIN_VOLS, nv) + 1)
        if np.random.random() < NEAR_P and k > 1:
            first = sta.g_vol[g0 + np.random.randint(nv)]
            rest = np.empty(nv - 1, np.int64)
            dist = np.empty(nv - 1, np.float64)
            m = 0
            for g in range(g0, g1):
                v = sta.g_vol[g]
                if v != first:
                    rest[m] = v
                    dist[m] = (sta.vlat[first] - sta.vlat[v]) ** 2 + (
                        (sta.vlon[first] - sta.vlon[v]) * 0.75
                    ) ** 2
                    m += 1
            order = lex_order(dist, rest)
            chosen[0] = first
            nc = 1
            for x in range(k - 1):
                chosen[nc] = rest[order[x]]
                nc += 1
        else:
            vols = sta.g_vol[g0:g1].copy()
            for x in range(k):  # a partial Fisher-Yates shuffle: a sample of k
                y = x + np.random.randint(nv - x)
                vols[x], vols[y] = vols[y], vols[x]
                chosen[nc] = vols[x]
                nc += 1
        pool[0] = u
        npool = 1
    else:
        chosen[0] = sta.vols_active[np.random.randint(sta.vols_active.shape[0])]
        nc = 1
    q = np.random.random()
    c = 0
    snapshot = np.empty(st.seq.shape[1], np.int64)
    while c < nc:  # grows: partners of removed two-volunteer visits join
        j = chosen[c]
        c += 1
        g_u = sta.gidx[u, j] if u >= 0 else -1
        n = st.cnt[j]
        snapshot[:n] = st.seq[j, :n]
        for x in range(n):
            v = snapshot[x]
            if st.fixed[v] or not st.served[v]:
                continue
            p = 0
            while st.seq[j, p] != v:
                p += 1
            clash = g_u >= 0 and _clashes(
                sta.o_ptr, sta.o_lo, sta.o_hi, sta.dur[u], g_u, st.E[j, p], sta.dur[v]
            )
            if np.random.random() < (CLASH_P if clash else q * OTHER_P):
                p0, p1 = st.js[v, 0], st.js[v, 1]
                remove(sta, st, v)
                pool[npool] = v
                npool += 1
                for partner in (p0, p1):
                    if partner >= 0:
                        known = False
                        for y in range(nc):
                            if chosen[y] == partner:
                                known = True
                                break
                        if not known:
                            chosen[nc] = partner
                            nc += 1
    return nc, npool


@njit(cache=True)
def _recreate(
    sta: Static, st: State, chosen: np.ndarray, nc: int, pool: np.ndarray, npool: int
) -> None:
    """Put back the best set that fits: the pool anywhere, waiting visits into the
    weeks that just got room (elsewhere nothing changed, so they would not fit)."""
    st.iw[STAMP] += 1
    stamp = st.iw[STAMP]
    for x in range(npool):
        st.mark[pool[x]] = -stamp
    waiting: list[int] = []
    shortest = 1 << 40
    served, mark, bv_vis, bv_dur, dur = st.served, st.mark, sta.bv_vis, sta.bv_dur, sta.dur
    for x in range(nc):
        j = chosen[x]
        room = sta.cap[j] - st.load[j]
        b0, b1 = sta.bv_ptr[j], sta.bv_ptr[j + 1]
        fits = b0 + np.searchsorted(bv_dur[b0:b1], room, side="right")
        for y in range(b0, fits):
            i = bv_vis[y]
            if not served[i] and mark[i] != stamp and mark[i] != -stamp:
                mark[i] = stamp
                waiting.append(i)
                if dur[i] < shortest:
                    shortest = dur[i]
    if not waiting:
        shortest = 0
    nw = len(waiting)
    items = np.empty(npool + nw, np.int64)
    items[:npool] = pool[:npool]
    if nw:
        items[npool:] = np.sort(np.array(waiting, np.int64))
    if np.random.random() < RANDOM_ORDER:
        np.random.shuffle(items)
    else:
        # Value net of the minutes it takes at a price per minute drawn around what the
        # marginal visit earns, plus noise.
        price = np.random.uniform(PRICE_LO, PRICE_HI)
        noise = np.random.uniform(0.0, NOISE)
        keys = np.empty(items.shape[0], np.float64)
        for x in range(items.shape[0]):
            i = items[x]
            keys[x] = -(
                sta.pri[i]
                - price * sta.dur[i] * sta.need[i]
                + noise * (2.0 * np.random.random() - 1.0)
            )
        items = items[lex_order(keys, items)]
    anywhere = np.empty(items.shape[0], np.bool_)
    for x in range(items.shape[0]):
        anywhere[x] = mark[items[x]] == -stamp  # the pool goes anywhere
    insert_each(sta, st, items, anywhere, chosen, nc, shortest)


@njit(cache=True)
def refresh_pressure(sta: Static, st: State) -> None:
    """Re-estimate contention from the visits still waiting (served ones ask nothing)."""
    asked = np.zeros(sta.cap.shape[0])
    for k in range(sta.servable.shape[0]):
        i = sta.servable[k]
        if st.served[i]:
            continue
        g0, g1 = sta.g_ptr[i], sta.g_ptr[i + 1]
        share = sta.pri[i] * sta.dur[i] / (g1 - g0)
        for g in range(g0, g1):
            asked[sta.g_vol[g]] += share
    for j in range(asked.shape[0]):
        st.pressure[j] = PRESSURE_WEIGHT * asked[j] / max(sta.cap[j], 1)


@njit(cache=True)
def seed_rng(seed: int) -> None:
    np.random.seed(seed)


@njit(cache=True)
def _count_waiting(servable: np.ndarray, served: np.ndarray) -> int:
    n = 0
    for k in range(servable.shape[0]):
        if not served[servable[k]]:
            n += 1
    return n


@njit(cache=True)
def anneal(
    sta: Static, st: State, frac0: float, frac1: float, max_work: int, stats: np.ndarray, stall: int
) -> bool:
    """Moves until ``max_work`` more position tests, the schedule running from ``frac0``
    to ``frac1`` (0 = hot start, 1 = end). ``stats``: iterations, accepted, improved,
    last iteration with a level-1 gain. Returns False when the search should stop
    (nothing left to serve, or ``stall`` moves without a level-1 gain)."""
    n = sta.dur.shape[0]
    chosen = np.empty(sta.cap.shape[0] + 1, np.int64)
    pool = np.empty(n + 1, np.int64)
    n_unserved = _count_waiting(sta.servable, st.served)
    work0 = st.iw[WORK]
    polish = st.iw[POLISHING] == 1
    best = (st.best_key[0], st.best_key[1], st.best_key[2])
    while True:
        done = (st.iw[WORK] - work0) / max(max_work, 1)
        if done >= 1.0:
            return True
        if n_unserved == 0 or stats[0] - stats[3] > stall:
            return False
        frac = frac0 + (frac1 - frac0) * done
        temp = T_START * (T_END / T_START) ** min(frac / POLISH_FROM, 1.0)
        stats[0] += 1
        st.iw[WORK] += ITERATION_WORK
        if not polish and stats[0] % DYNAMIC == 0:
            refresh_pressure(sta, st)
        begin_move(st)
        before = plan_key(st.tot)
        nc, npool = _ruin(sta, st, n_unserved, chosen, pool)
        _recreate(sta, st, chosen, nc, pool, npool)
        after = plan_key(st.tot)
        ok = cmp_keys(after, before) >= 0 or (
            not polish
            and after[0] <= before[0]
            and np.random.random() < math.exp((after[0] - before[0]) / temp)
        )
        if ok:
            commit_move(st)
            stats[1] += 1
            n_unserved = _count_waiting(sta.servable, st.served)
            if cmp_keys(after, best) > 0:
                if after[0] > best[0]:
                    stats[3] = stats[0]
                best = after
                save_best(st)
                stats[2] += 1
        else:
            rollback_move(st)


@njit(cache=True)
def tidy(sta: Static, st: State, sweeps: int) -> int:
    """Levels 2-3 without touching level 1: each visit to its best place by continuity
    then distance (it can always go back where it was). Returns moves kept."""
    moved = 0
    n = sta.dur.shape[0]
    one = np.zeros(1, np.int64)
    anywhere = np.ones(1, np.bool_)
    for _ in range(sweeps):
        changed = 0
        for i in range(n):
            if not st.served[i] or st.fixed[i]:
                continue
            begin_move(st)
            before = plan_key(st.tot)
            remove(sta, st, i)
            one[0] = i
            insert_each(sta, st, one, anywhere, one, 0, 0)
            if cmp_keys(plan_key(st.tot), before) > 0:
                commit_move(st)
                changed += 1
            else:
                rollback_move(st)
        moved += changed
        if changed == 0:
            break
    save_best(st)
    return moved
