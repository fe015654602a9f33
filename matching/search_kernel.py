"""The ruin-and-recreate search of ``matching.ruin_recreate``, compiled with numba.

Why a second copy of the search: on a city week the plan keeps improving with the work
put in (2 M position tests give 3817 at 2000 x 400, 48 M give 3841), and pure Python
manages about 2 M in 10 s. The same moves on flat arrays, compiled, do 10-20 times more
in the same time. ``matching.ruin_recreate`` stays the readable reference and serves
what this cannot (an injected distance function, a week too big for the travel table).

Everything here works on numpy arrays held in two named tuples: ``Static`` (the options,
never changed by the search) and ``State`` (the weeks, who serves what, the undo log, the
best plan). The rules kept are those of ``matching.week_plan`` and ``matching.routes``;
the strategy (ruin, recreate, annealing, polish) is ``matching.ruin_recreate``'s with
numpy's random generator instead of Python's. Travel minutes are filled in lazily: a
cheap ellipsoidal distance settles most pairs; Vincenty's formula the rest, rounded up
when it lies within a centimetre of a minute boundary, so a plan never counts less travel
than the checker's geodesic.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

# Same constants as matching.week_plan / matching.ruin_recreate (see there for why).
TRAVEL_WEIGHT, PRESSURE_WEIGHT = 0.5, 0.5
DYNAMIC = 500
RUIN_VOLS, NEAR_P, SEED_P, POLISH_SEED_P = 8, 0.5, 0.8, 0.3
CLASH_P, OTHER_P, CLASH_MARGIN = 0.7, 0.5, 60
ITERATION_WORK = 20
T_START, T_END, POLISH_FROM = 1.0, 0.02, 0.85
RANDOM_ORDER, PRICE_LO, PRICE_HI, NOISE = 0.1, 0.012, 0.028, 0.5

WGS84_A = 6378137.0
WGS84_F = 1 / 298.257223563
WGS84_B = WGS84_A * (1 - WGS84_F)
WGS84_E2 = WGS84_F * (2 - WGS84_F)
EARTH_RADIUS_KM = 6371.0088
LOCAL_REL_ERR, HAVERSINE_REL_ERR = 5e-4, 0.01

# Indices into State.iw (int64 counters) and State.tot (float64 totals).
WORK, POLISHING, IN_MOVE, NLOG, NTOUCHED, STAMP = 0, 1, 2, 3, 4, 5
PRIORITY, CONTINUITY, KM = 0, 1, 2


class Static(NamedTuple):
    dur: np.ndarray  # int64[n]
    pri: np.ndarray  # int64[n]
    need: np.ndarray  # int64[n]
    pref: np.ndarray  # int64[n]: preferred volunteer's index, -1 if none
    cap: np.ndarray  # int64[J]: weekly minutes
    g_ptr: np.ndarray  # int64[n+1]: visit i's option groups are g_ptr[i]:g_ptr[i+1]
    g_vol: np.ndarray  # int64[G]: one group per (visit, volunteer), volunteers ascending
    g_km: np.ndarray  # float64[G]
    o_ptr: np.ndarray  # int64[G+1]: group g's options are o_ptr[g]:o_ptr[g+1]
    o_lo: np.ndarray  # int64[O]: start range
    o_hi: np.ndarray  # int64[O]
    o_cost: np.ndarray  # float64[O]
    bv_ptr: np.ndarray  # int64[J+1]: per volunteer, the visits they could serve,
    bv_vis: np.ndarray  # int64[...]   shortest first
    bv_dur: np.ndarray  # int64[...]
    servable: np.ndarray  # int64[S]: visits with an option
    serv_cum: np.ndarray  # float64[S]: cumulative max(priority, 1)
    vols_active: np.ndarray  # int64[A]: volunteers with an option
    vlat: np.ndarray  # float64[J]: homes, to find a volunteer's neighbours
    vlon: np.ndarray
    plat: np.ndarray  # float64[n]: visits, for travel
    plon: np.ndarray
    speed: float
    base_pressure: np.ndarray  # float64[J]
    fixed_vis: np.ndarray  # int64[F]: approved assignments, in start order
    fixed_j: np.ndarray  # int64[F, 2] (-1: none)
    fixed_start: np.ndarray  # int64[F]
    fixed_km: np.ndarray  # float64[F, 2]
    order: np.ndarray  # int64[n]: greedy construction order
    gidx: np.ndarray  # int32[n, J]: the group of (visit, volunteer), -1 if none


class State(NamedTuple):
    seq: np.ndarray  # int64[J, M]: each week's visits in time order
    wlo: np.ndarray  # int64[J, M]: their allowed start ranges
    whi: np.ndarray
    E: np.ndarray  # int64[J, M]: earliest and latest feasible starts
    L: np.ndarray
    cnt: np.ndarray  # int64[J]
    load: np.ndarray  # int64[J]: minutes booked
    js: np.ndarray  # int64[n, 2]: who serves visit i (-1: nobody)
    served: np.ndarray  # int8[n]
    fixed: np.ndarray  # int8[n]
    fkm: np.ndarray  # float64[n, 2]: km of fixed visits (options may not list them)
    travel: np.ndarray  # int16[n, n]: minutes, -1 until first asked
    pressure: np.ndarray  # float64[J]
    tot: np.ndarray  # float64[3]: priority, continuity, km
    iw: np.ndarray  # int64[8]: work, polishing, in a move, log length, touched, stamp
    touched: np.ndarray  # int8[J]
    touched_list: np.ndarray  # int64[J]
    bk_seq: np.ndarray  # int64[J, M]: weeks as they were before the move touched them
    bk_lo: np.ndarray
    bk_hi: np.ndarray
    bk_E: np.ndarray
    bk_L: np.ndarray
    bk_cnt: np.ndarray
    bk_load: np.ndarray
    log_v: np.ndarray  # int64[K]: visits placed (kind 0) or removed (kind 1) in the move
    log_j: np.ndarray  # int64[K, 2]: volunteers a removed visit had
    log_kind: np.ndarray
    saved_tot: np.ndarray  # float64[3]
    mark: np.ndarray  # int64[n]: scratch stamps (visit sets: +stamp waiting, -stamp pool)
    best_js: np.ndarray  # int64[n, 2]
    best_start: np.ndarray  # int64[n]
    best_key: np.ndarray  # int64[3]: priority, continuity, -km in micro-km


@njit(cache=True)
def _order(primary, secondary):
    """Indices sorting by ``primary`` then ``secondary`` (numba has no lexsort)."""
    idx = np.argsort(secondary, kind="mergesort")
    return idx[np.argsort(primary[idx], kind="mergesort")]


# -- travel ---------------------------------------------------------------------------


@njit(cache=True)
def _minutes(km, speed):
    m = math.ceil(km * 60.0 / speed - 1e-9)
    return m if m > 0 else 0


@njit(cache=True)
def _haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


@njit(cache=True)
def _approx_km(lat1, lon1, lat2, lon2):
    """``matching.geo.approx_km``: a cheap distance and its relative error bound."""
    phi = math.radians((lat1 + lat2) / 2)
    w = 1 - WGS84_E2 * math.sin(phi) ** 2
    meridional = WGS84_A * (1 - WGS84_E2) / w**1.5
    normal = WGS84_A / math.sqrt(w)
    dlon = (lon2 - lon1 + 180) % 360 - 180
    km = (
        math.hypot(
            meridional * math.radians(lat2 - lat1), normal * math.cos(phi) * math.radians(dlon)
        )
        / 1000
    )
    if km <= 100 and abs(lat1) <= 70 and abs(lat2) <= 70:
        return km, LOCAL_REL_ERR
    return _haversine_km(lat1, lon1, lat2, lon2), HAVERSINE_REL_ERR


@njit(cache=True)
def _vincenty_km(lat1, lon1, lat2, lon2):
    """WGS84 inverse by Vincenty's iteration (sub-millimetre where it converges);
    -1.0 where it does not (nearly antipodal points)."""
    if lat1 == lat2 and lon1 == lon2:
        return 0.0
    f, a, b = WGS84_F, WGS84_A, WGS84_B
    L = math.radians(lon2 - lon1)
    U1 = math.atan((1 - f) * math.tan(math.radians(lat1)))
    U2 = math.atan((1 - f) * math.tan(math.radians(lat2)))
    sinU1, cosU1, sinU2, cosU2 = math.sin(U1), math.cos(U1), math.sin(U2), math.cos(U2)
    lam = L
    for _ in range(200):
        sinLam, cosLam = math.sin(lam), math.cos(lam)
        sinSigma = math.sqrt((cosU2 * sinLam) ** 2 + (cosU1 * sinU2 - sinU1 * cosU2 * cosLam) ** 2)
        if sinSigma == 0:
            return 0.0
        cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLam
        sigma = math.atan2(sinSigma, cosSigma)
        sinAlpha = cosU1 * cosU2 * sinLam / sinSigma
        cos2Alpha = 1 - sinAlpha**2
        cos2SigmaM = cosSigma - 2 * sinU1 * sinU2 / cos2Alpha if cos2Alpha != 0 else 0.0
        C = f / 16 * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha))
        prev = lam
        lam = L + (1 - C) * f * sinAlpha * (
            sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM**2))
        )
        if abs(lam - prev) < 1e-12:
            u2 = cos2Alpha * (a * a - b * b) / (b * b)
            A = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)))
            B = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)))
            dSigma = (
                B
                * sinSigma
                * (
                    cos2SigmaM
                    + B
                    / 4
                    * (
                        cosSigma * (-1 + 2 * cos2SigmaM**2)
                        - B / 6 * cos2SigmaM * (-3 + 4 * sinSigma**2) * (-3 + 4 * cos2SigmaM**2)
                    )
                )
            )
            return b * A * (sigma - dSigma) / 1000.0
    return -1.0


@njit(cache=True)
def _travel_of(sta, a, b):
    km, err = _approx_km(sta.plat[a], sta.plon[a], sta.plat[b], sta.plon[b])
    lo = _minutes(km * (1 - err), sta.speed)
    hi = _minutes(km * (1 + err), sta.speed)
    if lo == hi:
        return lo
    exact = _vincenty_km(sta.plat[a], sta.plon[a], sta.plat[b], sta.plon[b])
    if exact < 0:
        return hi
    # Never less than the checker's geodesic: a centimetre and 1e-7 of margin.
    return _minutes(exact * (1 + 1e-7) + 1e-5, sta.speed)


@njit(cache=True)
def _fill(sta, st, a, b):
    """Travel minutes between visits a and b, worked out on first use. Callers read
    ``st.travel`` themselves and call this only on a miss: a call that hands over the
    state costs reference counting on every array, too much for the hot loops."""
    t = _travel_of(sta, a, b)
    st.travel[a, b] = t
    st.travel[b, a] = t
    return t


# -- weeks ----------------------------------------------------------------------------


@njit(cache=True)
def _week_edit(sta, st, j, p, v, lo, hi):
    """Put visit v into week j at position p with start range [lo, hi] (p >= 0), or
    take it out (p < 0); then recompute the week's earliest and latest starts. Inside a
    move, the week is first copied for the undo. One function for all of it, with the
    arrays in locals: every numba call that hands over the state costs an atomic
    reference count per array."""
    seq, wlo, whi, E, L, cnt, load = st.seq, st.wlo, st.whi, st.E, st.L, st.cnt, st.load
    dur, travel = sta.dur, st.travel
    n = cnt[j]
    if st.iw[IN_MOVE] and not st.touched[j]:
        st.touched[j] = 1
        st.touched_list[st.iw[NTOUCHED]] = j
        st.iw[NTOUCHED] += 1
        st.bk_seq[j, :n] = seq[j, :n]
        st.bk_lo[j, :n] = wlo[j, :n]
        st.bk_hi[j, :n] = whi[j, :n]
        st.bk_E[j, :n] = E[j, :n]
        st.bk_L[j, :n] = L[j, :n]
        st.bk_cnt[j] = n
        st.bk_load[j] = load[j]
    if p >= 0:
        if n >= seq.shape[1]:
            raise ValueError("week capacity exceeded")
        for k in range(n, p, -1):
            seq[j, k] = seq[j, k - 1]
            wlo[j, k] = wlo[j, k - 1]
            whi[j, k] = whi[j, k - 1]
        seq[j, p], wlo[j, p], whi[j, p] = v, lo, hi
        n += 1
        load[j] += dur[v]
    else:
        q = 0
        while seq[j, q] != v:
            q += 1
        for k in range(q, n - 1):
            seq[j, k] = seq[j, k + 1]
            wlo[j, k] = wlo[j, k + 1]
            whi[j, k] = whi[j, k + 1]
        n -= 1
        load[j] -= dur[v]
    cnt[j] = n
    for k in range(n):
        E[j, k] = wlo[j, k]
        L[j, k] = whi[j, k]
    for k in range(1, n):
        a, b = seq[j, k - 1], seq[j, k]
        t = travel[a, b]
        if t < 0:
            t = _fill(sta, st, a, b)
        e = E[j, k - 1] + dur[a] + t
        if e > E[j, k]:
            E[j, k] = e
    for k in range(n - 2, -1, -1):
        a, b = seq[j, k], seq[j, k + 1]
        t = travel[a, b]
        if t < 0:
            t = _fill(sta, st, a, b)
        lt = L[j, k + 1] - dur[a] - t
        if lt < L[j, k]:
            L[j, k] = lt


# -- who serves what ------------------------------------------------------------------


@njit(cache=True)
def _log(log_v, log_kind, log_j, iw, v, kind, j0, j1):
    k = iw[NLOG]
    if k >= log_v.shape[0]:
        raise ValueError("undo log full")
    log_v[k], log_kind[k] = v, kind
    log_j[k, 0], log_j[k, 1] = j0, j1
    iw[NLOG] = k + 1


@njit(cache=True)
def _continues(pref, i, j0, j1):
    return pref[i] >= 0 and (pref[i] == j0 or pref[i] == j1)


@njit(cache=True)
def _place(sta, st, i, j0, p0, lo0, hi0, km0, j1, p1, lo1, hi1, km1):
    """Visit i into week j0 at position p0 (and j1 at p1 for a two-volunteer visit)."""
    _week_edit(sta, st, j0, p0, i, lo0, hi0)
    st.tot[KM] += km0
    if j1 >= 0:
        _week_edit(sta, st, j1, p1, i, lo1, hi1)
        st.tot[KM] += km1
        if j1 < j0:
            j0, j1 = j1, j0
    st.js[i, 0], st.js[i, 1] = j0, j1
    st.served[i] = 1
    if st.iw[IN_MOVE]:
        _log(st.log_v, st.log_kind, st.log_j, st.iw, i, 0, -1, -1)
    st.tot[PRIORITY] += sta.pri[i]
    if _continues(sta.pref, i, j0, j1):
        st.tot[CONTINUITY] += 1


@njit(cache=True)
def _remove(sta, st, i):
    j0, j1 = st.js[i, 0], st.js[i, 1]
    if st.iw[IN_MOVE]:
        _log(st.log_v, st.log_kind, st.log_j, st.iw, i, 1, j0, j1)
    for k in range(2):
        j = st.js[i, k]
        if j >= 0:
            _week_edit(sta, st, j, -1, i, 0, 0)
            st.tot[KM] -= st.fkm[i, k] if st.fixed[i] else sta.g_km[sta.gidx[i, j]]
    st.js[i, 0], st.js[i, 1] = -1, -1
    st.served[i] = 0
    st.tot[PRIORITY] -= sta.pri[i]
    if _continues(sta.pref, i, j0, j1):
        st.tot[CONTINUITY] -= 1


@njit(cache=True)
def _begin(st):
    st.iw[IN_MOVE] = 1
    st.iw[NLOG] = 0
    st.iw[NTOUCHED] = 0
    st.saved_tot[:] = st.tot


@njit(cache=True)
def _commit(st):
    for k in range(st.iw[NTOUCHED]):
        st.touched[st.touched_list[k]] = 0
    st.iw[IN_MOVE] = 0
    st.iw[NTOUCHED] = 0
    st.iw[NLOG] = 0


@njit(cache=True)
def _rollback(st):
    for k in range(st.iw[NTOUCHED]):
        j = st.touched_list[k]
        n = st.bk_cnt[j]
        st.seq[j, :n] = st.bk_seq[j, :n]
        st.wlo[j, :n] = st.bk_lo[j, :n]
        st.whi[j, :n] = st.bk_hi[j, :n]
        st.E[j, :n] = st.bk_E[j, :n]
        st.L[j, :n] = st.bk_L[j, :n]
        st.cnt[j] = n
        st.load[j] = st.bk_load[j]
        st.touched[j] = 0
    for k in range(st.iw[NLOG] - 1, -1, -1):
        i = st.log_v[k]
        if st.log_kind[k] == 0:
            st.served[i] = 0
            st.js[i, 0], st.js[i, 1] = -1, -1
        else:
            st.served[i] = 1
            st.js[i, 0], st.js[i, 1] = st.log_j[k, 0], st.log_j[k, 1]
    st.tot[:] = st.saved_tot
    st.iw[IN_MOVE] = 0
    st.iw[NTOUCHED] = 0
    st.iw[NLOG] = 0


@njit(cache=True)
def _key(tot):
    """The plan's objective key: priority, continuity, minus km (in micro-km)."""
    return (
        np.int64(tot[PRIORITY]),
        np.int64(tot[CONTINUITY]),
        -np.int64(np.rint(tot[KM] * 1e6)),
    )


