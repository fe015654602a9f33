"""Whole plans: the first one (fixed visits, then greedy), the best one saved and restored."""

from __future__ import annotations

import numpy as np
from numba import njit

from matching.visits.search.kernel.insert import fix_all, insert_each, place_at
from matching.visits.search.kernel.state import IN_MOVE, NLOG, NTOUCHED, State, Static
from matching.visits.search.kernel.weeks import plan_key

# -- plans ----------------------------------------------------------------------------


@njit(cache=True)
def save_best(st: State) -> None:
    st.best_js[:, :] = -1
    st.best_start[:] = -1
    for j in range(st.cnt.shape[0]):
        for k in range(st.cnt[j]):
            v = st.seq[j, k]
            if st.best_start[v] < 0:
                lo, hi = st.wlo[j, k], st.whi[j, k]
                st.best_start[v] = lo if lo == hi else st.E[j, k]
                st.best_js[v, 0], st.best_js[v, 1] = st.js[v, 0], st.js[v, 1]
    key = plan_key(st.tot)
    st.best_key[0], st.best_key[1], st.best_key[2] = key[0], key[1], key[2]


@njit(cache=True)
def _clear(st: State) -> None:
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
def restore_best(sta: Static, st: State) -> None:
    """The plan becomes the best one saved: fixed visits, then the others in start order."""
    starts = st.best_start.copy()
    js = st.best_js.copy()
    _clear(st)
    fix_all(sta, st)
    order = np.argsort(starts, kind="mergesort")
    for i in order:
        if starts[i] >= 0 and not st.fixed[i]:
            place_at(sta, st, i, js[i, 0], js[i, 1], starts[i])


@njit(cache=True)
def construct(sta: Static, st: State) -> None:
    """Fixed assignments, then every waiting visit in ``sta.order`` at its cheapest place."""
    fix_all(sta, st)
    anywhere = np.ones(sta.order.shape[0], np.bool_)
    insert_each(sta, st, sta.order, anywhere, sta.order, 0, 0)
