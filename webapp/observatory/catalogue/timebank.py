"""The time bank's flows: hours paid for visits and rides, donated to the community
chest, granted from it, and reversed; by the day of the service."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

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
    minutes: dict[tuple[str, str], int] = defaultdict(int)
    people: dict[tuple[str, str], set[int]] = defaultdict(set)
    wanted = {scope.service} if scope.service else {"visit", "ride"}
    for t in facts.get("transfers"):
        flow = "services" if t.kind in ("visit", "ride") else t.kind
        if flow not in FLOWS or (flow == "services" and t.kind not in wanted):
            continue
        members = {p for p in (t.debit_person, t.credit_person) if p is not None}
        for b in (scope.bucket(t.day), "total"):
            minutes[b, flow] += t.minutes
            people[b, flow] |= members
            people[b, ""] |= members

    def values(b: str) -> dict[str, float | int | None]:
        return {k: hours(minutes[b, k]) for k in FLOWS}

    def bases(b: str) -> dict[str, int]:
        return {k: len(people[b, k]) for k in FLOWS}

    return table(
        "timebank_by_period",
        str(_l("Time bank flows")),
        period_dimension(scope),
        [Column(k, label, "hours") for k, label in FLOWS.items()],
        period_rows(scope, values, lambda b: len(people[b, ""]), bases),
        total_row(values("total"), len(people["total", ""]), bases("total")),
        str(_l("The time bank counts the whole organisation, whatever the neighbourhood.")),
    )