@njit(cache=True, inline="always")
def _cmp(a, b):
    """-1, 0, 1 as key a is worse than, equal to, better than key b."""
    for k in range(3):
        if a[k] != b[k]:
            return 1 if a[k] > b[k] else -1
    return 0


# -- insertion ------------------------------------------------------------------------


@njit(cache=True)
def _best_double(sta, st, i, vols, nv):
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
                        t_in = _fill(sta, st, a, i)
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
                        t_out = _fill(sta, st, i, b)
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
                            t_ab = _fill(sta, st, a, b)
                        added -= t_ab
                    fc[m] = o_cost[o] + scarce + TRAVEL_WEIGHT * added
                    fj[m], fp[m], fe[m], fl[m], fo[m] = j, p, e, lt, o
                    m += 1
    st.iw[WORK] += work
    if m == 0:
        return False, -1, -1, -1, -1, -1, -1, -1
    # By cost, then volunteer, then position (volunteer and position as one number).
    order = _order(fc[:m], fj[:m] * (seq.shape[1] + 1) + fp[:m])
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
def _insert_each(sta, st, items, anywhere, chosen, nc, shortest):
    """Serve each of ``items`` in turn at its cheapest place: anywhere where
    ``anywhere[x]``, else only in the weeks ``chosen[:nc]`` and only while one of them
    has room for ``shortest`` minutes. Returns how many were placed.

    The hot loop of the search. One function for the whole batch, because a numba call
    that hands over the state's arrays costs an atomic reference count on each of them:
    the arrays are read into locals once here, the one-volunteer scan is written out in
    the loop, and travel is read from the table (``_fill`` only on a miss)."""
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
            _place(sta, st, i, j0, p0, t, t, g_km[gidx[i, j0]], j1, p1, t, t, g_km[gidx[i, j1]])
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
                                t_in = _fill(sta, st, a, i)
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
                                t_out = _fill(sta, st, i, b)
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
                                    t_ab = _fill(sta, st, a, b)
                                added -= t_ab
                            c = base + TRAVEL_WEIGHT * added
                            if c < best_c or (
                                c == best_c and (j < best_j or (j == best_j and p < best_p))
                            ):
                                best_c, best_j, best_p, best_o = c, j, p, o
            if best_j < 0:
                continue
            _place(
                sta, st, i, best_j, best_p, o_lo[best_o], o_hi[best_o],
                g_km[gidx[i, best_j]], -1, -1, 0, 0, 0.0,
            )  # fmt: skip
        placed += 1
        if nc > 0:
            ok = _room(cap, load, chosen, nc, shortest)
    st.iw[WORK] += work
    return placed


