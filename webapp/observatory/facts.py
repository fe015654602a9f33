"""The rows the indicators are computed from: a few narrow queries per page, loaded once
(lazily) and shared by every indicator that needs them.

A source is ``fn(scope) -> list`` registered with ``@source("name")``; an indicator asks
``facts.get("name")``. A new feature (referrals, loneliness measures) adds its own source
beside its indicators, in the same way, without touching the others.
Nothing here selects a name, an address or a note: ids, dates, kinds and statuses only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from webapp.desk.models import Alert
from webapp.extensions import db
from webapp.observatory.scope import Scope
from webapp.people.models import Person, VolunteerProfile, VolunteerStatus
from webapp.requests.models import Request
from webapp.shifts.models import Shift, ShiftStatus

SOURCES: dict[str, Callable[[Scope], Any]] = {}


def source(name: str) -> Callable[[Callable[[Scope], Any]], Callable[[Scope], Any]]:
    def register(fn: Callable[[Scope], Any]) -> Callable[[Scope], Any]:
        SOURCES[name] = fn
        return fn

    return register


class Facts:
    """One page's loaded sources, each queried at most once."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self._cache: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        if name not in self._cache:
            self._cache[name] = SOURCES[name](self.scope)
        return self._cache[name]


TOTAL = "total"


def rows_of(scope: Scope, day: date) -> tuple[str, str]:
    """The rows a fact dated ``day`` counts in: its bucket's and the total's. The
    catalogue's per-fact tables (alerts, requests, loneliness) tally each fact into both,
    then ``period_rows`` and ``total_row`` read them back and ``compute`` suppresses."""
    return (scope.bucket(day), TOTAL)


def _since(day: date) -> datetime:
    """The first instant of ``day`` (UTC): datetimes are counted by their UTC day."""
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass(frozen=True)
class RequestFact:
    day: date  # when it was made
    service: str
    resident_id: int | None
    first_help: date | None  # its first completed service


@source("requests")
def load_requests(scope: Scope) -> list[RequestFact]:
    # The first completed service of each request, looked up per request in the index
    # (request, status, day) rather than grouped over every shift of the organisation.
    first = (
        sa.select(sa.func.min(Shift.occurrence_date))
        .where(Shift.request_id == Request.id, Shift.status == ShiftStatus.COMPLETED)
        .correlate(Request)
        .scalar_subquery()
    )
    query = (
        sa.select(Request.created_at, Request.kind, Request.resident_id, first)
        .outerjoin(Person, Person.id == Request.resident_id)
        .where(
            Request.organisation_id == scope.org_id,
            Request.created_at >= _since(scope.start),
            Request.created_at < _since(scope.end + timedelta(days=1)),
        )
    )
    if scope.service == "activity":
        query = query.where(sa.false())
    elif scope.service is not None:
        query = query.where(Request.kind == scope.service)
    if scope.neighbourhood is not None:
        query = query.where(Person.neighbourhood == scope.neighbourhood)
    return [
        RequestFact(created.date(), kind.value, resident, first_day)
        for created, kind, resident, first_day in db.session.execute(query)
    ]


@source("recruited")
def load_recruited(scope: Scope) -> list[tuple[int, date]]:
    """Volunteers (id, the day they joined) who joined in the period."""
    query = (
        sa.select(Person.id, Person.created_at)
        .join(VolunteerProfile, VolunteerProfile.person_id == Person.id)
        .where(
            Person.organisation_id == scope.org_id,
            Person.created_at >= _since(scope.start),
            Person.created_at < _since(scope.end + timedelta(days=1)),
        )
    )
    if scope.neighbourhood is not None:
        query = query.where(Person.neighbourhood == scope.neighbourhood)
    return [(pid, created.date()) for pid, created in db.session.execute(query)]


@dataclass(frozen=True)
class AlertFact:
    day: date
    person_id: int
    hours_to_close: float | None
    on_time: bool


@source("alerts")
def load_alerts(scope: Scope) -> list[AlertFact]:
    query = (
        sa.select(Alert.raised_at, Alert.person_id, Alert.handled_at, Alert.due_at)
        .join(Person, Person.id == Alert.person_id)
        .where(
            Alert.organisation_id == scope.org_id,
            Alert.raised_at >= _since(scope.start),
            Alert.raised_at < _since(scope.end + timedelta(days=1)),
        )
    )
    if scope.neighbourhood is not None:
        query = query.where(Person.neighbourhood == scope.neighbourhood)
    out = []
    for raised, person, handled, due in db.session.execute(query):
        hours = (handled - raised).total_seconds() / 3600 if handled is not None else None
        out.append(AlertFact(raised.date(), person, hours, handled is not None and handled <= due))
    return out


@source("volunteer_homes")
def load_volunteer_homes(scope: Scope) -> dict[str, set[int]]:
    """Approved volunteers by the neighbourhood they live in (coverage on the map)."""
    rows = db.session.execute(
        sa.select(Person.neighbourhood, Person.id)
        .join(VolunteerProfile, VolunteerProfile.person_id == Person.id)
        .where(
            Person.organisation_id == scope.org_id,
            Person.is_volunteer.is_(True),
            VolunteerProfile.status == VolunteerStatus.APPROVED,
        )
    ).all()
    out: dict[str, set[int]] = {}
    for hood, pid in rows:
        if scope.neighbourhood is None or hood == scope.neighbourhood:
            out.setdefault(hood or "", set()).add(pid)
    return out
