"""Putting visits where they cost least: the one-volunteer scan (the search's hot loop),
two-volunteer visits on a shared start, a plan's visits back at their starts, fixed ones."""

from __future__ import annotations

import numpy as np
from numba import njit

from matching.visits.search.kernel.state import TRAVEL_WEIGHT, WORK, State, Static
from matching.visits.search.kernel.travel import fill_travel
from matching.visits.search.kernel.weeks import place


@njit(cache=True)
def lex_order(primary: np.ndarray, secondary: np.ndarray) -> np.ndarray:
    """Indices sorting by ``primary`` then ``secondary`` (numba has no lexsort)."""
    idx = np.argsort(secondary, kind="mergesort")
    return idx[np.argsort(primary[idx], kind="mergesort")]


@njit(cache=True)
def _room(cap: np.ndarray, load: np.ndarray, chosen: np.ndarray, nc: int, shortest: int) -> bool:
    for x in range(nc):
        j = chosen[x]
        if cap[j] - load[j] >= shortest:
            return True
    return False


# -- insertion ------------------------------------------------------------------------


@njit(cache=True)
def _best_double(
    sta: Static, st: State, i: int, vols: np.ndarray, nv: int
) -> tuple[bool, int, int, int, int, int, int, int]:
    """Cheapest pair of places for a two-volunteer visit on a shared start (only
    volunteers ``vols[:nv]`` when nv >= 0): (found, j0, p0, o0, j1, p1, o1, start)."""
    dur, cap, g_ptr, g_vol, gidx = sta.dur, sta.cap, sta.g_ptr, sta.g_vol, sta.gidx
    o_ptr, o_lo, o_hi, o_cost = sta.o_ptr, sta.o_lo, sta.o_hi, sta.o_cost
    seq, E, L, cnt, load, pressure, travel = (
        st.seq,
        st.E,
        st.L,
        st.cnt,
        st.load,
        st.pressure,
        st.travel,
    )
    d = dur[i]
    # Size the scratch for the weeks with room only, and stop early without two of them.
    size = 0
    roomy = 0
    for x in range(nv if nv >= 0 else g_ptr[i + 1] - g_ptr[i]):
        if nv >= 0:
            j = vols[x]
            g = gidx[i, j]
            if g < 0:
                continue
        else:
            g = g_ptr[i] + x
            j = g_vol[g]
        if load[j] + d <= cap[j]:
            roomy += 1
            size += (o_ptr[g + 1] - o_ptr[g]) * (cnt[j] + 1)
    if roomy < 2:
        return False, -1, -1, -1, -1, -1, -1, -1
    fc = np.empty(size, np.float64)
    fj = np.empty(size, np.int64)
    fp = np.empty(size, np.int64)
    fe = np.empty(size, np.int64)
    fl = np.empty(size, np.int64)
    fo = np.empty(size, np.int64)
    m = 0
    work = 0
    for x in range(nv if nv >= 0 else g_ptr[i + 1] - g_ptr[i]):
        if nv >= 0:
            j = vols[x]
            g = gidx[i, j]
            if g < 0:
                continue
        else:
            g = g_ptr[i] + x
            j = g_vol[g]
        if load[j] + d > cap[j]:
            continue
        scarce = pressure[j] * d
        n = cnt[j]
        for o in range(o_ptr[g], o_ptr[g + 1]):
            work += n + 1
            lo, hi = o_lo[o], o_hi[o]
            for p in range(n + 1):
                a = -1
                t_in = 0
                if p > 0:
                    a = seq[j, p - 1]
                    t_in = travel[a, i]
                    if t_in < 0:
                        t_in = fill_travel(sta, st, a, i)
                    e = E[j, p - 1] + dur[a] + t_in
                    if e > hi:
                        break
                    if e < lo:
                        e = lo
                else:
                    e = lo
                b = -1
                t_out = 0
                if p < n:
                    b = seq[j, p]
                    t_out = travel[i, b]
                    if t_out < 0:
                        t_out = fill_travel(sta, st, i, b)
                    lt = L[j, p] - d - t_out
                    if lt > hi:
                        lt = hi
                else:
                    lt = hi
                if e <= lt:
                    added = t_in + t_out
                    if a >= 0 and b >= 0:
                        t_ab = travel[a, b]
                        if t_ab < 0:
                            t_ab = fill_travel(sta, st, a, b)
                        added -= t_ab
                    fc[m] = o_cost[o] + scarce + TRAVEL_WEIGHT * added
                    fj[m], fp[m], fe[m], fl[m], fo[m] = j, p, e, lt, o
                    m += 1
    st.iw[WORK] += work
    if m == 0:
        return False, -1, -1, -1, -1, -1, -1, -1
    # By cost, then volunteer, then position (volunteer and position as one number).
    order = lex_order(fc[:m], fj[:m] * (seq.shape[1] + 1) + fp[:m])
    best_c = np.inf
    r = (False, -1, -1, -1, -1, -1, -1, -1)
    for x in range(m):
        a = order[x]
        if 2 * fc[a] >= best_c:
            break
        for y in range(x + 1, m):
            b = order[y]
            if fc[a] + fc[b] >= best_c:
                break
            if fj[b] == fj[a]:
                continue
            t = max(fe[a], fe[b])
            if t <= min(fl[a], fl[b]):
                best_c = fc[a] + fc[b]
                r = (True, fj[a], fp[a], fo[a], fj[b], fp[b], fo[b], t)
                break
    return r


