"""Services delivered and hours: visits and rides completed, the hours residents
received (a ride's legs together) and the hours volunteers gave (two volunteers on a
visit give twice its time); by period and by service."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.observatory.facts import Facts
from webapp.observatory.indicators import (
    hours,
    in_period,
    indicator,
    period_dimension,
    period_rows,
    table,
    total_row,
)
from webapp.observatory.tables import Column, Row, Table, fmt
from webapp.shifts.models import ShiftStatus

RECEIVED = Column("received", lambda: _l("Hours received"), "hours")
GIVEN = Column("given", lambda: _l("Hours given by volunteers"), "hours")


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


class _Tally:
    def __init__(self) -> None:
        self.count: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.people: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        self.minutes: dict[str, int] = defaultdict(int)
        self.given: dict[str, int] = defaultdict(int)
        self.givers: dict[str, set[int]] = defaultdict(set)

    def add_facts(self, facts: Facts, key_of: Callable[[Any], str]) -> None:
        scope = facts.scope
        for s in facts.get("services"):
            if s.status != ShiftStatus.COMPLETED:
                continue
            k = key_of(s)
            self.count[k][s.service] += 1
            self.people[k][s.service].add(s.resident_id or -1)
            self.minutes[k] += s.minutes
        for g in facts.get("given"):
            if in_period(scope, g.day):
                k = key_of(g)
                self.given[k] += g.minutes
                self.givers[k].add(g.volunteer_id)

    def residents(self, k: str) -> set[int]:
        return self.people[k]["visit"] | self.people[k]["ride"]

    def values(self, k: str) -> dict[str, float | int | None]:
        return {
            "visits": self.count[k]["visit"],
            "rides": self.count[k]["ride"],
            "received": hours(self.minutes[k]),
            "given": hours(self.given[k]),
        }

    def bases(self, k: str) -> dict[str, int]:
        return {
            "visits": len(self.people[k]["visit"]),
            "rides": len(self.people[k]["ride"]),
            "given": len(self.givers[k]),
        }


def _total(t: _Tally, keys: list[str]) -> Row:
    values: dict[str, float | int | None] = {"visits": 0, "rides": 0, "received": 0.0, "given": 0.0}
    residents: set[int] = set()
    visitors: set[int] = set()
    riders: set[int] = set()
    givers: set[int] = set()
    minutes = given = 0
    for k in keys:
        values["visits"] = int(values["visits"] or 0) + t.count[k]["visit"]
        values["rides"] = int(values["rides"] or 0) + t.count[k]["ride"]
        minutes += t.minutes[k]
        given += t.given[k]
        residents |= t.residents(k)
        visitors |= t.people[k]["visit"]
        riders |= t.people[k]["ride"]
        givers |= t.givers[k]
    values["received"], values["given"] = hours(minutes), hours(given)
    return total_row(
        values,
        len(residents),
        {"visits": len(visitors), "rides": len(riders), "given": len(givers)},
    )


COLUMNS = [
    Column("visits", lambda: _l("Visits"), "count"),
    Column("rides", lambda: _l("Rides"), "count"),
    RECEIVED,
    GIVEN,
]


@indicator("services_by_period", "services", chart="bar", order=10, summary=_summary)
def services_by_period(facts: Facts) -> Table:
    scope = facts.scope
    tally = _Tally()
    tally.add_facts(facts, lambda f: scope.bucket(f.day))
    rows = period_rows(scope, tally.values, lambda b: len(tally.residents(b)), tally.bases)
    return table(
        "services_by_period",
        str(_l("Services delivered and hours")),
        period_dimension(scope),
        COLUMNS,
        rows,
        _total(tally, scope.buckets()),
    )
