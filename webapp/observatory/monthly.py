"""The month facts: everything the service, volunteer and time-bank indicators count,
per month, computed live from the shifts, assignments and ledger for a range of days.

The same structure is what the summary stores for whole past months (``summary.py``),
so a page reads the summary for the months it has and computes the rest (the current
month, a period's partial first or last month) here, and the indicators cannot tell
the two apart: the figures are the same by construction (tests/observatory/test_summary.py).

``counts`` are additive: (fact, month, service, outcome, hood) -> [count, minutes,
known, known_same]. ``people`` are who was counted: (fact, person, service, outcome,
hood) -> a bit mask of months (bit i is month number ``base + i``), because distinct
people cannot be summed across months. The facts are described in ``models.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from webapp.extensions import db
from webapp.observatory import sql
from webapp.observatory.models import ObservatoryFirst
from webapp.requests.models import Request
from webapp.shifts.models import Assignment, Shift, ShiftKind, ShiftStatus
from webapp.timebank.models import Account, Transfer

CHEST = ("donation", "grant", "reversal")
CountKey = tuple[str, date, str, str, str]
PeopleKey = tuple[str, int, str, str, str]


def month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_start(number: int) -> date:
    return date(number // 12, number % 12 + 1, 1)


@dataclass
class MonthFacts:
    base: int  # the month number of bit 0 of every mask
    counts: dict[CountKey, list[Any]] = field(default_factory=dict)
    people: dict[PeopleKey, int] = field(default_factory=dict)
    _rows: dict[str, dict[int, list[tuple[str, str, str, int]]]] = field(default_factory=dict)
    # The counting's tallies of people (``counting._tally``), like ``_rows`` once merged.
    tallies: dict[Any, Any] = field(default_factory=dict)

    def rows(self, fact: str) -> dict[int, list[tuple[str, str, str, int]]]:
        """Person -> [(service, outcome, hood, mask)] of one fact, once all is merged
        (every fact sorted in one pass, the first time)."""
        if not self._rows:
            self._rows[""] = {}
            for (f, person, s, o, h), mask in self.people.items():
                if mask:
                    self._rows.setdefault(f, {}).setdefault(person, []).append((s, o, h, mask))
        return self._rows.get(fact, {})

    def count(self, key: CountKey, n: int = 0, minutes: Any = 0, known: int = 0,
              known_same: int = 0) -> None:
        cell = self.counts.setdefault(key, [0, 0, 0, 0])
        cell[0] += n
        cell[1] += float(minutes or 0)  # PostgreSQL's numeric, SQLite's real, stored as float
        cell[2] += known
        cell[3] += known_same

    def person(self, key: PeopleKey, months: int) -> None:
        self.people[key] = self.people.get(key, 0) | months

    def bit(self, month: date) -> int:
        return 1 << (month_number(month) - self.base)

    def merge(self, other: MonthFacts) -> None:
        """Add ``other``'s facts (other days, or other months) to these."""
        shift = other.base - self.base
        self._rows.clear()  # what was sorted and tallied before no longer holds
        self.tallies.clear()
        for key, (n, minutes, known, same) in other.counts.items():
            self.count(key, n, minutes, known, same)
        for pkey, mask in other.people.items():
            self.person(pkey, mask << shift if shift >= 0 else mask >> -shift)


@dataclass(frozen=True)
class Filters:
    org_id: int
    service: str | None = None  # visit / ride / activity / None
    hood: str | None = None


def kinds(service: str | None) -> list[ShiftKind]:
    if service == "visit":
        return [ShiftKind.VISIT]
    if service == "ride":
        return [ShiftKind.RIDE_OUT, ShiftKind.RIDE_BACK]
    if service == "activity":  # activities are counted on their own (catalogue)
        return []
    return list(ShiftKind)


def _family() -> Any:
    return sa.case((Shift.kind == ShiftKind.VISIT, "visit"), else_="ride")


def _month(column: Any) -> Any:
    return sql.bucket(column, "month")


def _rows(query: Any) -> Any:
    """A query's rows (typed loosely: selects built from lists of columns)."""
    return db.session.execute(query)


def _parse(key: str) -> date:
    year, month = key.split("-")
    return date(int(year), int(month), 1)


def shift_filter(f: Filters, start: date, end: date) -> list[Any]:
    where = [
        Shift.organisation_id == f.org_id,
        Shift.occurrence_date >= start,
        Shift.occurrence_date <= end,
        Shift.kind.in_(kinds(f.service)),
    ]
    if f.hood is not None:
        where.append(Shift.neighbourhood == f.hood)
    return where


