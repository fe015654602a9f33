"""People reached: distinct residents with a completed service, and the newly reached
(their first completed service ever falls in the bucket); by period and by neighbourhood."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.observatory import counting
from webapp.observatory.counting import service_counts
from webapp.observatory.facts import Facts
from webapp.observatory.indicators import (
    indicator,
    period_dimension,
    period_rows,
    table,
    total_row,
)
from webapp.observatory.tables import Column, Row, Table, fmt

DONE = ("completed",)
UNMET = ("unfilled", "volunteer_absent")
REACHED = Column("reached", lambda: _l("People reached"))
NEW = Column("new", lambda: _l("Newly reached"))
NOT_RECORDED = ""


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
    reached = service_counts(facts, ("bucket",), DONE)
    everyone = service_counts(facts, (), DONE).get((), (0, 0, 0))[1]
    new = counting.newly_reached(facts)

    def people(b: str) -> int:
        return reached.get((b,), (0, 0, 0))[1]

    rows = period_rows(scope, lambda b: {"reached": people(b), "new": new.get(b, 0)}, people)
    total = total_row({"reached": everyone, "new": sum(new.values())}, everyone)
    return table(
        "reach_by_period",
        str(_l("People reached")),
        period_dimension(scope),
        [REACHED, NEW],
        rows,
        total,
    )


@indicator("reach_by_neighbourhood", "reach", chart="bar", order=20)
def reach_by_neighbourhood(facts: Facts) -> Table:
    """Reached, delivered, unmet and volunteers living there, per neighbourhood (also
    the map's figures)."""
    done = service_counts(facts, ("hood",), DONE)
    unmet = service_counts(facts, ("hood",), UNMET)
    involved = service_counts(facts, ("hood",))
    homes = {h or NOT_RECORDED: ids for h, ids in facts.get("volunteer_homes").items()}
    hoods = {k[0] for k in involved} | set(homes)
    rows = []
    for hood in sorted(hoods, key=lambda h: (h == NOT_RECORDED, h)):
        d = done.get((hood,), (0, 0, 0))
        u = unmet.get((hood,), (0, 0, 0))
        rows.append(
            Row(
                hood,
                hood or str(_l("Not recorded")),
                {
                    "reached": d[1],
                    "served": d[0],
                    "unmet": u[0],
                    "volunteers": len(homes.get(hood, ())),
                },
                involved.get((hood,), (0, 0, 0))[1],
                {"served": d[1], "unmet": u[1]},
            )
        )
    d = service_counts(facts, (), DONE).get((), (0, 0, 0))
    u = service_counts(facts, (), UNMET).get((), (0, 0, 0))
    total = total_row(
        {
            "reached": d[1],
            "served": d[0],
            "unmet": u[0],
            "volunteers": sum(len(v) for v in homes.values()),
        },
        service_counts(facts, ()).get((), (0, 0, 0))[1],
        {"served": d[1], "unmet": u[1]},
    )
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
