"""The time bank's flows: hours paid for visits and rides, donated to the community
chest, granted from it, and reversed; by the day of the service."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.observatory import counting
from webapp.observatory.facts import Facts
from webapp.observatory.indicators import (
    hours,
    indicator,
    period_dimension,
    period_rows,
    table,
    total_row,
)
from webapp.observatory.tables import Column, Table, fmt

FLOWS = {
    "services": lambda: _l("Hours paid for services"),
    "donation": lambda: _l("Donated to the chest"),
    "grant": lambda: _l("Granted from the chest"),
    "reversal": lambda: _l("Reversed"),
}


def _summary(t: Table) -> str | None:
    if t.total is None:
        return None
    return _(
        "The time bank paid %(services)s hours for services; members gave %(donation)s hours "
        "to the community chest, which granted %(grant)s.",
        services=fmt(t.total.shown("services"), "hours"),
        donation=fmt(t.total.shown("donation"), "hours"),
        grant=fmt(t.total.shown("grant"), "hours"),
    )


@indicator("timebank_by_period", "timebank", chart="bar", order=10, summary=_summary)
def timebank_by_period(facts: Facts) -> Table:
    scope = facts.scope
    flows = counting.transfers(facts)

    def values(b: str) -> dict[str, float | int | None]:
        return {k: hours(flows.get((b, k), (0, 0))[0]) for k in FLOWS}

    def bases(b: str) -> dict[str, int]:
        return {k: int(flows.get((b, k), (0, 0))[1]) for k in FLOWS}

    def people(b: str) -> int:
        return int(flows.get((b, ""), (0, 0))[1])

    return table(
        "timebank_by_period",
        str(_l("Time bank flows")),
        period_dimension(scope),
        [Column(k, label, "hours") for k, label in FLOWS.items()],
        period_rows(scope, values, people, bases),
        total_row(values(""), people(""), bases("")),
        str(_l("The time bank counts the whole organisation, whatever the neighbourhood.")),
    )