def load_services(facts: MonthFacts, f: Filters, start: date, end: date) -> None:
    """Services (a ride's legs are one: its first leg), their minutes (every leg) and
    residents, per month, service, outcome and neighbourhood. One scan."""
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
    sub = (
        sa.select(
            Shift.occurrence_date.label("day"),
            _family().label("service"),
            outcome.label("outcome"),
            sa.case((first, Request.resident_id), else_=None).label("resident"),
            sa.case((first, 1), else_=0).label("first"),
            sa.func.coalesce(Shift.neighbourhood, "").label("hood"),
            sql.minutes(Shift.starts_at, Shift.ends_at).label("minutes"),
        )
        .join(Request, Request.id == Shift.request_id)
        .where(*shift_filter(f, start, end))
        .subquery()
    )
    dims = [_month(sub.c.day), sub.c.service, sub.c.outcome, sub.c.hood, sub.c.resident]
    query = sa.select(
        *dims,
        sa.func.coalesce(sa.func.sum(sub.c.first), 0),
        sa.func.coalesce(sa.func.sum(sub.c.minutes), 0),
    ).group_by(*dims)
    for month, service, outcome_, hood, resident, n, minutes in _rows(query):
        day = _parse(str(month))
        facts.count(("service", day, str(service), str(outcome_), str(hood)), int(n), minutes)
        if resident is not None:
            facts.person(("resident", resident, str(service), str(outcome_), str(hood)),
                         facts.bit(day))


def given_groups(f: Filters, start: date, end: date) -> Any:
    """One row per volunteer per completed service (a ride's legs together): day,
    service, neighbourhood, volunteer, resident, minutes (logged, else booked)."""
    logged = sa.and_(
        Assignment.actual_start.is_not(None),
        Assignment.actual_end.is_not(None),
        Assignment.actual_end > Assignment.actual_start,
    )
    spent = sa.case(
        (logged, sql.minutes(Assignment.actual_start, Assignment.actual_end)),
        else_=sql.minutes(Shift.starts_at, Shift.ends_at),
    )
    hood = sa.func.coalesce(Shift.neighbourhood, "")
    family = _family()  # one object: PostgreSQL matches the GROUP BY by its parameters
    return (
        sa.select(
            sa.func.min(Shift.occurrence_date).label("day"),
            family.label("service"),
            hood.label("hood"),
            Assignment.volunteer_id.label("volunteer"),
            Request.resident_id.label("resident"),
            sa.func.sum(spent).label("minutes"),
        )
        .join(Shift, Shift.id == Assignment.shift_id)
        .join(Request, Request.id == Shift.request_id)
        .where(*shift_filter(f, start, end), Shift.status == ShiftStatus.COMPLETED)
        .group_by(Shift.group_key, Assignment.volunteer_id, Request.resident_id, family, hood)
        .subquery()
    )


def _pair_firsts(f: Filters, end: date, since: date | None, by_service: bool) -> Any:
    """(resident, volunteer[, service]) -> the pair's first completed service up to
    ``end``, counted live from ``since`` (None: from the beginning)."""
    keys: list[Any] = [
        Request.resident_id.label("resident"),
        Assignment.volunteer_id.label("volunteer"),
    ]
    if by_service:
        keys.append(_family().label("service"))
    return (
        sa.select(*keys, sa.func.min(Shift.occurrence_date).label("first"))
        .join(Shift, Shift.id == Assignment.shift_id)
        .join(Request, Request.id == Shift.request_id)
        .where(
            Shift.organisation_id == f.org_id,
            Shift.status == ShiftStatus.COMPLETED,
            Shift.kind.in_(kinds(f.service)),
            Shift.occurrence_date <= end,
            *([Shift.occurrence_date >= since] if since is not None else []),
        )
        .group_by(*keys)
        .subquery()
    )


def _stored_before(f: Filters, sub: Any, service: Any) -> Any:
    """The summary knows the pair from a service before this one (before ``through``)."""
    where = [
        ObservatoryFirst.organisation_id == f.org_id,
        ObservatoryFirst.kind == "pair",
        ObservatoryFirst.resident_id == sub.c.resident,
        ObservatoryFirst.volunteer_id == sub.c.volunteer,
        ObservatoryFirst.first_day < sub.c.day,
    ]
    if service is not None:
        where.append(ObservatoryFirst.service == service)
    return sa.exists().where(*where)


