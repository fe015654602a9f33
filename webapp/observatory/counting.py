"""The service, volunteer and time-bank sources, counted in Python from the page's month
facts (``monthly.py``: the summary for the whole months it holds, live for the rest):
services, residents and minutes by any grouping; the volunteers' hours, active
volunteers and continuity; the time bank's flows; the newly reached.

Distinct people are counted from the masks of months each person was counted in, so a
total is distinct over the period, not the sum of its rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from webapp.observatory import monthly, summary
from webapp.observatory.facts import Facts, source
from webapp.observatory.monthly import Filters, MonthFacts, month_number, month_start
from webapp.observatory.scope import Scope

Counts = dict[tuple[str, ...], tuple[int, int, int]]  # dims -> (services, people, minutes)
FINAL_OUTCOMES = ("completed", "cancelled", "resident_absent", "volunteer_absent", "unfilled")
DIMS = ("bucket", "service", "outcome", "hood")
T = TypeVar("T")


def filters(scope: Scope) -> Filters:
    return Filters(scope.org_id, scope.service, scope.neighbourhood)


def _base(scope: Scope) -> int:
    return month_number(scope.previous_start())


@source("summary_state")
def load_summary_state(scope: Scope) -> summary.State | None:
    return summary.state(scope.org_id)


def as_of(scope: Scope, current: summary.State | None) -> datetime | None:
    """When the summary a page of ``scope`` reads was computed (None: all live)."""
    if current is None or summary.stored_months(current, scope.start, scope.end) is None:
        return None
    return current.refreshed_at


def _month_facts(facts: Facts, start: date, end: date, what: tuple[str, ...]) -> MonthFacts:
    scope = facts.scope
    return summary.month_facts(
        filters(scope), start, end, _base(scope), facts.get("summary_state"), what
    )


def cached(fn: Callable[[Facts], T]) -> Callable[[Facts], T]:
    """Computed once per page, on the page's facts."""

    def once(facts: Facts) -> T:
        key = f"counting:{fn.__name__}"
        if key not in facts._cache:
            facts._cache[key] = fn(facts)
        return facts._cache[key]

    return once


@cached
def months(facts: Facts) -> MonthFacts:
    """The period's month facts."""
    return _month_facts(facts, facts.scope.start, facts.scope.end, summary.ALL)


@cached
def months_before(facts: Facts) -> MonthFacts:
    """The volunteers from the bucket before the period to its start (retention)."""
    scope = facts.scope
    return _month_facts(
        facts, scope.previous_start(), scope.start - timedelta(days=1), ("volunteers",)
    )


class _Buckets:
    """The buckets of each mask of months (memoised: most people share a few masks)."""

    def __init__(self, scope: Scope, base: int) -> None:
        self.scope, self.base = scope, base
        self.cache: dict[int, tuple[str, ...]] = {}

    def of(self, mask: int) -> tuple[str, ...]:
        found = self.cache.get(mask)
        if found is None:
            out: list[str] = []
            rest, i = mask, 0
            while rest:
                if rest & 1:
                    b = self.scope.bucket(month_start(self.base + i))
                    if not out or out[-1] != b:
                        out.append(b)
                rest >>= 1
                i += 1
            found = self.cache[mask] = tuple(out)
        return found

    def bucket(self, month: date) -> str:
        return self.scope.bucket(month)


def _buckets(facts: Facts) -> _Buckets:
    if "buckets" not in facts._cache:
        facts._cache["buckets"] = _Buckets(facts.scope, _base(facts.scope))
    return facts._cache["buckets"]