@njit(cache=True)
def insert_each(
    sta: Static,
    st: State,
    items: np.ndarray,
    anywhere: np.ndarray,
    chosen: np.ndarray,
    nc: int,
    shortest: int,
) -> int:
    """Serve each of ``items`` in turn at its cheapest place: anywhere where
    ``anywhere[x]``, else only in the weeks ``chosen[:nc]`` and only while one of them
    has room for ``shortest`` minutes. Returns how many were placed.

    The hot loop of the search. One function for the whole batch, because a numba call
    that hands over the state's arrays costs an atomic reference count on each of them:
    the arrays are read into locals once here, the one-volunteer scan is written out in
    the loop, and travel is read from the table (``fill_travel`` only on a miss)."""
    dur, cap, need, g_ptr, g_vol, gidx = sta.dur, sta.cap, sta.need, sta.g_ptr, sta.g_vol, sta.gidx
    o_ptr, o_lo, o_hi, o_cost, g_km = sta.o_ptr, sta.o_lo, sta.o_hi, sta.o_cost, sta.g_km
    seq, E, L, cnt, load = st.seq, st.E, st.L, st.cnt, st.load
    pressure, travel, served = st.pressure, st.travel, st.served
    ok = nc == 0 or _room(cap, load, chosen, nc, shortest)
    placed = 0
    work = 0
    for x in range(items.shape[0]):
        i = items[x]
        if served[i]:
            continue
        if anywhere[x]:
            nv = -1
        elif ok:
            nv = nc
        else:
            continue
        if need[i] != 1:
            st.iw[WORK] += work
            work = 0
            found, j0, p0, o0, j1, p1, o1, t = _best_double(sta, st, i, chosen, nv)
            if not found:
                continue
            place(sta, st, i, j0, p0, t, t, g_km[gidx[i, j0]], j1, p1, t, t, g_km[gidx[i, j1]])
        else:
            d = dur[i]
            best_c, best_j, best_p, best_o = np.inf, -1, -1, -1
            for y in range(nv if nv >= 0 else g_ptr[i + 1] - g_ptr[i]):
                if nv >= 0:
                    j = chosen[y]
                    g = gidx[i, j]
                    if g < 0:
                        continue
                else:
                    g = g_ptr[i] + y
                    j = g_vol[g]
                if load[j] + d > cap[j]:
                    continue
                scarce = pressure[j] * d
                n = cnt[j]
                for o in range(o_ptr[g], o_ptr[g + 1]):
                    base = o_cost[o] + scarce
                    if base > best_c:
                        continue  # its added travel is never negative: it cannot win
                    work += n + 1
                    lo, hi = o_lo[o], o_hi[o]
                    for p in range(n + 1):
                        a = -1
                        t_in = 0
                        if p > 0:
                            a = seq[j, p - 1]
                            t_in = travel[a, i]
                            if t_in < 0:
                                t_in = fill_travel(sta, st, a, i)
                            e = E[j, p - 1] + dur[a] + t_in
                            if e > hi:
                                break  # later positions only start later
                            if e < lo:
                                e = lo
                        else:
                            e = lo
                        b = -1
                        t_out = 0
                        if p < n:
                            b = seq[j, p]
                            t_out = travel[i, b]
                            if t_out < 0:
                                t_out = fill_travel(sta, st, i, b)
                            lt = L[j, p] - d - t_out
                            if lt > hi:
                                lt = hi
                        else:
                            lt = hi
                        if e <= lt:
                            added = t_in + t_out
                            if a >= 0 and b >= 0:
                                t_ab = travel[a, b]
                                if t_ab < 0:
                                    t_ab = fill_travel(sta, st, a, b)
                                added -= t_ab
                            c = base + TRAVEL_WEIGHT * added
                            if c < best_c or (
                                c == best_c and (j < best_j or (j == best_j and p < best_p))
                            ):
                                best_c, best_j, best_p, best_o = c, j, p, o
            if best_j < 0:
                continue
            place(
                sta, st, i, best_j, best_p, o_lo[best_o], o_hi[best_o],
                g_km[gidx[i, best_j]], -1, -1, 0, 0, 0.0,
            )  # fmt: skip
        placed += 1
        if nc > 0:
            ok = _room(cap, load, chosen, nc, shortest)
    st.iw[WORK] += work
    return placed


