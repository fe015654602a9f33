"""Loneliness (issue 17): the people measured twice or more with the UCLA-3 scale
(3-9, higher is lonelier), their mean and median score at the first measure and at the
latest re-measure, and the change. A person counts in the bucket of their latest
re-measure, when it falls in the period (measures after the period are ignored)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.extensions import db
from webapp.observatory.facts import Facts, rows_of, source
from webapp.observatory.indicators import (
    indicator,
    median,
    period_dimension,
    period_rows,
    table,
    total_row,
)
from webapp.observatory.scope import Scope
from webapp.observatory.tables import Column, Table, Value, fmt
from webapp.people.models import Person
from webapp.referrals.models import LonelinessMeasure

SCALE = "ucla3"


@dataclass(frozen=True)
class RemeasureFact:
    day: date  # the latest re-measure (UTC day)
    person: int
    first: int  # score at the first measure
    latest: int  # score at the latest re-measure


@source("remeasures")
def load_remeasures(scope: Scope) -> list[RemeasureFact]:
    query = (
        sa.select(LonelinessMeasure.person_id, LonelinessMeasure.taken_at, LonelinessMeasure.score)
        .join(Person, Person.id == LonelinessMeasure.person_id)
        .where(
            LonelinessMeasure.organisation_id == scope.org_id,
            LonelinessMeasure.scale == SCALE,
            LonelinessMeasure.taken_at
            < datetime.combine(scope.end + timedelta(days=1), time.min, tzinfo=UTC),
        )
        .order_by(LonelinessMeasure.person_id, LonelinessMeasure.taken_at, LonelinessMeasure.id)
    )
    if scope.neighbourhood is not None:
        query = query.where(Person.neighbourhood == scope.neighbourhood)
    series: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for person, taken, score in db.session.execute(query):
        series[person].append((taken, score))
    out = []
    for person, measures in series.items():
        last = measures[-1][0]
        day = (last if last.tzinfo else last.replace(tzinfo=UTC)).date()
        if len(measures) >= 2 and scope.start <= day:
            out.append(RemeasureFact(day, person, measures[0][1], measures[-1][1]))
    return out


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _summary(t: Table) -> str | None:
    if t.total is None:
        return None
    return _(
        "%(people)s people were measured again; their mean UCLA-3 score went from %(first)s "
        "to %(latest)s (a change of %(change)s; lower is less lonely).",
        people=fmt(t.total.shown("people"), "people"),
        first=fmt(t.total.shown("first_mean"), "score"),
        latest=fmt(t.total.shown("latest_mean"), "score"),
        change=fmt(t.total.shown("change_mean"), "score"),
    )


@indicator("loneliness_by_period", "loneliness", chart="line", order=10, summary=_summary)
def loneliness_by_period(facts: Facts) -> Table:
    scope = facts.scope
    first: dict[str, list[float]] = defaultdict(list)
    latest: dict[str, list[float]] = defaultdict(list)
    change: dict[str, list[float]] = defaultdict(list)
    for f in facts.get("remeasures"):
        for b in rows_of(scope, f.day):
            first[b].append(float(f.first))
            latest[b].append(float(f.latest))
            change[b].append(float(f.latest - f.first))

    def values(b: str) -> dict[str, Value]:
        return {
            "people": len(first[b]),
            "first_mean": _mean(first[b]),
            "first_median": median(first[b]),
            "latest_mean": _mean(latest[b]),
            "latest_median": median(latest[b]),
            "change_mean": _mean(change[b]),
            "change_median": median(change[b]),
        }

    columns = [
        Column("people", lambda: _l("People measured again"), "people"),
        Column("first_mean", lambda: _l("Mean score, first measure"), "score", additive=False),
        Column("first_median", lambda: _l("Median score, first measure"), "score", additive=False),
        Column("latest_mean", lambda: _l("Mean score, latest measure"), "score", additive=False),
        Column(
            "latest_median", lambda: _l("Median score, latest measure"), "score", additive=False
        ),
        Column("change_mean", lambda: _l("Mean change"), "score", additive=False),
        Column("change_median", lambda: _l("Median change"), "score", additive=False),
    ]
    return table(
        "loneliness_by_period",
        str(_l("Loneliness scores (UCLA-3) at the first measure and the latest")),
        period_dimension(scope),
        columns,
        period_rows(scope, values, lambda b: len(first[b])),
        total_row(values("total"), len(first["total"])),
        str(
            _l(
                "People measured twice or more, by the period of their latest measure. "
                "UCLA-3 runs from 3 to 9, higher is lonelier. Loneliness ignores the "
                "service filter."
            )
        ),
    )