@njit(cache=True)
def _place_at(sta, st, i, j0, j1, start):
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
                    t = _fill(sta, st, a, i)
                if st.E[j, p - 1] + sta.dur[a] + t > start:
                    break
            lt = start
            if p < n:
                b = st.seq[j, p]
                t = st.travel[i, b]
                if t < 0:
                    t = _fill(sta, st, i, b)
                lt = min(start, st.L[j, p] - d - t)
            if e <= lt:
                last = p
        if last < 0:
            return False
        ps[k], os_[k] = last, o_found
    if j1 < 0:
        o = os_[0]
        g = sta.gidx[i, j0]
        _place(sta, st, i, j0, ps[0], sta.o_lo[o], sta.o_hi[o], sta.g_km[g], -1, -1, 0, 0, 0.0)
    else:
        g0, g1 = sta.gidx[i, j0], sta.gidx[i, j1]
        _place(
            sta, st, i, j0, ps[0], start, start, sta.g_km[g0],
            j1, ps[1], start, start, sta.g_km[g1],
        )  # fmt: skip
    return True


@njit(cache=True)
def _fix_all(sta, st):
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
        # js sorted ascending by _place; keep each volunteer's own km
        st.fkm[i, 0], st.fkm[i, 1] = sta.fixed_km[f, 0], sta.fixed_km[f, 1]
        j0, j1 = sta.fixed_j[f, 0], sta.fixed_j[f, 1]
        if j1 >= 0 and j1 < j0:
            st.fkm[i, 0], st.fkm[i, 1] = sta.fixed_km[f, 1], sta.fixed_km[f, 0]
        _place(
            sta, st, i, j0, ps[0], s, s, sta.fixed_km[f, 0],
            j1, ps[1], s, s, sta.fixed_km[f, 1],
        )  # fmt: skip


