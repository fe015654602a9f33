"""Services delivered and hours: visits and rides completed, the hours residents
received (a ride's legs together) and the hours volunteers gave (two volunteers on a
visit give twice its time); by period."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.observatory import counting
from webapp.observatory.counting import service_counts
from webapp.observatory.facts import Facts
from webapp.observatory.indicators import (
    hours,
    indicator,
    period_dimension,
    period_rows,
    table,
    total_row,
)
from webapp.observatory.tables import Column, Row, Table, Value, fmt

DONE = ("completed",)
COLUMNS = [
    Column("visits", lambda: _l("Visits"), "count"),
    Column("rides", lambda: _l("Rides"), "count"),
    Column("received", lambda: _l("Hours received"), "hours"),
    Column("given", lambda: _l("Hours given by volunteers"), "hours"),
]
ZERO = (0, 0, 0)


def _summary(t: Table) -> str | None:
    if t.total is None:
        return None
    return _(
        "%(visits)s visits and %(rides)s rides were completed: %(received)s hours of company "
        "and transport received, %(given)s hours given by volunteers.",
        visits=fmt(t.total.shown("visits"), "count"),
        rides=fmt(t.total.shown("rides"), "count"),
        received=fmt(t.total.shown("received"), "hours"),
        given=fmt(t.total.shown("given"), "hours"),
    )


@indicator("services_by_period", "services", chart="bar", order=10, summary=_summary)
def services_by_period(facts: Facts) -> Table:
    scope = facts.scope
    by_service = service_counts(facts, ("bucket", "service"), DONE)
    by_bucket = service_counts(facts, ("bucket",), DONE)
    totals = service_counts(facts, ("service",), DONE)
    total = service_counts(facts, (), DONE).get((), ZERO)
    given = counting.given(facts)

    def values(b: str) -> dict[str, Value]:
        return {
            "visits": by_service.get((b, "visit"), ZERO)[0],
            "rides": by_service.get((b, "ride"), ZERO)[0],
            "received": hours(by_bucket.get((b,), ZERO)[2]),
            "given": hours(given.get(b, (0, 0))[0]),
        }

    def bases(b: str) -> dict[str, int]:
        return {
            "visits": by_service.get((b, "visit"), ZERO)[1],
            "rides": by_service.get((b, "ride"), ZERO)[1],
            "given": given.get(b, (0, 0))[1],
        }

    rows = period_rows(scope, values, lambda b: by_bucket.get((b,), ZERO)[1], bases)
    total_row_: Row = total_row(
        {
            "visits": totals.get(("visit",), ZERO)[0],
            "rides": totals.get(("ride",), ZERO)[0],
            "received": hours(total[2]),
            "given": hours(given.get("", (0, 0))[0]),
        },
        total[1],
        {
            "visits": totals.get(("visit",), ZERO)[1],
            "rides": totals.get(("ride",), ZERO)[1],
            "given": given.get("", (0, 0))[1],
        },
    )
    return table(
        "services_by_period",
        str(_l("Services delivered and hours")),
        period_dimension(scope),
        COLUMNS,
        rows,
        total_row_,
    )
