"""Volunteers: active (gave at least one completed service), recruited (joined),
retained (active in this bucket and the one before), lapsed (active in the one before,
not in this one), and continuity: the share of services given by a volunteer who had
already served that resident."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.observatory import counting
from webapp.observatory.facts import Facts
from webapp.observatory.indicators import (
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
    active: dict[str, set[int]] = counting.active(facts)
    continuity = counting.continuity(facts)
    recruited: dict[str, set[int]] = defaultdict(set)
    for pid, day in facts.get("recruited"):
        recruited[scope.bucket(day)].add(pid)

    def pct(key: str) -> float | None:
        n, known, _r = continuity.get(key, (0, 0, 0))
        return round(100 * known / n) if n else None

    def residents(key: str) -> int:
        return int(continuity.get(key, (0, 0, 0))[2])

    def values(b: str) -> dict[str, float | int | None]:
        before = active.get(scope.previous_bucket(b), set())
        now = active.get(b, set())
        return {
            "active": len(now),
            "recruited": len(recruited[b]),
            "retained": len(now & before),
            "lapsed": len(before - now),
            "continuity": pct(b),
        }

    everyone = set().union(*(active.get(b, set()) for b in scope.buckets()))
    total = total_row(
        {
            "active": len(everyone),
            "recruited": sum(len(v) for v in recruited.values()),
            "retained": None,
            "lapsed": None,
            "continuity": pct(""),
        },
        len(everyone),
        {"continuity": residents("")},
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
            scope,
            values,
            lambda b: len(active.get(b, ())),
            lambda b: {"continuity": residents(b)},
        ),
        total,
    )
