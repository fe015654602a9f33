"""Requests and unmet demand: what became of each service (completed, cancelled, not
shown up and by whom, unfilled) and how long a request waited for its first help."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.observatory.counting import service_counts
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

OUTCOMES = {
    "completed": lambda: _l("Completed"),
    "cancelled": lambda: _l("Cancelled"),
    "resident_absent": lambda: _l("Resident not there"),
    "volunteer_absent": lambda: _l("Volunteer did not come"),
    "unfilled": lambda: _l("Unfilled"),
}


def _outcome_summary(t: Table) -> str | None:
    if t.total is None:
        return None
    return _(
        "Of the services due, %(unfilled)s found no volunteer, %(cancelled)s were cancelled "
        "and %(absent)s failed because the volunteer did not come.",
        unfilled=fmt(t.total.shown("unfilled"), "count"),
        cancelled=fmt(t.total.shown("cancelled"), "count"),
        absent=fmt(t.total.shown("volunteer_absent"), "count"),
    )


@indicator("outcomes_by_period", "demand", chart="bar", order=10, summary=_outcome_summary)
def outcomes_by_period(facts: Facts) -> Table:
    scope = facts.scope
    cells = service_counts(facts, ("bucket", "outcome"))
    rows_ = service_counts(facts, ("bucket",))
    totals = service_counts(facts, ("outcome",))
    zero = (0, 0, 0)
    rows = period_rows(
        scope,
        lambda b: {k: cells.get((b, k), zero)[0] for k in OUTCOMES},
        lambda b: rows_.get((b,), zero)[1],
        lambda b: {k: cells.get((b, k), zero)[1] for k in OUTCOMES},
    )
    total = total_row(
        {k: totals.get((k,), zero)[0] for k in OUTCOMES},
        service_counts(facts, ()).get((), zero)[1],
        {k: totals.get((k,), zero)[1] for k in OUTCOMES},
    )
    columns = [Column(k, label, "count") for k, label in OUTCOMES.items()]
    return table(
        "outcomes_by_period",
        str(_l("What became of the services due")),
        period_dimension(scope),
        columns,
        rows,
        total,
    )


def _wait_summary(t: Table) -> str | None:
    if t.total is None:
        return None
    return _(
        "%(made)s requests were made; %(served)s have been served, after a median of "
        "%(days)s days from the request to the first help.",
        made=fmt(t.total.shown("made"), "count"),
        served=fmt(t.total.shown("served"), "count"),
        days=fmt(t.total.shown("days"), "days"),
    )


@indicator("wait_by_period", "demand", chart="line", order=20, summary=_wait_summary)
def wait_by_period(facts: Facts) -> Table:
    scope = facts.scope
    made: dict[str, int] = defaultdict(int)
    served: dict[str, int] = defaultdict(int)
    waits: dict[str, list[float]] = defaultdict(list)
    people: dict[str, set[int]] = defaultdict(set)
    served_people: dict[str, set[int]] = defaultdict(set)
    for r in facts.get("requests"):
        for b in rows_of(scope, r.day):
            made[b] += 1
            people[b].add(r.resident_id or -1)
            if r.first_help is not None:
                served[b] += 1
                served_people[b].add(r.resident_id or -1)
                waits[b].append(max(0, (r.first_help - r.day).days))

    def values(b: str) -> dict[str, float | int | None]:
        return {"made": made[b], "served": served[b], "days": median(waits[b])}

    def bases(b: str) -> dict[str, int]:
        return {"served": len(served_people[b]), "days": len(served_people[b])}

    columns = [
        Column("made", lambda: _l("Requests made"), "count"),
        Column("served", lambda: _l("Requests served"), "count"),
        Column("days", lambda: _l("Median days to first help"), "days", additive=False),
    ]
    return table(
        "wait_by_period",
        str(_l("Requests and time to first help")),
        period_dimension(scope),
        columns,
        period_rows(scope, values, lambda b: len(people[b]), bases),
        total_row(values("total"), len(people["total"]), bases("total")),
        str(_l("Requests by the month they were made; a request may be served later.")),
    )
