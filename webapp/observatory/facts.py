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
from webapp.shifts.models import Assignment, Shift, ShiftKind, ShiftStatus
from webapp.timebank.models import Account, Transfer

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


def _since(day: date) -> datetime:
    """The first instant of ``day`` (UTC): datetimes are counted by their UTC day."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def _kinds(scope: Scope) -> list[ShiftKind]:
    if scope.service == "visit":
        return [ShiftKind.VISIT]
    if scope.service == "ride":
        return [ShiftKind.RIDE_OUT, ShiftKind.RIDE_BACK]
    return list(ShiftKind)


def service_of(kind: ShiftKind | str) -> str:
    return "visit" if kind == ShiftKind.VISIT else "ride"


def _shift_filter(scope: Scope, start: date | None = None) -> list[Any]:
    where = [
        Shift.organisation_id == scope.org_id,
        Shift.occurrence_date >= (start or scope.start),
        Shift.occurrence_date <= scope.end,
        Shift.kind.in_(_kinds(scope)),
    ]
    if scope.neighbourhood is not None:
        where.append(Shift.neighbourhood == scope.neighbourhood)
    return where


@dataclass(frozen=True)
class ServiceFact:
    """One service (a visit, or a ride's legs together) on one day."""

    group_key: str
    day: date
    service: str
    status: ShiftStatus
    no_show_side: str | None
    resident_id: int | None
    neighbourhood: str | None
    minutes: int  # what the resident received (all legs)


_KIND_ORDER = {ShiftKind.VISIT: 0, ShiftKind.RIDE_OUT: 1, ShiftKind.RIDE_BACK: 2}


@source("services")
def load_services(scope: Scope) -> list[ServiceFact]:
    """Services dated in the period; a ride's status is its first leg's."""
    rows = db.session.execute(
        sa.select(
            Shift.group_key,
            Shift.occurrence_date,
            Shift.kind,
            Shift.status,
            Shift.no_show_side,
            Request.resident_id,
            Shift.neighbourhood,
            Shift.starts_at,
            Shift.ends_at,
        )
        .join(Request, Request.id == Shift.request_id)
        .where(*_shift_filter(scope))
    ).all()
    groups: dict[str, list[Any]] = {}
    for row in rows:
        groups.setdefault(row.group_key, []).append(row)
    out = []
    for key, legs in groups.items():
        legs.sort(key=lambda r: _KIND_ORDER[r.kind])
        first = legs[0]
        minutes = sum(int((r.ends_at - r.starts_at).total_seconds() // 60) for r in legs)
        side = first.no_show_side.value if first.no_show_side is not None else None
        out.append(
            ServiceFact(
                key,
                first.occurrence_date,
                service_of(first.kind),
                first.status,
                side,
                first.resident_id,
                first.neighbourhood,
                minutes,
            )
        )
    return out


@dataclass(frozen=True)
class GivenFact:
    """One volunteer's part in one completed leg."""

    group_key: str
    day: date
    service: str
    volunteer_id: int
    resident_id: int | None
    minutes: int


def _minutes(start: datetime | None, end: datetime | None, s: datetime, e: datetime) -> int:
    if start is not None and end is not None and end > start:
        return int((end - start).total_seconds() // 60)
    return int((e - s).total_seconds() // 60)


@source("given")
def load_given(scope: Scope) -> list[GivenFact]:
    """Completed assignments from the bucket before the period (retention) to its end."""
    rows = db.session.execute(
        sa.select(
            Shift.group_key,
            Shift.occurrence_date,
            Shift.kind,
            Assignment.volunteer_id,
            Request.resident_id,
            Assignment.actual_start,
            Assignment.actual_end,
            Shift.starts_at,
            Shift.ends_at,
        )
        .join(Shift, Shift.id == Assignment.shift_id)
        .join(Request, Request.id == Shift.request_id)
        .where(*_shift_filter(scope, scope.previous_start()), Shift.status == ShiftStatus.COMPLETED)
    ).all()
    return [
        GivenFact(
            r.group_key,
            r.occurrence_date,
            service_of(r.kind),
            r.volunteer_id,
            r.resident_id,
            _minutes(r.actual_start, r.actual_end, r.starts_at, r.ends_at),
        )
        for r in rows
    ]


@source("first_help")
def load_first_help(scope: Scope) -> dict[int, date]:
    """Each resident's first completed service ever (of the chosen service)."""
    rows = db.session.execute(
        sa.select(Request.resident_id, sa.func.min(Shift.occurrence_date))
        .join(Request, Request.id == Shift.request_id)
        .where(
            Shift.organisation_id == scope.org_id,
            Shift.status == ShiftStatus.COMPLETED,
            Shift.kind.in_(_kinds(scope)),
            Request.resident_id.is_not(None),
        )
        .group_by(Request.resident_id)
    ).all()
    return {resident: day for resident, day in rows if resident is not None}


@source("pairs_before")
def load_pairs_before(scope: Scope) -> dict[tuple[int, int], date]:
    """(resident, volunteer) -> the first day that volunteer served that resident."""
    rows = db.session.execute(
        sa.select(Request.resident_id, Assignment.volunteer_id, sa.func.min(Shift.occurrence_date))
        .join(Shift, Shift.id == Assignment.shift_id)
        .join(Request, Request.id == Shift.request_id)
        .where(
            Shift.organisation_id == scope.org_id,
            Shift.status == ShiftStatus.COMPLETED,
            Shift.kind.in_(_kinds(scope)),
            Shift.occurrence_date <= scope.end,
            Request.resident_id.is_not(None),
        )
        .group_by(Request.resident_id, Assignment.volunteer_id)
    ).all()
    return {(r, v): day for r, v, day in rows if r is not None}


@dataclass(frozen=True)
class RequestFact:
    day: date  # when it was made
    service: str
    resident_id: int | None
    first_help: date | None  # its first completed service


@source("requests")
def load_requests(scope: Scope) -> list[RequestFact]:
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
    if scope.service is not None:
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


@dataclass(frozen=True)
class TransferFact:
    day: date
    kind: str
    minutes: int
    debit_person: int | None
    credit_person: int | None


@source("transfers")
def load_transfers(scope: Scope) -> list[TransferFact]:
    debit = sa.orm.aliased(Account)
    credit = sa.orm.aliased(Account)
    query = (
        sa.select(
            Transfer.service_date,
            Transfer.kind,
            Transfer.amount,
            debit.person_id,
            credit.person_id,
        )
        .join(debit, debit.id == Transfer.debit_account_id)
        .join(credit, credit.id == Transfer.credit_account_id)
        .where(
            Transfer.organisation_id == scope.org_id,
            Transfer.service_date >= scope.start,
            Transfer.service_date <= scope.end,
        )
    )
    return [
        TransferFact(day, kind.value, amount, d, c)
        for day, kind, amount, d, c in db.session.execute(query)
    ]


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