# -- plans ----------------------------------------------------------------------------


@njit(cache=True)
def _save_best(st):
    st.best_js[:, :] = -1
    st.best_start[:] = -1
    for j in range(st.cnt.shape[0]):
        for k in range(st.cnt[j]):
            v = st.seq[j, k]
            if st.best_start[v] < 0:
                lo, hi = st.wlo[j, k], st.whi[j, k]
                st.best_start[v] = lo if lo == hi else st.E[j, k]
                st.best_js[v, 0], st.best_js[v, 1] = st.js[v, 0], st.js[v, 1]
    k = _key(st.tot)
    st.best_key[0], st.best_key[1], st.best_key[2] = k[0], k[1], k[2]


@njit(cache=True)
def _clear(st):
    st.cnt[:] = 0
    st.load[:] = 0
    st.js[:, :] = -1
    st.served[:] = 0
    st.fixed[:] = 0
    st.tot[:] = 0.0
    st.iw[IN_MOVE] = 0
    st.iw[NLOG] = 0
    st.iw[NTOUCHED] = 0


@njit(cache=True)
def restore_best(sta, st):
    """The plan becomes the best one saved: fixed visits, then the others in start order."""
    starts = st.best_start.copy()
    js = st.best_js.copy()
    _clear(st)
    _fix_all(sta, st)
    order = np.argsort(starts, kind="mergesort")
    for i in order:
        if starts[i] >= 0 and not st.fixed[i]:
            _place_at(sta, st, i, js[i, 0], js[i, 1], starts[i])