@njit(cache=True)
def place_at(sta: Static, st: State, i: int, j0: int, j1: int, start: int) -> bool:
    """Visit i back at ``start`` with volunteers j0 (and j1), at the last place that fits
    (``Search.place_at``); False if it no longer fits."""
    if st.served[i] or (2 if j1 >= 0 else 1) != sta.need[i]:
        return False
    ps = np.empty(2, np.int64)
    os_ = np.empty(2, np.int64)
    d = sta.dur[i]
    for k in range(sta.need[i]):
        j = j0 if k == 0 else j1
        g = sta.gidx[i, j]
        if g < 0 or st.load[j] + d > sta.cap[j]:
            return False
        o_found = -1
        for o in range(sta.o_ptr[g], sta.o_ptr[g + 1]):
            if sta.o_lo[o] <= start <= sta.o_hi[o]:
                o_found = o
                break
        if o_found < 0:
            return False
        n = st.cnt[j]
        last = -1
        for p in range(n + 1):
            e = start
            if p > 0:
                a = st.seq[j, p - 1]
                t = st.travel[a, i]
                if t < 0:
                    t = fill_travel(sta, st, a, i)
                if st.E[j, p - 1] + sta.dur[a] + t > start:
                    break
            lt = start
            if p < n:
                b = st.seq[j, p]
                t = st.travel[i, b]
                if t < 0:
                    t = fill_travel(sta, st, i, b)
                lt = min(start, st.L[j, p] - d - t)
            if e <= lt:
                last = p
        if last < 0:
            return False
        ps[k], os_[k] = last, o_found
    if j1 < 0:
        o = os_[0]
        g = sta.gidx[i, j0]
        place(sta, st, i, j0, ps[0], sta.o_lo[o], sta.o_hi[o], sta.g_km[g], -1, -1, 0, 0, 0.0)
    else:
        g0, g1 = sta.gidx[i, j0], sta.gidx[i, j1]
        place(
            sta, st, i, j0, ps[0], start, start, sta.g_km[g0],
            j1, ps[1], start, start, sta.g_km[g1],
        )  # fmt: skip
    return True


@njit(cache=True)
def fix_all(sta: Static, st: State) -> None:
    """Approved assignments, pinned at their start and never removed."""
    for f in range(sta.fixed_vis.shape[0]):
        i = sta.fixed_vis[f]
        if st.served[i]:
            continue
        st.fixed[i] = 1
        ps = np.zeros(2, np.int64)
        for k in range(2):
            j = sta.fixed_j[f, k]
            if j >= 0:
                p = 0
                for x in range(st.cnt[j]):
                    if st.E[j, x] <= sta.fixed_start[f]:
                        p += 1
                ps[k] = p
        s = sta.fixed_start[f]
        # js sorted ascending by place; keep each volunteer's own km
        st.fkm[i, 0], st.fkm[i, 1] = sta.fixed_km[f, 0], sta.fixed_km[f, 1]
        j0, j1 = sta.fixed_j[f, 0], sta.fixed_j[f, 1]
        if j1 >= 0 and j1 < j0:
            st.fkm[i, 0], st.fkm[i, 1] = sta.fixed_km[f, 1], sta.fixed_km[f, 0]
        place(
            sta, st, i, j0, ps[0], s, s, sta.fixed_km[f, 0],
            j1, ps[1], s, s, sta.fixed_km[f, 1],
        )  # fmt: skip
