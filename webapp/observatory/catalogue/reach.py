"""People reached: distinct residents with a completed service, and the newly reached
(their first completed service ever falls in the bucket); by period and by neighbourhood."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.observatory.facts import Facts, ServiceFact
from webapp.observatory.indicators import (
    in_period,
    indicator,
    period_dimension,
    period_rows,
    table,
    total_row,
)
from webapp.observatory.tables import Column, Row, Table, fmt
from webapp.shifts.models import ShiftStatus

UNMET = (ShiftStatus.UNFILLED,)
REACHED = Column("reached", lambda: _l("People reached"))
NEW = Column("new", lambda: _l("Newly reached"))


def _summary(t: Table) -> str | None:
    if t.total is None:
        return None
    return _(
        "In the period %(reached)s people received at least one service, %(new)s of them "
        "for the first time.",
        reached=fmt(t.total.shown("reached"), "people"),
        new=fmt(t.total.shown("new"), "people"),
    )


@indicator("reach_by_period", "reach", chart="line", order=10, summary=_summary)
def reach_by_period(facts: Facts) -> Table:
    scope = facts.scope
    first = facts.get("first_help")
    reached: dict[str, set[int]] = defaultdict(set)
    for s in facts.get("services"):
        if s.status == ShiftStatus.COMPLETED and s.resident_id is not None:
            reached[scope.bucket(s.day)].add(s.resident_id)
    everyone = set().union(*reached.values()) if reached else set()
    new: dict[str, set[int]] = defaultdict(set)
    for r in everyone:
        if in_period(scope, first.get(r)):
            new[scope.bucket(first[r])].add(r)
    rows = period_rows(
        scope,
        lambda b: {"reached": len(reached[b]), "new": len(new[b])},
        lambda b: len(reached[b]),
    )
    total = total_row(
        {"reached": len(everyone), "new": sum(len(v) for v in new.values())}, len(everyone)
    )
    return table(
        "reach_by_period",
        str(_l("People reached")),
        period_dimension(scope),
        [REACHED, NEW],
        rows,
        total,
    )


NOT_RECORDED = "—"


def neighbourhood_rows(
    services: list[ServiceFact], volunteers: dict[str, set[int]]
) -> tuple[list[Row], Row]:
    """Reached, delivered, unmet and volunteers living there, per neighbourhood (also
    the map's figures)."""
    reached: dict[str, set[int]] = defaultdict(set)
    served: dict[str, int] = defaultdict(int)
    unmet: dict[str, int] = defaultdict(int)
    unmet_people: dict[str, set[int]] = defaultdict(set)
    involved: dict[str, set[int]] = defaultdict(set)
    for s in services:
        hood = s.neighbourhood or NOT_RECORDED
        resident = s.resident_id if s.resident_id is not None else -1
        involved[hood].add(resident)
        if s.status == ShiftStatus.COMPLETED:
            served[hood] += 1
            reached[hood].add(resident)
        elif s.status in UNMET or s.no_show_side == "volunteer":
            unmet[hood] += 1
            unmet_people[hood].add(resident)
    homes = {h or NOT_RECORDED: ids for h, ids in volunteers.items()}
    rows = []
    for hood in sorted(set(involved) | set(homes), key=lambda h: (h == NOT_RECORDED, h)):
        label = str(_l("Not recorded")) if hood == NOT_RECORDED else hood
        rows.append(
            Row(
                hood,
                label,
                {
                    "reached": len(reached[hood]),
                    "served": served[hood],
                    "unmet": unmet[hood],
                    "volunteers": len(homes.get(hood, ())),
                },
                len(involved[hood]),
                {"served": len(reached[hood]), "unmet": len(unmet_people[hood])},
            )
        )
    everyone = set().union(*involved.values()) if involved else set()
    total = total_row(
        {
            "reached": len(set().union(*reached.values()) if reached else set()),
            "served": sum(served.values()),
            "unmet": sum(unmet.values()),
            "volunteers": sum(len(v) for v in homes.values()),
        },
        len(everyone),
        {
            "served": len(set().union(*reached.values()) if reached else set()),
            "unmet": len(set().union(*unmet_people.values()) if unmet_people else set()),
        },
    )
    return rows, total


@indicator("reach_by_neighbourhood", "reach", chart="bar", order=20)
def reach_by_neighbourhood(facts: Facts) -> Table:
    rows, total = neighbourhood_rows(facts.get("services"), facts.get("volunteer_homes"))
    columns = [
        REACHED,
        Column("served", lambda: _l("Services delivered"), "count"),
        Column("unmet", lambda: _l("Services not given (unfilled, volunteer absent)"), "count"),
        Column("volunteers", lambda: _l("Volunteers living there")),
    ]
    return table(
        "reach_by_neighbourhood",
        str(_l("Served and unmet demand by neighbourhood")),
        str(_l("Neighbourhood")),
        columns,
        rows,
        total,
    )
