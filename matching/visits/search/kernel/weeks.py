"""A volunteer's week and who serves what: putting a visit in or taking it out (with the
undo log a move rolls back), and the plan's objective key."""

from __future__ import annotations

import numpy as np
from numba import njit

from matching.visits.search.kernel.state import (
    CONTINUITY,
    IN_MOVE,
    KM,
    NLOG,
    NTOUCHED,
    PRIORITY,
    Key,
    State,
    Static,
)
from matching.visits.search.kernel.travel import fill_travel

# -- weeks ----------------------------------------------------------------------------


@njit(cache=True)
def _week_edit(sta: Static, st: State, j: int, p: int, v: int, lo: int, hi: int) -> None:
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
            t = fill_travel(sta, st, a, b)
        e = E[j, k - 1] + dur[a] + t
        if e > E[j, k]:
            E[j, k] = e
    for k in range(n - 2, -1, -1):
        a, b = seq[j, k], seq[j, k + 1]
        t = travel[a, b]
        if t < 0:
            t = fill_travel(sta, st, a, b)
        lt = L[j, k + 1] - dur[a] - t
        if lt < L[j, k]:
            L[j, k] = lt


# -- who serves what ------------------------------------------------------------------


@njit(cache=True)
def _log(
    log_v: np.ndarray,
    log_kind: np.ndarray,
    log_j: np.ndarray,
    iw: np.ndarray,
    v: int,
    kind: int,
    j0: int,
    j1: int,
) -> None:
    k = iw[NLOG]
    if k >= log_v.shape[0]:
        raise ValueError("undo log full")
    log_v[k], log_kind[k] = v, kind
    log_j[k, 0], log_j[k, 1] = j0, j1
    iw[NLOG] = k + 1


@njit(cache=True)
def _continues(pref: np.ndarray, i: int, j0: int, j1: int) -> bool:
    return pref[i] >= 0 and (pref[i] == j0 or pref[i] == j1)


@njit(cache=True)
def place(
    sta: Static, st: State, i: int,
    j0: int, p0: int, lo0: int, hi0: int, km0: float,
    j1: int, p1: int, lo1: int, hi1: int, km1: float,
) -> None:  # fmt: skip
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
def remove(sta: Static, st: State, i: int) -> None:
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
def begin_move(st: State) -> None:
    st.iw[IN_MOVE] = 1
    st.iw[NLOG] = 0
    st.iw[NTOUCHED] = 0
    st.saved_tot[:] = st.tot


@njit(cache=True)
def commit_move(st: State) -> None:
    for k in range(st.iw[NTOUCHED]):
        st.touched[st.touched_list[k]] = 0
    st.iw[IN_MOVE] = 0
    st.iw[NTOUCHED] = 0
    st.iw[NLOG] = 0


@njit(cache=True)
def rollback_move(st: State) -> None:
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
def plan_key(tot: np.ndarray) -> Key:
    """The plan's objective key: priority, continuity, minus km (in micro-km)."""
    return (
        np.int64(tot[PRIORITY]),
        np.int64(tot[CONTINUITY]),
        -np.int64(np.rint(tot[KM] * 1e6)),
    )


@njit(cache=True, inline="always")
def cmp_keys(a: Key, b: Key) -> int:
    """-1, 0, 1 as key a is worse than, equal to, better than key b."""
    for k in range(3):
        if a[k] != b[k]:
            return 1 if a[k] > b[k] else -1
    return 0
