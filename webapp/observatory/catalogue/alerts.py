"""Alerts from the desk (a worried or "unwell" check-in): raised, closed, closed by
their due time, and the median hours from raising to closing."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.observatory.facts import Facts, rows_of
from webapp.observatory.indicators import (
    indicator,
    median,
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
        "Volunteers raised %(raised)s alerts; %(closed)s were closed, %(on_time)s of them "
        "in time, after a median of %(hours)s hours.",
        raised=fmt(t.total.shown("raised"), "count"),
        closed=fmt(t.total.shown("closed"), "count"),
        on_time=fmt(t.total.shown("on_time"), "count"),
        hours=fmt(t.total.shown("hours"), "hours"),
    )


@indicator("alerts_by_period", "alerts", chart="bar", order=10, summary=_summary)
def alerts_by_period(facts: Facts) -> Table:
    scope = facts.scope
    raised: dict[str, int] = defaultdict(int)
    closed: dict[str, int] = defaultdict(int)
    on_time: dict[str, int] = defaultdict(int)
    waits: dict[str, list[float]] = defaultdict(list)
    people: dict[str, set[int]] = defaultdict(set)
    for a in facts.get("alerts"):
        for b in rows_of(scope, a.day):
            raised[b] += 1
            people[b].add(a.person_id)
            if a.hours_to_close is not None:
                closed[b] += 1
                waits[b].append(a.hours_to_close)
            on_time[b] += a.on_time

    def values(b: str) -> dict[str, float | int | None]:
        return {
            "raised": raised[b],
            "closed": closed[b],
            "on_time": on_time[b],
            "hours": median(waits[b]),
        }

    columns = [
        Column("raised", lambda: _l("Alerts raised"), "count"),
        Column("closed", lambda: _l("Closed"), "count"),
        Column("on_time", lambda: _l("Closed in time"), "count"),
        Column("hours", lambda: _l("Median hours to close"), "hours", additive=False),
    ]
    return table(
        "alerts_by_period",
        str(_l("Alerts raised and how fast they were closed")),
        period_dimension(scope),
        columns,
        period_rows(scope, values, lambda b: len(people[b])),
        total_row(values("total"), len(people["total"])),
        str(_l("Alerts ignore the service filter.")),
    )
