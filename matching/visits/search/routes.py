"""A volunteer's week as a route: visits in time order with flexible start times.

The search (``ruin_recreate``, in this package) needs one cheap question answered millions
of times: "can visit v still go into volunteer j's week, and where?". Keeping each week as an
ordered sequence with, per visit, its allowed start range ``[lo, hi]`` (window x slot, from
pruning), its earliest feasible start ``E`` (forward pass) and latest feasible start ``L``
(backward pass) makes that an O(1) test per position: inserting v between a and b fits iff

    max(lo_v, E_a + d_a + t(a, v))  <=  min(hi_v, L_b - d_v - t(v, b)).

A two-volunteer visit is pinned (``lo == hi``) to the start both volunteers share; a fixed
assignment is pinned to its approved start and never removed. Travel from home is not part
of availability (the rules), so only travel between consecutive visits counts.
"""

from __future__ import annotations

from collections.abc import Callable

Travel = Callable[[int, int], int]
NEG, POS = -(1 << 40), 1 << 40


class Week:
    """One volunteer's visits in time order, with their start ranges and slack."""

    __slots__ = ("seq", "lo", "hi", "E", "L", "load")

    def __init__(self) -> None:
        self.seq: list[int] = []
        self.lo: list[int] = []
        self.hi: list[int] = []
        self.E: list[int] = []
        self.L: list[int] = []
        self.load = 0

    def copy(self) -> Week:
        w = Week.__new__(Week)
        w.seq, w.lo, w.hi = self.seq[:], self.lo[:], self.hi[:]
        w.E, w.L, w.load = self.E[:], self.L[:], self.load
        return w

    def refresh(self, dur: list[int], travel: Travel) -> None:
        """Recompute earliest and latest starts (weeks hold a handful of visits)."""
        seq, n = self.seq, len(self.seq)
        E, L = self.lo[:], self.hi[:]
        for k in range(1, n):
            e = E[k - 1] + dur[seq[k - 1]] + travel(seq[k - 1], seq[k])
            if e > E[k]:
                E[k] = e
        for k in range(n - 2, -1, -1):
            lt = L[k + 1] - dur[seq[k]] - travel(seq[k], seq[k + 1])
            if lt < L[k]:
                L[k] = lt
        self.E, self.L = E, L

    def gaps(
        self, v: int, lo: int, hi: int, dur: list[int], travel: Travel
    ) -> list[tuple[int, int, int, int]]:
        """Every position where v fits: (position, earliest, latest start, added travel)."""
        seq, E, L = self.seq, self.E, self.L
        n = len(seq)
        d = dur[v]
        out = []
        for p in range(n + 1):
            if p > 0:
                a = seq[p - 1]
                t_in = travel(a, v)
                e = E[p - 1] + dur[a] + t_in
                if e > hi:
                    break  # later positions only start later
                if e < lo:
                    e = lo
            else:
                a, t_in, e = -1, 0, lo
            if p < n:
                b = seq[p]
                t_out = travel(v, b)
                lt = L[p] - d - t_out
                if lt > hi:
                    lt = hi
            else:
                b, t_out, lt = -1, 0, hi
            if e <= lt:
                added = t_in + t_out - (travel(a, b) if a >= 0 and b >= 0 else 0)
                out.append((p, e, lt, added))
        return out

    def insert(self, p: int, v: int, lo: int, hi: int, dur: list[int], travel: Travel) -> None:
        self.seq.insert(p, v)
        self.lo.insert(p, lo)
        self.hi.insert(p, hi)
        self.load += dur[v]
        self.refresh(dur, travel)

    def remove(self, v: int, dur: list[int], travel: Travel) -> None:
        p = self.seq.index(v)
        del self.seq[p], self.lo[p], self.hi[p]
        self.load -= dur[v]
        self.refresh(dur, travel)
