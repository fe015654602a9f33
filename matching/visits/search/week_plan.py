"""The search's plan: every volunteer's week, who serves what, and the moves on them.

``Search`` holds what never changes during a search (each visit's options: volunteer,
start range, cost; candidate visits per volunteer) and the plan itself (``routes.Week``
per volunteer, served and waiting visits, running objective totals). Its moves (place,
remove, best insertion) keep every hard rule; ``begin``/``rollback``/``commit`` undo a
move cheaply. The search strategy that uses them is ``ruin_recreate`` (this package).
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence
from typing import Any, NamedTuple

from matching.common.geo import Geo
from matching.visits.model import VisitProblem
from matching.visits.prune import Pruned
from matching.visits.search.routes import Week
from matching.visits.solution import RawPlan

# Option cost: km from home, plus minutes of travel added between visits (a minute at
# 30 km/h is half a km), minus a bonus for the resident's preferred volunteer; plus the
# contention of the volunteer's minutes, weighted.
TRAVEL_WEIGHT, PREFERRED_BONUS = 0.5, 1000.0
PRESSURE_WEIGHT = 0.5


class Option(NamedTuple):
    """Volunteer ``vol`` may start the visit in [lo, hi]; ``cost`` ranks the choices."""

    vol: int
    lo: int
    hi: int
    cost: float
    km: float


Spot = tuple[int, Option]  # a place in a week: position, and the option it uses
# A way to serve a visit: cost, volunteers, their spots, the start pinned for a
# two-volunteer visit (None: the week's own range).
Insertion = tuple[float, tuple[int, ...], tuple[Spot, ...], int | None]


class Search:
    """The mutable plan: weeks per volunteer, who serves what, and running totals."""

    def __init__(self, problem: VisitProblem, geo: Geo, pruned: Pruned) -> None:
        self.p, self.geo = problem, geo
        visits, vols = problem.visits, problem.volunteers
        self.dur = [v.duration_min for v in visits]
        self.pri = [v.priority for v in visits]
        self.need = [v.volunteers_needed for v in visits]
        self.cap = [u.max_minutes for u in vols]
        self.points = [v.point for v in visits]
        self._travel: dict[int, int] = {}
        self.n = len(visits)
        self.options: list[list[Option]] = [[] for _ in visits]
        # Per volunteer: the visits they could serve, shortest first, and their durations
        # (so "which waiting visits fit in the minutes left" is a bisection).
        by_vol: list[set[int]] = [set() for _ in vols]
        # How contested each volunteer's minutes are: priority-minutes asked of them
        # (each visit's share split among its candidates) per minute they can give.
        asked = [0.0] * len(vols)
        self.vol_options: list[dict[int, list[Option]]] = []
        ids = [u.id for u in vols]
        for i, row in enumerate(pruned.cands):
            grouped: dict[int, list[Option]] = {}
            self.vol_options.append(grouped)
            if not row:
                continue
            share = self.pri[i] * self.dur[i] / len(row)
            for c in row:
                asked[c.vol] += share
            if i in pruned.reasons:
                continue
            pref = visits[i].preferred_volunteer
            opts = self.options[i]
            for c in row:
                preferred = ids[c.vol] == pref
                cost = c.km - PREFERRED_BONUS if preferred else c.km
                mine = grouped[c.vol] = [Option(c.vol, lo, hi, cost, c.km) for lo, hi in c.starts]
                opts.extend(mine)
                by_vol[c.vol].add(i)
        self.base_pressure = [
            PRESSURE_WEIGHT * asked[j] / max(u.max_minutes, 1) for j, u in enumerate(vols)
        ]
        self.by_vol = [sorted(b, key=lambda i: (self.dur[i], i)) for b in by_vol]
        self.by_vol_dur = [[self.dur[i] for i in b] for b in self.by_vol]
        self.servable = [i for i in range(self.n) if self.options[i]]
        self.servable_cum = list(itertools.accumulate(max(self.pri[i], 1) for i in self.servable))
        self._reset()

    def empty_like(self) -> Search:
        """A new, empty plan sharing this one's (immutable) options and travel cache."""
        other = Search.__new__(Search)
        other.__dict__.update(self.__dict__)
        other._reset()
        return other

    def _reset(self) -> None:
        self.weeks = [Week() for _ in self.cap]
        self.served: dict[int, tuple[int, ...]] = {}
        self.unserved = {i for i in range(self.n) if self.options[i]}
        self.fixed: set[int] = set()
        self.priority = self.continuity = 0
        self.km = 0.0
        self.work = 0  # position tests made: a deterministic measure of effort
        self._log: list[Any] | None = None  # undo log of the current move
        self.polishing = False
        self.pressure = self.base_pressure

    def pick_unserved(self, rng: random.Random) -> int:
        """A waiting visit, drawn in proportion to its priority (by rejection from all
        servable visits: cheaper than re-weighting the waiting set each time)."""
        while True:
            i = rng.choices(self.servable, cum_weights=self.servable_cum)[0]
            if i in self.unserved:
                return i

    def refresh_pressure(self) -> None:
        """Re-estimate contention from the visits still waiting (served ones ask nothing)."""
        asked = [0.0] * len(self.cap)
        for i in self.unserved:
            grouped = self.vol_options[i]
            share = self.pri[i] * self.dur[i] / len(grouped)
            for j in grouped:
                asked[j] += share
        self.pressure = [
            PRESSURE_WEIGHT * a / max(c, 1) for a, c in zip(asked, self.cap, strict=True)
        ]

    # -- travel -------------------------------------------------------------------------
    def travel(self, a: int, b: int) -> int:
        key = a * self.n + b if a < b else b * self.n + a
        t = self._travel.get(key)
        if t is None:
            t = self._travel[key] = self.geo.travel(self.points[a], self.points[b])
        return t

    # -- moves --------------------------------------------------------------------------
    def _touch(self, j: int) -> None:
        if self._log is not None and j not in self._log[0]:
            self._log[0][j] = self.weeks[j].copy()

    def _place(
        self, i: int, js: tuple[int, ...], spots: Sequence[Spot], pinned: int | None
    ) -> None:
        """Put visit i into the weeks of ``js`` at positions ``spots`` ((p, opt) each)."""
        for j, (p, opt) in zip(js, spots, strict=True):
            self._touch(j)
            lo, hi = (pinned, pinned) if pinned is not None else (opt.lo, opt.hi)
            self.weeks[j].insert(p, i, lo, hi, self.dur, self.travel)
            self.km += opt.km
        self.served[i] = tuple(sorted(js))
        self.unserved.discard(i)
        if self._log is not None:
            self._log[1].append((i, None))
        self.priority += self.pri[i]
        pref = self.p.visits[i].preferred_volunteer
        if pref is not None and any(self.p.volunteers[j].id == pref for j in js):
            self.continuity += 1

    def remove(self, i: int) -> None:
        js = self.served.pop(i)
        if self._log is not None:
            self._log[1].append((i, js))
        for j in js:
            self._touch(j)
            self.weeks[j].remove(i, self.dur, self.travel)
            self.km -= self._km(i, j)
        self.unserved.add(i)
        self.priority -= self.pri[i]
        pref = self.p.visits[i].preferred_volunteer
        if pref is not None and any(self.p.volunteers[j].id == pref for j in js):
            self.continuity -= 1

    def _km(self, i: int, j: int) -> float:
        for opt in self.options[i]:
            if opt.vol == j:
                return opt.km
        return self.geo.km(self.p.visits[i].point, self.p.volunteers[j].point)

    def fix(self, i: int, js: tuple[int, ...], start: int) -> None:
        """An approved assignment: pinned at its start, never removed."""
        spots: list[Spot] = []
        for j in js:
            week = self.weeks[j]
            p = sum(1 for e in week.E if e <= start)
            km = self.geo.km(self.p.visits[i].point, self.p.volunteers[j].point)
            spots.append((p, Option(j, start, start, 0.0, km)))
        self._place(i, js, spots, start)
        self.fixed.add(i)

    def place_at(self, i: int, js: tuple[int, ...], start: int) -> bool:
        """Put a visit back at a given start (from a plan), if it still fits there."""
        if i not in self.unserved or len(js) != self.need[i]:
            return False
        spots: list[Spot] = []
        for j in js:
            opt = next((o for o in self.vol_options[i].get(j, ()) if o.lo <= start <= o.hi), None)
            if opt is None or self.weeks[j].load + self.dur[i] > self.cap[j]:
                return False
            at = self.weeks[j].gaps(i, start, start, self.dur, self.travel)
            if not at:
                return False
            # The last place that fits: the plan's visits come in start order, so this is
            # after every visit that starts earlier (an earlier place could also fit by
            # pushing a flexible visit later, and then break the plan's later visits).
            spots.append((at[-1][0], opt))
        self._place(i, js, spots, start if len(js) > 1 else None)
        return True

    def best_insertion(self, i: int, only: set[int] | None = None) -> Insertion | None:
        """Cheapest feasible way to serve visit i (restricted to volunteers ``only``), as
        (cost, volunteers, spots, pinned start) or None."""
        if self.need[i] == 1:
            return self._best_single(i, only)
        d, weeks, cap, dur, travel = self.dur[i], self.weeks, self.cap, self.dur, self.travel
        grouped = self.vol_options[i]
        pressure = self.pressure
        vols = grouped if only is None else [j for j in only if j in grouped]
        fits = []
        for j in vols:
            week = weeks[j]
            if week.load + d > cap[j]:
                continue
            scarce = pressure[j] * d
            for opt in grouped[j]:
                self.work += len(week.seq) + 1
                for p, e, lt, added in week.gaps(i, opt.lo, opt.hi, dur, travel):
                    fits.append((opt.cost + scarce + TRAVEL_WEIGHT * added, j, p, e, lt, opt))
        if not fits:
            return None
        best: Insertion | None = None
        fits.sort(key=lambda f: (f[0], f[1], f[2]))
        for a in range(len(fits)):
            ca, ja, pa, ea, la, oa = fits[a]
            if best is not None and 2 * ca >= best[0]:
                break
            for b in range(a + 1, len(fits)):
                cb, jb, pb, eb, lb, ob = fits[b]
                if best is not None and ca + cb >= best[0]:
                    break
                if jb == ja:
                    continue
                t = max(ea, eb)
                if t <= min(la, lb):
                    best = (ca + cb, (ja, jb), ((pa, oa), (pb, ob)), t)
                    break
        return best

    def _best_single(self, i: int, only: set[int] | None) -> Insertion | None:
        """``best_insertion`` for a one-volunteer visit: the hot loop of the search, so
        ``Week.gaps`` is inlined and an option that cannot beat the best found so far (its
        cost before added travel, which is never negative for a metric distance, is
        already higher) is skipped unscanned."""
        d, weeks, cap, dur, travel = self.dur[i], self.weeks, self.cap, self.dur, self.travel
        grouped = self.vol_options[i]
        pressure = self.pressure
        vols = grouped if only is None else [j for j in only if j in grouped]
        best: Insertion | None = None
        best_key = (math.inf, 0, 0)
        work = 0
        for j in vols:
            week = weeks[j]
            if week.load + d > cap[j]:
                continue
            scarce = pressure[j] * d
            seq, E, L = week.seq, week.E, week.L
            n = len(seq)
            for opt in grouped[j]:
                base = opt.cost + scarce
                if base > best_key[0]:
                    continue
                work += n + 1
                lo, hi = opt.lo, opt.hi
                for p in range(n + 1):
                    if p:
                        a = seq[p - 1]
                        t_in = travel(a, i)
                        e = E[p - 1] + dur[a] + t_in
                        if e > hi:
                            break  # later positions only start later
                        if e < lo:
                            e = lo
                    else:
                        a, t_in, e = -1, 0, lo
                    if p < n:
                        b = seq[p]
                        t_out = travel(i, b)
                        lt = L[p] - d - t_out
                        if lt > hi:
                            lt = hi
                    else:
                        b, t_out, lt = -1, 0, hi
                    if e <= lt:
                        added = t_in + t_out - (travel(a, b) if a >= 0 and b >= 0 else 0)
                        key = (base + TRAVEL_WEIGHT * added, j, p)
                        if key < best_key:
                            best_key, best = key, (key[0], (j,), ((p, opt),), None)
        self.work += work
        return best

    def insert(self, i: int, only: set[int] | None = None) -> bool:
        found = self.best_insertion(i, only)
        if found is None:
            return False
        _, js, spots, pinned = found
        self._place(i, js, spots, pinned)
        return True

    # -- undo ---------------------------------------------------------------------------
    def begin(self) -> None:
        # Weeks as they were before their first change; (visit, volunteers it had) changes.
        self._log = [{}, [], (self.priority, self.continuity, self.km)]

    def rollback(self) -> None:
        assert self._log is not None, "rollback outside a move"
        weeks, changes, totals = self._log
        for j, week in weeks.items():
            self.weeks[j] = week
        for i, js in reversed(changes):
            if js is None:
                del self.served[i]
                self.unserved.add(i)
            else:
                self.served[i] = js
                self.unserved.discard(i)
        self.priority, self.continuity, self.km = totals
        self._log = None

    def commit(self) -> None:
        self._log = None

    def key(self) -> tuple[int, int, float]:
        return (self.priority, self.continuity, -round(self.km, 6))

    def plan(self) -> RawPlan:
        out: RawPlan = {}
        served = self.served
        for week in self.weeks:
            for v, lo, hi, e in zip(week.seq, week.lo, week.hi, week.E, strict=True):
                if v not in out:
                    out[v] = (served[v], lo if lo == hi else e)
        return out


def density(s: Search, i: int) -> float:
    return s.pri[i] / (s.dur[i] * s.need[i])
