"""Activities as a service (issue 18): the people who took part (present at a session)
and the attendances, by the UTC day of the session. The service filter ``activity``
shows them alone; ``visit`` or ``ride`` leaves them out."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.activities.models import Activity, ActivitySession, Application, Attendance
from webapp.extensions import db
from webapp.observatory.facts import Facts, source
from webapp.observatory.indicators import (
    indicator,
    period_dimension,
    period_rows,
    table,
    total_row,
)
from webapp.observatory.scope import Scope
from webapp.observatory.tables import Column, Table, Value, fmt
from webapp.people.models import Person


@source("attendances")
def load_attendances(scope: Scope) -> list[tuple[str, int]]:
    """(bucket, person) per attendance (present) at a session in the period."""
    if scope.service not in (None, "activity"):
        return []
    query = (
        sa.select(ActivitySession.starts_at, Application.person_id)
        .join(Attendance, Attendance.session_id == ActivitySession.id)
        .join(Application, Application.id == Attendance.application_id)
        .join(Activity, Activity.id == ActivitySession.activity_id)
        .join(Person, Person.id == Application.person_id)
        .where(
            Activity.organisation_id == scope.org_id,
            Attendance.present.is_(True),
            ActivitySession.starts_at >= datetime.combine(scope.start, time.min, tzinfo=UTC),
            ActivitySession.starts_at
            < datetime.combine(scope.end + timedelta(days=1), time.min, tzinfo=UTC),
        )
    )
    if scope.neighbourhood is not None:
        query = query.where(Person.neighbourhood == scope.neighbourhood)
    return [
        (scope.bucket((s if s.tzinfo else s.replace(tzinfo=UTC)).date()), person)
        for s, person in db.session.execute(query)
    ]


def _summary(t: Table) -> str | None:
    if t.total is None:
        return None
    return _(
        "%(people)s people took part in activities, %(attendances)s attendances in all.",
        people=fmt(t.total.shown("participants"), "people"),
        attendances=fmt(t.total.shown("attendances"), "count"),
    )


@indicator("activities_by_period", "activities", chart="bar", order=10, summary=_summary)
def activities_by_period(facts: Facts) -> Table:
    scope = facts.scope
    people: dict[str, set[int]] = defaultdict(set)
    count: dict[str, int] = defaultdict(int)
    for bucket, person in facts.get("attendances"):
        for b in (bucket, "total"):
            people[b].add(person)
            count[b] += 1

    def values(b: str) -> dict[str, Value]:
        return {"participants": len(people[b]), "attendances": count[b]}

    columns = [
        Column("participants", lambda: _l("Participants")),
        Column("attendances", lambda: _l("Attendances"), "count"),
    ]
    return table(
        "activities_by_period",
        str(_l("Activities: participants and attendances")),
        period_dimension(scope),
        columns,
        period_rows(scope, values, lambda b: len(people[b])),
        total_row(values("total"), len(people["total"])),
        str(_l("People present at a session, by the day of the session.")),
    )