@njit(cache=True)
def construct(sta, st):
    """Fixed assignments, then every waiting visit in ``sta.order`` at its cheapest place."""
    _fix_all(sta, st)
    anywhere = np.ones(sta.order.shape[0], np.bool_)
    _insert_each(sta, st, sta.order, anywhere, sta.order, 0, 0)


# -- ruin and recreate ----------------------------------------------------------------


@njit(cache=True)
def _pick_unserved(sta, st):
    total = sta.serv_cum[-1]
    while True:
        k = np.searchsorted(sta.serv_cum, np.random.random() * total, side="right")
        if k >= sta.servable.shape[0]:
            k = sta.servable.shape[0] - 1
        i = sta.servable[k]
        if not st.served[i]:
            return i


@njit(cache=True)
def _clashes(o_ptr, o_lo, o_hi, du, g, start, d):
    """Does a booked visit at ``start`` (``d`` minutes) come within CLASH_MARGIN of the
    ranges of option group g (the waiting visit's, ``du`` minutes long)?"""
    for o in range(o_ptr[g], o_ptr[g + 1]):
        lo, hi = o_lo[o], o_hi[o] + du
        if start < hi + CLASH_MARGIN and start + d > lo - CLASH_MARGIN:
            return True
    return False


@njit(cache=True)
def _ruin(sta, st, n_unserved, chosen, pool):
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
            order = _order(dist, rest)
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
                _remove(sta, st, v)
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
def _room(cap, load, chosen, nc, shortest):
    for x in range(nc):
        j = chosen[x]
        if cap[j] - load[j] >= shortest:
            return True
    return False


