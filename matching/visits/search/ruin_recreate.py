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

Weeks are ``routes.Week`` (this package): ordered visits with flexible starts, so "does it
fit" is O(1) per position. Every plan this module returns satisfies every hard rule (tests
run it through the independent checker).
"""

from __future__ import annotations

import bisect
import math
import random
import time
from collections.abc import Callable
from typing import Any

from matching.common.geo import Geo
from matching.visits.model import VisitProblem
from matching.visits.prune import Pruned
from matching.visits.search.week_plan import Search, density
from matching.visits.solution import RawPlan

# Contention of volunteers' minutes is re-estimated every DYNAMIC moves.
DYNAMIC = 500
# Ruin: SEED_P of the moves start from a waiting visit and up to RUIN_VOLS of its
# volunteers (NEAR_P of the time one of them and their nearest neighbours); booked visits
# within CLASH_MARGIN minutes of its range go with CLASH_P, the others with OTHER_P x q.
RUIN_VOLS, NEAR_P, SEED_P = 8, 0.5, 0.8
CLASH_P, OTHER_P, CLASH_MARGIN = 0.7, 0.5, 60
PROGRESS_EVERY, PROGRESS_SECONDS = 200, 0.5  # progress reports: at most one per 0.5 s
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
) -> tuple[RawPlan, dict[str, Any]]:
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
    ) -> tuple[RawPlan, dict[str, Any]]:
        """Anneal over the ``span`` part of the schedule (0 = hot start, 1 = end)."""
        s, problem, geo, pruned = self.s, self.problem, self.geo, self.pruned
        rng = random.Random(seed)
        best_key, best_plan = s.key(), s.plan()
        stats: dict[str, Any] = {"iterations": 0, "accepted": 0, "improved": 0, "work": 0}
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


def _restart_from(
    s: Search, plan: RawPlan, problem: VisitProblem, geo: Geo, pruned: Pruned
) -> tuple[Search, RawPlan]:
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
    waiting: set[int] = set()
    unserved = s.unserved
    for j in affected:
        left = s.cap[j] - s.weeks[j].load
        fits = bisect.bisect_right(s.by_vol_dur[j], left)
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
