"""The compiled search's data: its constants and the two named tuples of arrays it works on
(``Static``: the options, never changed; ``State``: the plan, the undo log, the best plan)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

# Same constants as visits.search.week_plan / visits.search.ruin_recreate (see there for why).
TRAVEL_WEIGHT, PRESSURE_WEIGHT = 0.5, 0.5
DYNAMIC = 500
RUIN_VOLS, NEAR_P, SEED_P, POLISH_SEED_P = 8, 0.5, 0.8, 0.3
CLASH_P, OTHER_P, CLASH_MARGIN = 0.7, 0.5, 60
ITERATION_WORK = 20
T_START, T_END, POLISH_FROM = 1.0, 0.02, 0.85
RANDOM_ORDER, PRICE_LO, PRICE_HI, NOISE = 0.1, 0.012, 0.028, 0.5
# Indices into State.iw (int64 counters) and State.tot (float64 totals).
WORK, POLISHING, IN_MOVE, NLOG, NTOUCHED, STAMP = 0, 1, 2, 3, 4, 5
PRIORITY, CONTINUITY, KM = 0, 1, 2
# A plan's objective key (``weeks.plan_key``): priority, continuity, -km in micro-km.
Key = tuple[np.int64, np.int64, np.int64]


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
