"""Volunteers: active (gave at least one completed service), recruited (joined),
retained (active in this bucket and the one before), lapsed (active in the one before,
not in this one), and continuity: the share of services given by a volunteer who had
already served that resident."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.observatory.facts import Facts
from webapp.observatory.indicators import (
    in_period,
    indicator,
    period_dimension,
    period_rows,
    table,
    total_row,
)
from webapp.observatory.tables import Column, Table, fmt


def _summary(t: Table) -> str | None:
    if t.total is None:
        return None
    return _(
        "%(active)s volunteers gave at least one service and %(recruited)s joined; "
        "%(continuity)s of services were given by a volunteer the resident already knew.",
        active=fmt(t.total.shown("active"), "people"),
        recruited=fmt(t.total.shown("recruited"), "people"),
        continuity=fmt(t.total.shown("continuity"), "percent"),
    )


@indicator("volunteers_by_period", "volunteers", chart="line", order=10, summary=_summary)
def volunteers_by_period(facts: Facts) -> Table:
    scope = facts.scope
    active: dict[str, set[int]] = defaultdict(set)
    pairs = facts.get("pairs_before")
    # Per service (group): its bucket, resident, and whether a volunteer knew them.
    services: dict[str, tuple[str, int, bool]] = {}
    for g in facts.get("given"):
        b = scope.bucket(g.day)
        active[b].add(g.volunteer_id)
        if not in_period(scope, g.day) or g.resident_id is None:
            continue
        known = pairs.get((g.resident_id, g.volunteer_id), g.day) < g.day
        prev = services.get(g.group_key)
        services[g.group_key] = (b, g.resident_id, known or (prev is not None and prev[2]))
    recruited: dict[str, set[int]] = defaultdict(set)
    for pid, day in facts.get("recruited"):
        recruited[scope.bucket(day)].add(pid)
    share: dict[str, list[bool]] = defaultdict(list)
    residents: dict[str, set[int]] = defaultdict(set)
    for b, resident, known in services.values():
        for key in (b, "total"):
            share[key].append(known)
            residents[key].add(resident)

    def pct(key: str) -> float | None:
        return round(100 * sum(share[key]) / len(share[key])) if share[key] else None

    def values(b: str) -> dict[str, float | int | None]:
        before = active[scope.previous_bucket(b)]
        return {
            "active": len(active[b]),
            "recruited": len(recruited[b]),
            "retained": len(active[b] & before),
            "lapsed": len(before - active[b]),
            "continuity": pct(b),
        }

    everyone = set().union(*(active[b] for b in scope.buckets()))
    total = total_row(
        {
            "active": len(everyone),
            "recruited": sum(len(v) for v in recruited.values()),
            "retained": None,
            "lapsed": None,
            "continuity": pct("total"),
        },
        len(everyone),
        {"continuity": len(residents["total"])},
    )
    columns = [
        Column("active", lambda: _l("Active volunteers")),
        Column("recruited", lambda: _l("Recruited")),
        Column("retained", lambda: _l("Retained from the period before")),
        Column("lapsed", lambda: _l("Lapsed since the period before")),
        Column("continuity", lambda: _l("Same volunteer again"), "percent", additive=False),
    ]
    return table(
        "volunteers_by_period",
        str(_l("Volunteers active, recruited, retained and lapsed")),
        period_dimension(scope),
        columns,
        period_rows(
            scope, values, lambda b: len(active[b]), lambda b: {"continuity": len(residents[b])}
        ),
        total,
    )