def load_given(facts: MonthFacts, f: Filters, start: date, end: date,
               since: date | None, same_too: bool = False) -> None:
    """The completed services given, per month, service and neighbourhood: the minutes
    volunteers gave (two volunteers on a visit give twice its time), the services given
    and of them those by a volunteer who had served that resident before (in any
    service; with ``same_too`` also in the same service, which the summary keeps for the
    service filter: a page asks only the one its filter needs); the volunteers and the
    residents assisted.

    One query for the volunteers' and the continuity facts: grouped by volunteer and
    resident, the services given are scanned once, not once per part.
    "Before" is the pair's first service: counted live from ``since``, and before it
    looked up in the summary (one index step per service given)."""
    sub = given_groups(f, start, end)
    chosen = f.service if f.service in ("visit", "ride") else None
    any_ = _pair_firsts(f, end, since, False)
    joined = sub.outerjoin(
        any_, sa.and_(any_.c.resident == sub.c.resident, any_.c.volunteer == sub.c.volunteer)
    )
    # A service of an erased resident has no pair: its minutes count, it does not.
    paired = sub.c.resident.is_not(None)
    known_any = any_.c.first < sub.c.day
    if since is not None:
        known_any = sa.or_(known_any, _stored_before(f, sub, chosen))
    columns = [
        sa.func.sum(sub.c.minutes),
        sa.func.sum(sa.case((paired, 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(paired, known_any), 1), else_=0)),
    ]
    if same_too:
        same = _pair_firsts(f, end, since, True)
        joined = joined.outerjoin(
            same,
            sa.and_(
                same.c.resident == sub.c.resident,
                same.c.volunteer == sub.c.volunteer,
                same.c.service == sub.c.service,
            ),
        )
        known_same = same.c.first < sub.c.day
        if since is not None:
            known_same = sa.or_(known_same, _stored_before(f, sub, sub.c.service))
        columns.append(sa.func.sum(sa.case((sa.and_(paired, known_same), 1), else_=0)))
    dims = [_month(sub.c.day), sub.c.service, sub.c.hood, sub.c.volunteer, sub.c.resident]
    query = sa.select(*dims, *columns).select_from(joined).group_by(*dims)
    days: dict[str, date] = {}
    for month, service, hood, volunteer, resident, spent, n, known, *same_ in _rows(query):
        key = str(month)
        day = days.get(key) or days.setdefault(key, _parse(key))
        bit = facts.bit(day)
        s, h = str(service), str(hood)
        k = int(known or 0)
        facts.count(("given", day, s, "", h), int(n or 0), spent, k,
                    int(same_[0] or 0) if same_ else k)
        facts.person(("volunteer", volunteer, s, "", h), bit)
        if resident is not None:
            facts.person(("assisted", resident, s, "", h), bit)


def transfer_kinds(service: str | None) -> list[str]:
    return {None: ["visit", "ride"], "activity": []}.get(service, [service or ""]) + list(CHEST)


def load_transfers(facts: MonthFacts, f: Filters, start: date, end: date) -> None:
    """The ledger's minutes per month and kind (visit, ride, donation, grant, reversal;
    the whole organisation, whatever the neighbourhood) and its members."""
    debit = sa.orm.aliased(Account)
    credit = sa.orm.aliased(Account)
    kind = sa.cast(Transfer.kind, sa.String(20))
    base = (
        sa.select(
            Transfer.service_date.label("day"),
            kind.label("kind"),
            Transfer.amount.label("amount"),
            debit.person_id.label("debit"),
            credit.person_id.label("credit"),
        )
        .join(debit, debit.id == Transfer.debit_account_id)
        .join(credit, credit.id == Transfer.credit_account_id)
        .where(
            Transfer.organisation_id == f.org_id,
            Transfer.service_date >= start,
            Transfer.service_date <= end,
            Transfer.kind.in_(transfer_kinds(f.service)),
        )
        .subquery()
    )
    # One scan: the minutes and both members of each pair of accounts, summed in Python.
    m = _month(base.c.day)
    dims = [m, base.c.kind, base.c.debit, base.c.credit]
    days: dict[str, date] = {}
    query = sa.select(*dims, sa.func.sum(base.c.amount)).group_by(*dims)
    for month, kind_, debit_, credit_, minutes in _rows(query):
        key = str(month)
        day = days.get(key) or days.setdefault(key, _parse(key))
        k = str(kind_)
        facts.count(("transfer", day, k, "", ""), 0, int(minutes or 0))
        for person in (debit_, credit_):
            if person is not None:
                facts.person(("member", person, k, "", ""), facts.bit(day))


def first_help(f: Filters, since: date | None) -> dict[tuple[int, str], date]:
    """(resident, service) -> the day of their first completed service ever (no
    neighbourhood filter): from ``since`` on (live; the summary has the rest)."""
    family = _family()
    query = (
        sa.select(Request.resident_id, family, sa.func.min(Shift.occurrence_date))
        .join(Request, Request.id == Shift.request_id)
        .where(
            Shift.organisation_id == f.org_id,
            Shift.status == ShiftStatus.COMPLETED,
            Shift.kind.in_(kinds(f.service)),
            Request.resident_id.is_not(None),
            *([Shift.occurrence_date >= since] if since is not None else []),
        )
        .group_by(Request.resident_id, family)
    )
    return {(r, str(s)): d for r, s, d in db.session.execute(query)}


def live(f: Filters, start: date, end: date, base: int, since: date | None,
         what: Iterable[str] = ("services", "volunteers", "continuity", "transfers"),
         storing: bool = False) -> MonthFacts:
    """The month facts of the days ``start``-``end``, computed from the shifts and the
    ledger. ``since``: the first day the summary does not cover (None: no summary);
    ``storing``: for the summary (every variant the filters may ask for)."""
    facts = MonthFacts(base)
    wanted = set(what)
    if "services" in wanted:
        load_services(facts, f, start, end)
    if wanted & {"volunteers", "continuity"}:  # one query for both (``load_given``)
        load_given(facts, f, start, end, since, same_too=storing)
    if "transfers" in wanted:
        load_transfers(facts, f, start, end)
    return facts