def _tally(found: MonthFacts, fact: str, index: tuple[int, ...],
           outcomes: set[str] | None) -> dict[tuple[tuple[Any, ...], int], int]:
    """(group, mask) -> how many people of ``fact``: the part of ``distinct`` that does not
    depend on the buckets, kept on the month facts (a page asks the same grouping by
    bucket and in total: one pass over the people, not two)."""
    key = (fact, index, None if outcomes is None else frozenset(outcomes))
    kept = found.tallies.get(key)
    if kept is not None:
        return kept
    tally: dict[tuple[tuple[Any, ...], int], int] = {}
    for rows in found.rows(fact).values():
        if len(rows) == 1:
            row = rows[0]
            if outcomes is None or row[1] in outcomes:
                k = (tuple([row[i] for i in index]), row[3])
                tally[k] = tally.get(k, 0) + 1
            continue
        merged: dict[tuple[Any, ...], int] = {}
        for row in rows:
            if outcomes is None or row[1] in outcomes:
                rest = tuple([row[i] for i in index])
                merged[rest] = merged.get(rest, 0) | row[3]
        for rest, mask in merged.items():
            tally[(rest, mask)] = tally.get((rest, mask), 0) + 1
    found.tallies[key] = tally
    return tally


def distinct(facts: Facts, found: MonthFacts, fact: str, dims: tuple[str, ...],
             outcomes: set[str] | None = None) -> dict[tuple[Any, ...], int]:
    """Distinct people of ``fact`` by ``dims`` (of "bucket", "service", "outcome",
    "hood"), of the given outcomes (None: all).

    Each person's months are merged per group first; then the people sharing a group
    and a mask are counted together, so a mask's buckets are walked once, not once a
    person (most people share a handful of masks)."""
    index = [DIMS.index(d) - 1 for d in dims if d != "bucket"]  # into (service, outcome, hood)
    tally = _tally(found, fact, tuple(index), outcomes)
    out: dict[tuple[Any, ...], int] = {}
    by_bucket = "bucket" in dims
    of = _buckets(facts).of
    for (rest, mask), n in tally.items():
        for key in ([(b, *rest) for b in of(mask)] if by_bucket else [rest]):
            out[key] = out.get(key, 0) + n
    return out


def service_counts(
    facts: Facts, dims: tuple[str, ...], outcomes: tuple[str, ...] | None = None
) -> Counts:
    """Services, distinct residents and minutes grouped by ``dims`` (any of "bucket",
    "service", "outcome", "hood"), of the given outcomes (None: every final one)."""
    key = f"services:{','.join(dims)}:{outcomes}"
    if key in facts._cache:
        return facts._cache[key]
    wanted = set(outcomes or FINAL_OUTCOMES)
    found = months(facts)
    buckets = _buckets(facts)
    services: dict[tuple[str, ...], int] = {}
    minutes_: dict[tuple[str, ...], Any] = {}
    if not dims:  # one row, as SQL's aggregate without GROUP BY, even with nothing
        services[()], minutes_[()] = 0, 0
    for (fact, month, service, outcome, hood), (n, spent, _k, _s) in found.counts.items():
        if fact != "service" or outcome not in wanted:
            continue
        names = {"bucket": buckets.bucket(month), "service": service, "outcome": outcome,
                 "hood": hood}
        k = tuple(names[d] for d in dims)
        services[k] = services.get(k, 0) + n
        minutes_[k] = minutes_.get(k, 0) + spent
    people = distinct(facts, found, "resident", dims, wanted)
    out: Counts = {
        k: (n, people.get(k, 0), round(minutes_[k] or 0)) for k, n in services.items()
    }
    facts._cache[key] = out
    return out


@cached
def _given_counts(facts: Facts) -> dict[str, list[Any]]:
    """Bucket (and "") -> [services given, minutes, known (any service), known (same)]."""
    out: dict[str, list[Any]] = {"": [0, 0, 0, 0]}
    buckets = _buckets(facts)
    for (fact, month, _s, _o, _h), cell in months(facts).counts.items():
        if fact != "given":
            continue
        for k in (buckets.bucket(month), ""):
            row = out.setdefault(k, [0, 0, 0, 0])
            for i in range(4):
                row[i] += cell[i]
    return out


