"""Ruin-and-recreate search over volunteers' weeks: the level-1 engine for big weeks.

Why not CP-SAT alone: on a city week the whole-week model is too big to improve in seconds
on two cores, and the greedy it starts from picks visits by priority, not by what they cost
in volunteer minutes. Weekly minutes are what runs out (the town week's plans use ~95% of
them), so the plan that serves the most priority is the one that spends each volunteer's
minutes on the best priority per minute their place and hours allow; which visits those
are depends on every neighbour's choice. A ruin-and-recreate search (as in SISR, Christiaens
and Vanden Berghe 2020) explores exactly that: take a few visits out of a few weeks, put
back the best set that fits, keep it if the plan is no worse (simulated annealing on
priority, ties broken by continuity, then distance).

Weeks are ``matching.routes.Week``: ordered visits with flexible starts, so "does it fit"
is O(1) per position. Every plan this module returns satisfies every hard rule (tests run
it through the independent checker).
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import time
from collections.abc import Callable
from typing import NamedTuple

from matching.geo import Geo
from matching.model import VisitProblem
from matching.prune import Pruned
from matching.routes import Week
from matching.solution import RawPlan

# Option cost: km from home, plus minutes of travel added between visits (a minute at
# 30 km/h is half a km), minus a bonus for the resident's preferred volunteer.
TRAVEL_WEIGHT, PREFERRED_BONUS = 0.5, 1000.0
PRESSURE_WEIGHT = 0.5
DYNAMIC = 500
RUIN_VOLS = 8
PROGRESS_EVERY, PROGRESS_SECONDS = 200, 0.5  # progress reports: at most one per 0.5 s
CLASH_P, OTHER_P, SEED_P = 0.7, 0.5, 0.8
NEAR_P = 0.5
CLASH_MARGIN = 60  # minutes around a waiting visit's range where booked visits block it
# Share of the run after which only lexicographic gains are kept (levels 2-3 polish).
POLISH_FROM = 0.85
# Work charged per iteration on top of its position tests (its fixed cost), and the stall
# rule: stop after STALL x visits iterations without a level-1 gain (small weeks then hand
# the rest of the budget to CP-SAT, which can prove optimality).
ITERATION_WORK, STALL = 20, 100
# Simulated-annealing temperature on priority points, start and end of the run.
T_START, T_END = 1.0, 0.02
# Recreate order: share of random orders; price per minute range; noise in points.
RANDOM_ORDER, PRICE, NOISE = 0.1, (0.012, 0.028), 0.5


class Option(NamedTuple):
    """Volunteer ``vol`` may start the visit in [lo, hi]; ``cost`` ranks the choices."""

    vol: int
    lo: int
    hi: int
    cost: float
    preferred: bool
    km: float


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
                mine = grouped[c.vol] = [
                    Option(c.vol, lo, hi, cost, preferred, c.km) for lo, hi in c.starts
                ]
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
        self._log: list | None = None  # undo log of the current move
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

    def _place(self, i: int, js: tuple[int, ...], spots, pinned: int | None) -> None:
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
        spots = []
        for j in js:
            week = self.weeks[j]
            p = sum(1 for e in week.E if e <= start)
            km = self.geo.km(self.p.visits[i].point, self.p.volunteers[j].point)
            spots.append((p, Option(j, start, start, 0.0, False, km)))
        self._place(i, js, spots, start)
        self.fixed.add(i)

    def place_at(self, i: int, js: tuple[int, ...], start: int) -> bool:
        """Put a visit back at a given start (from a plan), if it still fits there."""
        if i not in self.unserved or len(js) != self.need[i]:
            return False
        spots = []
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

    def best_insertion(self, i: int, only: set[int] | None = None):
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
        best = None
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

    def _best_single(self, i: int, only: set[int] | None):
        """``best_insertion`` for a one-volunteer visit: the hot loop of the search, so
        ``Week.gaps`` is inlined and an option that cannot beat the best found so far (its
        cost before added travel, which is never negative for a metric distance, is
        already higher) is skipped unscanned."""
        d, weeks, cap, dur, travel = self.dur[i], self.weeks, self.cap, self.dur, self.travel
        grouped = self.vol_options[i]
        pressure = self.pressure
        vols = grouped if only is None else [j for j in only if j in grouped]
        best = None
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


def construct(s: Search, plan: RawPlan | None, problem: VisitProblem) -> None:
    """Fixed assignments (unless already placed), then every waiting visit best priority
    per volunteer-minute first."""
    vindex = {u.id: j for j, u in enumerate(problem.volunteers)}
    pindex = {v.id: i for i, v in enumerate(problem.visits)}
    for f in sorted(problem.fixed, key=lambda f: f.start):
        if pindex[f.visit] not in s.served:
            s.fix(pindex[f.visit], tuple(vindex[u] for u in f.volunteers), f.start)
    for i in sorted(s.unserved, key=lambda i: (-density(s, i), -s.pri[i], i)):
        s.insert(i)


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
) -> tuple[RawPlan, dict]:
    """Best plan found before ``max_work`` position tests (deterministic) or the wall-clock
    ``deadline`` (``time.perf_counter()`` value), whichever comes first. With both, the
    deadline is a safety net and ``stats["wall_stopped"]`` says whether it was hit (the
    answer then depends on the machine's speed). ``start``: a valid plan to start from
    (the rest is filled greedily); otherwise a greedy construction."""
    runner = Runner(problem, geo, pruned, start)
    plan, stats = runner.run(seed, max_work=max_work, deadline=deadline, progress=progress)
    return runner.finish(plan), stats


class Runner:
    """One search state that can run several segments of the annealing schedule, each
    from a given plan (so that parallel runners can share their best between segments)."""

    def __init__(
        self, problem: VisitProblem, geo: Geo, pruned: Pruned, start: RawPlan | None = None
    ) -> None:
        self.problem, self.geo, self.pruned = problem, geo, pruned
        self.s = Search(problem, geo, pruned)
        if start:
            self.s, _ = _restart_from(self.s, start, problem, geo, pruned)
        construct(self.s, None, problem)
        self.start_priority = self.s.priority
        self.vols_active = sorted({o.vol for opts in self.s.options for o in opts})

    def restore(self, plan: RawPlan) -> None:
        self.s, _ = _restart_from(self.s, plan, self.problem, self.geo, self.pruned)

    def run(
        self,
        seed: int,
        *,
        max_work: int | None = None,
        deadline: float | None = None,
        progress: Callable[[float], None] | None = None,
        span: tuple[float, float] = (0.0, 1.0),
    ) -> tuple[RawPlan, dict]:
        """Anneal over the ``span`` part of the schedule (0 = hot start, 1 = end)."""
        s, problem, geo, pruned = self.s, self.problem, self.geo, self.pruned
        rng = random.Random(seed)
        best_key, best_plan = s.key(), s.plan()
        stats = {"iterations": 0, "accepted": 0, "improved": 0, "work": 0}
        stats["start"] = self.start_priority
        if not self.vols_active:
            stats["best"] = s.priority
            return best_plan, stats
        work0 = s.work
        t0 = time.perf_counter()

        def done() -> float:
            f = 0.0
            if max_work is not None:
                f = max(f, (s.work - work0) / max(max_work, 1))
            if deadline is not None:
                by_clock = (time.perf_counter() - t0) / max(deadline - t0, 1e-9)
                if by_clock >= 1.0 and max_work is not None and f < 1.0:
                    stats["wall_stopped"] = True
                f = max(f, by_clock)
            return f

        last_gain, last_said = 0, -math.inf
        while s.unserved:  # nothing left to serve: level 1 is optimal, CP-SAT does the rest
            local = done()
            if local >= 1.0 or stats["iterations"] - last_gain > STALL * max(s.n, 100):
                break
            frac = span[0] + (span[1] - span[0]) * local
            if progress is not None and stats["iterations"] % PROGRESS_EVERY == 0:
                now = time.perf_counter()
                if now - last_said >= PROGRESS_SECONDS:  # the app writes each one down
                    last_said = now
                    progress(frac)
            temp = T_START * (T_END / T_START) ** min(frac / POLISH_FROM, 1.0)
            polish = frac >= POLISH_FROM
            if polish and not s.polishing:
                # Last stretch: keep level 1, tidy levels 2-3 (continuity, km from home):
                # strict acceptance, and places chosen by distance rather than contention.
                s.polishing = True
                s.pressure = [0.0] * len(s.cap)
                s, best_plan = _restart_from(s, best_plan, problem, geo, pruned)
            stats["iterations"] += 1
            s.work += ITERATION_WORK
            if DYNAMIC and not s.polishing and stats["iterations"] % DYNAMIC == 0:
                s.refresh_pressure()
            s.begin()
            before = s.key()
            affected, pool = _ruin(s, rng, self.vols_active)
            _recreate(s, rng, affected, pool)
            after = s.key()
            ok = after >= before or (
                not polish
                and after[0] <= before[0]
                and rng.random() < math.exp((after[0] - before[0]) / temp)
            )
            if ok:
                s.commit()
                stats["accepted"] += 1
                if after > best_key:
                    if after[0] > best_key[0]:
                        last_gain = stats["iterations"]
                    best_key, best_plan = after, s.plan()
                    stats["improved"] += 1
            else:
                s.rollback()
        self.s = s
        stats["work"] = s.work - work0
        stats["best"] = best_key[0]
        stats["key"] = best_key
        return best_plan, stats

    def finish(self, plan: RawPlan) -> RawPlan:
        """``plan`` with levels 2-3 tidied (level 1 unchanged)."""
        self.restore(plan)
        self.s.pressure = [0.0] * len(self.s.cap)
        tidy(self.s)
        return self.s.plan()


def tidy(s: Search, sweeps: int = 2) -> int:
    """Levels 2-3 without touching level 1: move each visit to its best place by
    continuity then distance (it can always go back where it was). Returns moves kept."""
    moved = 0
    for _ in range(sweeps):
        changed = 0
        for i in sorted(s.served):
            if i in s.fixed:
                continue
            s.begin()
            before = s.key()
            s.remove(i)
            s.insert(i)
            if s.key() > before:
                s.commit()
                changed += 1
            else:
                s.rollback()
        moved += changed
        if not changed:
            break
    return moved


def _restart_from(s: Search, plan: RawPlan, problem: VisitProblem, geo: Geo, pruned: Pruned):
    """A fresh search state holding exactly ``plan`` (the best so far)."""
    if s.plan() == plan:
        return s, plan
    fresh = s.empty_like()
    fresh.pressure, fresh.polishing, fresh.work = s.pressure, s.polishing, s.work
    vindex = {u.id: j for j, u in enumerate(problem.volunteers)}
    pindex = {v.id: i for i, v in enumerate(problem.visits)}
    fixed = {pindex[f.visit] for f in problem.fixed}
    for f in sorted(problem.fixed, key=lambda f: f.start):
        fresh.fix(pindex[f.visit], tuple(vindex[u] for u in f.volunteers), f.start)
    for i, (js, start) in sorted(plan.items(), key=lambda kv: kv[1][1]):
        if i not in fixed:
            fresh.place_at(i, js, start)
    return fresh, fresh.plan()


def _sq(a: tuple[float, float], b: tuple[float, float]) -> float:
    return (a[0] - b[0]) ** 2 + ((a[1] - b[1]) * 0.75) ** 2  # enough to rank neighbours


def _clashes(start: int, dur: int, ranges: list[tuple[int, int]]) -> bool:
    return any(start < hi + CLASH_MARGIN and start + dur > lo - CLASH_MARGIN for lo, hi in ranges)


def _ruin(s: Search, rng: random.Random, vols_active: list[int]) -> tuple[set[int], list[int]]:
    """Take visits out of a few weeks; returns the weeks touched and the visits to place."""
    pool: list[int] = []
    if s.unserved and rng.random() < (0.3 if s.polishing else SEED_P):
        u = s.pick_unserved(rng)
        windows: dict[int, list[tuple[int, int]]] = {}
        for o in s.options[u]:
            windows.setdefault(o.vol, []).append((o.lo, o.hi + s.dur[u]))
        vols = sorted(windows)
        k = rng.randint(1, min(RUIN_VOLS, len(vols)))
        if rng.random() < NEAR_P and k > 1:
            # The seed's volunteer and those of its candidates living nearest to them:
            # they share the most visits, so what one gives up another can take.
            first = rng.choice(vols)
            here = s.p.volunteers[first].point
            rest = sorted(
                (v for v in vols if v != first),
                key=lambda v: (_sq(here, s.p.volunteers[v].point), v),
            )
            chosen = [first, *rest[: k - 1]]
        else:
            chosen = rng.sample(vols, k)
        pool.append(u)
    else:
        j0 = rng.choice(vols_active)
        chosen = [j0]
        windows = {}
    # Visits near the waiting visit's time go with probability 0.7 (they are what blocks
    # it); the others with a random q/2 (they free weekly minutes). A two-volunteer visit
    # taken out frees its partner's week too, which then joins the ruined weeks.
    q = rng.random()
    for j in chosen:  # grows while we go: partners of removed two-volunteer visits
        week = s.weeks[j]
        win = windows.get(j)
        for v in list(week.seq):
            if v in s.fixed or v not in s.served:
                continue
            e = week.E[week.seq.index(v)]
            clash = win is not None and _clashes(e, s.dur[v], win)
            if rng.random() < (CLASH_P if clash else q * OTHER_P):
                partners = s.served[v]
                s.remove(v)
                pool.append(v)
                chosen.extend(o for o in partners if o not in chosen)
    return set(chosen), pool


def _recreate(s: Search, rng: random.Random, affected: set[int], pool: list[int]) -> None:
    """Put back the best set that fits: the pool anywhere, waiting visits into the weeks
    that just got room (elsewhere nothing changed, so they would not fit)."""
    waiting = set()
    unserved = s.unserved
    for j in affected:
        room = s.cap[j] - s.weeks[j].load
        fits = bisect.bisect_right(s.by_vol_dur[j], room)
        waiting.update(i for i in s.by_vol[j][:fits] if i in unserved)
    in_pool = set(pool)
    waiting -= in_pool
    items = list(in_pool) + sorted(waiting)
    mode = rng.random()
    if mode < RANDOM_ORDER:
        rng.shuffle(items)
    else:
        # Value net of the minutes it takes, at a price per minute drawn around what the
        # marginal visit earns: equal density ranks the longer (higher-priority) visit first.
        price = rng.uniform(*PRICE)
        noise = rng.uniform(0.0, NOISE)
        pri, dur, need, rnd = s.pri, s.dur, s.need, rng.random
        keys = {i: (pri[i] - price * dur[i] * need[i]) + noise * (2.0 * rnd() - 1.0) for i in items}
        items.sort(key=lambda i: (-keys[i], i))
    shortest = min((s.dur[i] for i in waiting), default=0)
    weeks, cap = s.weeks, s.cap

    def room() -> bool:
        return any(cap[j] - weeks[j].load >= shortest for j in affected)

    ok = room()
    for i in items:
        if i in s.served:
            continue
        if i in in_pool:
            if s.insert(i):
                ok = room()
        elif ok and s.insert(i, affected):
            ok = room()
