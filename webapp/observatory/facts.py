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
from webapp.observatory import sql
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
    if scope.service == "activity":  # activities are counted on their own (catalogue)
        return []
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
class RequestFact:
    day: date  # when it was made
    service: str
    resident_id: int | None
    first_help: date | None  # its first completed service


@source("requests")
def load_requests(scope: Scope) -> list[RequestFact]:
    done = (
        sa.select(Shift.request_id, sa.func.min(Shift.occurrence_date).label("first"))
        .where(Shift.organisation_id == scope.org_id, Shift.status == ShiftStatus.COMPLETED)
        .group_by(Shift.request_id)
        .subquery()
    )
    query = (
        sa.select(Request.created_at, Request.kind, Request.resident_id, done.c.first)
        .outerjoin(done, done.c.request_id == Request.id)
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


# Services, aggregated in the database ---------------------------------------------------

Counts = dict[tuple[str, ...], tuple[int, int, int]]  # dims -> (services, people, minutes)


def services_subquery(scope: Scope) -> Any:
    """One row per leg dated in the period: day, service, outcome, resident, neighbourhood,
    minutes, and whether it is a service's first leg (a ride's return leg adds its
    minutes but is not a second service). No GROUP BY: one pass over the shifts."""
    outcome = sa.case(
        (
            Shift.status == ShiftStatus.NO_SHOW,
            sa.case(
                (Shift.no_show_side == "volunteer", "volunteer_absent"),
                else_="resident_absent",
            ),
        ),
        else_=sa.cast(Shift.status, sa.String(20)),
    )
    first = Shift.kind != ShiftKind.RIDE_BACK
    return (
        sa.select(
            Shift.occurrence_date.label("day"),
            sa.case((Shift.kind == ShiftKind.VISIT, "visit"), else_="ride").label("service"),
            outcome.label("outcome"),
            sa.case((first, Request.resident_id), else_=None).label("resident"),
            sa.case((first, 1), else_=0).label("first"),
            sa.func.coalesce(Shift.neighbourhood, "").label("hood"),
            sql.minutes(Shift.starts_at, Shift.ends_at).label("minutes"),
        )
        .join(Request, Request.id == Shift.request_id)
        .where(*_shift_filter(scope))
        .subquery()
    )


def service_counts(
    facts: Facts, dims: tuple[str, ...], outcomes: tuple[str, ...] | None = None
) -> Counts:
    """Services, distinct residents and minutes grouped by ``dims`` (any of "bucket",
    "service", "outcome", "hood"), of the given outcomes (None: every final one).

    Every grouping is merged in Python from one scan of the shifts per page (the
    ``service_cells``), not one scan per grouping."""
    key = f"services:{','.join(dims)}:{outcomes}"
    if key in facts._cache:
        return facts._cache[key]
    wanted = set(outcomes or FINAL_OUTCOMES)
    index = [("bucket", "service", "outcome", "hood").index(d) for d in dims]
    services: dict[tuple[str, ...], int] = {}
    residents: dict[tuple[str, ...], set[int]] = {}
    minutes_: dict[tuple[str, ...], Any] = {}
    if not dims:  # one row, as SQL's aggregate without GROUP BY, even with nothing
        services[()], residents[()], minutes_[()] = 0, set(), 0
    for cell in _service_cells(facts):
        names, resident, n, spent = cell
        if names[2] not in wanted:
            continue
        k = tuple(names[i] for i in index)
        services[k] = services.get(k, 0) + n
        people = residents.setdefault(k, set())
        if resident is not None:
            people.add(resident)
        minutes_[k] = minutes_.get(k, 0) + spent
    out: Counts = {k: (n, len(residents[k]), round(minutes_[k] or 0)) for k, n in services.items()}
    facts._cache[key] = out
    return out


Cell = tuple[tuple[str, str, str, str], int | None, int, Any]


def _service_cells(facts: Facts) -> list[Cell]:
    """((bucket, service, outcome, hood), resident, services, minutes): the services
    summed at the finest grain every grouping needs, resident included (so that
    distinct residents can be counted at any coarser grain). One scan of the shifts."""
    if "services:cells" in facts._cache:
        return facts._cache["services:cells"]
    sub = facts.get("services_subquery")
    dims = [
        sql.bucket(sub.c.day, facts.scope.grain),
        sub.c.service,
        sub.c.outcome,
        sub.c.hood,
        sub.c.resident,
    ]
    query = sa.select(
        *dims,
        sa.func.coalesce(sa.func.sum(sub.c.first), 0),
        sa.func.coalesce(sa.func.sum(sub.c.minutes), 0),
    ).group_by(*dims)
    cells: list[Cell] = [
        ((str(row[0]), str(row[1]), str(row[2]), str(row[3])), row[4], int(row[5]), row[6])
        for row in db.session.execute(query)
    ]
    facts._cache["services:cells"] = cells
    return cells


FINAL_OUTCOMES = ("completed", "cancelled", "resident_absent", "volunteer_absent", "unfilled")


@source("services_subquery")
def _services_subquery(scope: Scope) -> Any:
    return services_subquery(scope)


@source("newly_reached")
def load_newly_reached(scope: Scope) -> dict[str, int]:
    """Bucket -> residents reached in the period whose first completed service ever
    (of the chosen service) falls in it."""
    first = (
        sa.select(
            Request.resident_id.label("resident"),
            sa.func.min(Shift.occurrence_date).label("first"),
        )
        .join(Request, Request.id == Shift.request_id)
        .where(
            Shift.organisation_id == scope.org_id,
            Shift.status == ShiftStatus.COMPLETED,
            Shift.kind.in_(_kinds(scope)),
            Request.resident_id.is_not(None),
        )
        .group_by(Request.resident_id)
        .subquery()
    )
    reached = (
        sa.select(Request.resident_id)
        .join(Shift, Shift.request_id == Request.id)
        .where(*_shift_filter(scope), Shift.status == ShiftStatus.COMPLETED)
    )
    b = sql.bucket(first.c.first, scope.grain)
    rows = db.session.execute(
        sa.select(b, sa.func.count())
        .where(
            first.c.first >= scope.start,
            first.c.first <= scope.end,
            first.c.resident.in_(reached),
        )
        .group_by(b)
    ).all()
    return {str(k): n for k, n in rows}


def _given_subquery(scope: Scope, start: date | None = None) -> Any:
    """One row per volunteer per completed service: day, volunteer, resident, minutes."""
    logged = sa.and_(
        Assignment.actual_start.is_not(None),
        Assignment.actual_end.is_not(None),
        Assignment.actual_end > Assignment.actual_start,
    )
    spent = sa.case(
        (logged, sql.minutes(Assignment.actual_start, Assignment.actual_end)),
        else_=sql.minutes(Shift.starts_at, Shift.ends_at),
    )
    return (
        sa.select(
            Shift.group_key.label("group_key"),
            sa.func.min(Shift.occurrence_date).label("day"),
            Assignment.volunteer_id.label("volunteer"),
            Request.resident_id.label("resident"),
            sa.func.sum(spent).label("minutes"),
        )
        .join(Shift, Shift.id == Assignment.shift_id)
        .join(Request, Request.id == Shift.request_id)
        .where(*_shift_filter(scope, start), Shift.status == ShiftStatus.COMPLETED)
        .group_by(Shift.group_key, Assignment.volunteer_id, Request.resident_id)
        .subquery()
    )


@source("given")
def load_given(scope: Scope) -> dict[str, tuple[int, int]]:
    """Bucket (and "") -> (minutes given, distinct volunteers) in the period: one query
    by bucket and volunteer, the totals summed here."""
    sub = _given_subquery(scope)
    b = sql.bucket(sub.c.day, scope.grain)
    minutes_: dict[str, Any] = {"": 0}
    people: dict[str, set[int]] = {"": set()}
    for key, volunteer, spent in db.session.execute(
        sa.select(b, sub.c.volunteer, sa.func.sum(sub.c.minutes)).group_by(b, sub.c.volunteer)
    ):
        for k in (str(key), ""):
            minutes_[k] = minutes_.get(k, 0) + (spent or 0)
            people.setdefault(k, set()).add(volunteer)
    return {k: (round(minutes_[k] or 0), len(people[k])) for k in minutes_}


@source("active")
def load_active(scope: Scope) -> dict[str, set[int]]:
    """Bucket -> volunteers with a completed service in it, from the bucket before the
    period (for retention) to its end."""
    sub = _given_subquery(scope, scope.previous_start())
    b = sql.bucket(sub.c.day, scope.grain)
    out: dict[str, set[int]] = {}
    for key, volunteer in db.session.execute(sa.select(b, sub.c.volunteer).distinct()):
        out.setdefault(str(key), set()).add(volunteer)
    return out


@source("continuity")
def load_continuity(scope: Scope) -> dict[str, tuple[int, int, int]]:
    """Bucket (and "") -> (services given, of them by a volunteer who had served that
    resident before, distinct residents)."""
    pairs = (
        sa.select(
            Request.resident_id.label("resident"),
            Assignment.volunteer_id.label("volunteer"),
            sa.func.min(Shift.occurrence_date).label("first"),
        )
        .join(Shift, Shift.id == Assignment.shift_id)
        .join(Request, Request.id == Shift.request_id)
        .where(
            Shift.organisation_id == scope.org_id,
            Shift.status == ShiftStatus.COMPLETED,
            Shift.kind.in_(_kinds(scope)),
            Shift.occurrence_date <= scope.end,
        )
        .group_by(Request.resident_id, Assignment.volunteer_id)
        .subquery()
    )
    sub = _given_subquery(scope)
    known = sa.func.sum(sa.case((pairs.c.first < sub.c.day, 1), else_=0))
    joined = sub.join(
        pairs, sa.and_(pairs.c.resident == sub.c.resident, pairs.c.volunteer == sub.c.volunteer)
    )
    b = sql.bucket(sub.c.day, scope.grain)
    # One query by bucket and resident; the buckets and the total summed here.
    given: dict[str, int] = {"": 0}
    known_: dict[str, int] = {"": 0}
    residents: dict[str, set[int]] = {"": set()}
    query = sa.select(b, sub.c.resident, sa.func.count(), known).select_from(joined)
    for key, resident, n, kn in db.session.execute(query.group_by(b, sub.c.resident)):
        for k in (str(key), ""):
            given[k] = given.get(k, 0) + n
            known_[k] = known_.get(k, 0) + int(kn or 0)
            residents.setdefault(k, set())
            if resident is not None:
                residents[k].add(resident)
    return {k: (given[k], known_[k], len(residents[k])) for k in given}


@source("transfers")
def load_transfers(scope: Scope) -> dict[tuple[str, str], tuple[int, int]]:
    """(bucket or "", flow or "") -> (minutes, distinct members): flows are "services"
    (visits and rides, of the chosen service), "donation", "grant", "reversal"."""
    debit = sa.orm.aliased(Account)
    credit = sa.orm.aliased(Account)
    wanted = {None: ["visit", "ride"], "activity": []}.get(scope.service, [scope.service])
    flow = sa.case(
        (Transfer.kind.in_(["visit", "ride"]), "services"),
        else_=sa.cast(Transfer.kind, sa.String(20)),
    )
    base = (
        sa.select(
            Transfer.id.label("id"),
            Transfer.service_date.label("day"),
            flow.label("flow"),
            Transfer.amount.label("amount"),
            debit.person_id.label("debit"),
            credit.person_id.label("credit"),
        )
        .join(debit, debit.id == Transfer.debit_account_id)
        .join(credit, credit.id == Transfer.credit_account_id)
        .where(
            Transfer.organisation_id == scope.org_id,
            Transfer.service_date >= scope.start,
            Transfer.service_date <= scope.end,
            sa.or_(Transfer.kind.in_(wanted), Transfer.kind.in_(["donation", "grant", "reversal"])),
        )
        .subquery()
    )
    members = sa.union_all(
        sa.select(base.c.day, base.c.flow, base.c.debit.label("person")),
        sa.select(base.c.day, base.c.flow, base.c.credit.label("person")),
    ).subquery()
    out: dict[tuple[str, str], tuple[int, int]] = {}
    b1 = sql.bucket(base.c.day, scope.grain)
    b2 = sql.bucket(members.c.day, scope.grain)
    minutes_: dict[tuple[str, str], int] = {}
    for k, f, m in db.session.execute(
        sa.select(b1, base.c.flow, sa.func.sum(base.c.amount)).group_by(b1, base.c.flow)
    ):
        for key in ((str(k), f), (str(k), ""), ("", f), ("", "")):
            minutes_[key] = minutes_.get(key, 0) + int(m or 0)
    people = sa.func.count(sa.distinct(members.c.person))
    for group in ([b2, members.c.flow], [b2], [members.c.flow], []):
        query = sa.select(*group, people).where(members.c.person.is_not(None))
        if group:
            query = query.group_by(*group)
        for row in db.session.execute(query):
            k = str(row[0]) if b2 in group else ""
            f = str(row[-2]) if members.c.flow in group else ""
            out[(k, f)] = (minutes_.get((k, f), 0), row[-1])
    return out