@cached
def given(facts: Facts) -> dict[str, tuple[int, int]]:
    """Bucket (and "") -> (minutes given, distinct volunteers) in the period."""
    counts = _given_counts(facts)
    people = distinct(facts, months(facts), "volunteer", ("bucket",))
    total = distinct(facts, months(facts), "volunteer", ())
    out = {k: (round(v[1] or 0), people.get((k,), 0)) for k, v in counts.items() if k}
    out[""] = (round(counts[""][1] or 0), total.get((), 0))
    return out


@cached
def active(facts: Facts) -> dict[str, set[int]]:
    """Bucket -> volunteers with a completed service in it, from the bucket before the
    period (for retention) to its end."""
    out: dict[str, set[int]] = {}
    buckets = _buckets(facts)
    for found in (months_before(facts), months(facts)):
        for person, rows in found.rows("volunteer").items():
            for *_names, mask in rows:
                for b in buckets.of(mask):
                    out.setdefault(b, set()).add(person)
    return out


@cached
def continuity(facts: Facts) -> dict[str, tuple[int, int, int]]:
    """Bucket (and "") -> (services given, of them by a volunteer who had served that
    resident before, distinct residents)."""
    same = facts.scope.service is not None  # "before" counts that service alone
    counts = _given_counts(facts)
    people = distinct(facts, months(facts), "assisted", ("bucket",))
    total = distinct(facts, months(facts), "assisted", ())
    out = {}
    for k, (n, _m, known, known_same) in counts.items():
        residents = total.get((), 0) if k == "" else people.get((k,), 0)
        out[k] = (int(n), int(known_same if same else known), residents)
    return out


@cached
def transfers(facts: Facts) -> dict[tuple[str, str], tuple[int, int]]:
    """(bucket or "", flow or "") -> (minutes, distinct members): flows are "services"
    (visits and rides, of the chosen service), "donation", "grant", "reversal"."""
    found = months(facts)
    buckets = _buckets(facts)

    def flow(kind: str) -> str:
        return "services" if kind in ("visit", "ride") else kind

    minutes_: dict[tuple[str, str], int] = {}
    for (fact, month, kind, _o, _h), cell in found.counts.items():
        if fact != "transfer":
            continue
        b, f = buckets.bucket(month), flow(kind)
        for key in ((b, f), (b, ""), ("", f), ("", "")):
            minutes_[key] = minutes_.get(key, 0) + int(cell[1])
    people: dict[tuple[str, str], int] = {}
    members = MonthFacts(found.base)  # the members by flow rather than by kind
    for person, rows in found.rows("member").items():
        for kind, _o, _h, mask in rows:
            members.person(("member", person, flow(kind), "", ""), mask)
    for dims in (("bucket", "service"), ("bucket",), ("service",), ()):
        for k, n in distinct(facts, members, "member", dims).items():
            key = (k[0] if "bucket" in dims else "", k[-1] if "service" in dims else "")
            people[key] = n
    return {k: (minutes_.get(k, 0), n) for k, n in people.items()}


@cached
def newly_reached(facts: Facts) -> dict[str, int]:
    """Bucket -> residents reached in the period whose first completed service ever
    (of the chosen service) falls in it."""
    scope = facts.scope
    f = filters(scope)
    state = facts.get("summary_state")
    firsts = summary.stored_firsts(f) if state is not None else {}
    for key, day in monthly.first_help(f, state.through if state else None).items():
        if key not in firsts or day < firsts[key]:
            firsts[key] = day
    first: dict[int, date] = {}
    for (resident, _service), day in firsts.items():
        if resident not in first or day < first[resident]:
            first[resident] = day
    reached = {
        person
        for person, rows in months(facts).rows("resident").items()
        if any(row[1] == "completed" for row in rows)
    }
    out: dict[str, int] = {}
    for resident in reached:
        found = first.get(resident)
        if found is not None and scope.start <= found <= scope.end:
            b = scope.bucket(found)
            out[b] = out.get(b, 0) + 1
    return out