@njit(cache=True)
def _recreate(sta, st, chosen, nc, pool, npool):
    """Put back the best set that fits: the pool anywhere, waiting visits into the
    weeks that just got room (elsewhere nothing changed, so they would not fit)."""
    st.iw[STAMP] += 1
    stamp = st.iw[STAMP]
    for x in range(npool):
        st.mark[pool[x]] = -stamp
    waiting = []
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
        items = items[_order(keys, items)]
    anywhere = np.empty(items.shape[0], np.bool_)
    for x in range(items.shape[0]):
        anywhere[x] = mark[items[x]] == -stamp  # the pool goes anywhere
    _insert_each(sta, st, items, anywhere, chosen, nc, shortest)


@njit(cache=True)
def refresh_pressure(sta, st):
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
def seed_rng(seed):
    np.random.seed(seed)


@njit(cache=True)
def _count_waiting(servable, served):
    n = 0
    for k in range(servable.shape[0]):
        if not served[servable[k]]:
            n += 1
    return n


@njit(cache=True)
def anneal(sta, st, frac0, frac1, max_work, stats, stall):
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
        _begin(st)
        before = _key(st.tot)
        nc, npool = _ruin(sta, st, n_unserved, chosen, pool)
        _recreate(sta, st, chosen, nc, pool, npool)
        after = _key(st.tot)
        ok = _cmp(after, before) >= 0 or (
            not polish
            and after[0] <= before[0]
            and np.random.random() < math.exp((after[0] - before[0]) / temp)
        )
        if ok:
            _commit(st)
            stats[1] += 1
            n_unserved = _count_waiting(sta.servable, st.served)
            if _cmp(after, best) > 0:
                if after[0] > best[0]:
                    stats[3] = stats[0]
                best = after
                _save_best(st)
                stats[2] += 1
        else:
            _rollback(st)


@njit(cache=True)
def tidy(sta, st, sweeps):
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
            _begin(st)
            before = _key(st.tot)
            _remove(sta, st, i)
            one[0] = i
            _insert_each(sta, st, one, anywhere, one, 0, 0)
            if _cmp(_key(st.tot), before) > 0:
                _commit(st)
                changed += 1
            else:
                _rollback(st)
        moved += changed
        if changed == 0:
            break
    _save_best(st)
    return moved
