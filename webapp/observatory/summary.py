"""The monthly summary: ``refresh`` stores the month facts (``monthly.py``) of every
whole month before the current one; ``month_facts`` gives a page the facts of a range of
days, from the summary for the whole months it holds and live for the rest.

Staleness: the summary is as of its ``refreshed_at``. The nightly job (``tasks.py``)
recomputes it whole, so a late change to a past month (a shift marked "no show" for
last month) is in the figures the next morning; ``flask observatory refresh`` does it at
once. The current month is always live. The page says "figures as of ..." whenever it
read the summary (docs/observatory.md, "How the figures are computed").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from webapp.core.locks import begin_write
from webapp.extensions import db
from webapp.observatory import monthly
from webapp.observatory.models import (
    ObservatoryCount,
    ObservatoryFirst,
    ObservatoryPeople,
    ObservatoryRefresh,
)
from webapp.observatory.monthly import Filters, MonthFacts, month_number, month_start
from webapp.orgs.models import Organisation
from webapp.requests.models import Request
from webapp.shifts.models import Assignment, Shift, ShiftStatus
from webapp.timebank.models import Transfer

ALL = ("services", "volunteers", "continuity", "transfers")
# Which stored facts each part of the month facts needs.
PARTS = {
    "services": ({"service"}, {"resident"}),
    "volunteers": ({"given"}, {"volunteer"}),
    "continuity": ({"given"}, {"assisted"}),
    "transfers": ({"transfer"}, {"member"}),
}
TABLES = (ObservatoryCount, ObservatoryPeople, ObservatoryFirst)
SPAN = 60  # months to a stored mask


@dataclass(frozen=True)
class State:
    through: date  # months before it are in the summary
    refreshed_at: datetime


def state(org_id: int) -> State | None:
    row = db.session.get(ObservatoryRefresh, org_id)
    return None if row is None else State(row.through, row.refreshed_at)


# Refreshing --------------------------------------------------------------------------


def _earliest(org_id: int) -> date | None:
    days = [
        db.session.scalar(
            sa.select(sa.func.min(Shift.occurrence_date)).where(Shift.organisation_id == org_id)
        ),
        db.session.scalar(
            sa.select(sa.func.min(Transfer.service_date)).where(
                Transfer.organisation_id == org_id
            )
        ),
    ]
    found = [d for d in days if d is not None]
    return min(found) if found else None


def _pairs(org_id: int, through: date) -> list[dict[str, object]]:
    family = sa.case((Shift.kind == "visit", "visit"), else_="ride")
    query = (
        sa.select(Request.resident_id, Assignment.volunteer_id, family,
                  sa.func.min(Shift.occurrence_date))
        .join(Shift, Shift.id == Assignment.shift_id)
        .join(Request, Request.id == Shift.request_id)
        .where(
            Shift.organisation_id == org_id,
            Shift.status == ShiftStatus.COMPLETED,
            Shift.occurrence_date < through,
            Request.resident_id.is_not(None),
        )
        .group_by(Request.resident_id, Assignment.volunteer_id, family)
    )
    return [
        {"organisation_id": org_id, "kind": "pair", "resident_id": r, "volunteer_id": v,
         "service": s, "first_day": d}
        for r, v, s, d in db.session.execute(query)
    ]


def refresh(org_id: int, today: date, now: datetime) -> str:
    """Recompute the organisation's summary: every whole month before ``today``'s.
    Flushes; the caller commits (one transaction: a page never sees half a summary)."""
    through = date(today.year, today.month, 1)
    # Two refreshes at once (the night's job and the command) would both delete and both
    # insert: one waits for the other. PostgreSQL locks the organisation's row; SQLite
    # takes its one write lock before anything is read.
    begin_write(ObservatoryRefresh)
    db.session.execute(
        sa.select(Organisation.id).where(Organisation.id == org_id).with_for_update()
    )
    for model in TABLES:
        db.session.execute(sa.delete(model).where(model.organisation_id == org_id))
    row = db.session.get(ObservatoryRefresh, org_id)
    if row is None:
        row = ObservatoryRefresh(organisation_id=org_id)
        db.session.add(row)
    row.through, row.refreshed_at = through, now
    first = _earliest(org_id)
    if first is None or first >= through:
        db.session.flush()
        return "nothing before this month"
    f = Filters(org_id)
    start = date(first.year, first.month, 1)
    facts = monthly.live(
        f, start, through - timedelta(days=1), month_number(start), None, storing=True
    )
    counts = [
        {"organisation_id": org_id, "month": m, "fact": fact, "service": s, "outcome": o,
         "hood": h, "count": n, "minutes": minutes, "known": k, "known_same": ks}
        for (fact, m, s, o, h), (n, minutes, k, ks) in facts.counts.items()
    ]
    people = []
    for (fact, person, s, o, h), mask in facts.people.items():
        # Realign on spans of 60 months (masks in the database fit 63 bits).
        absolute = mask << facts.base
        span = facts.base // SPAN
        while absolute >> (span * SPAN):
            bits = (absolute >> (span * SPAN)) & ((1 << SPAN) - 1)
            if bits:
                people.append({"organisation_id": org_id, "span": span, "fact": fact,
                               "person_id": person, "service": s, "outcome": o, "hood": h,
                               "months": bits})
            span += 1
    firsts = [
        {"organisation_id": org_id, "kind": "resident", "resident_id": r, "volunteer_id": 0,
         "service": s, "first_day": d}
        for (r, s), d in monthly.first_help(f, None).items()
        if d < through
    ]
    for model, rows in ((ObservatoryCount, counts), (ObservatoryPeople, people),
                        (ObservatoryFirst, firsts + _pairs(org_id, through))):
        if rows:
            db.session.execute(sa.insert(model), rows)
    db.session.flush()
    return f"{len(counts)} monthly counts, {len(people)} people rows through {through}"


# Reading -----------------------------------------------------------------------------


def _wanted_service(f: Filters, fact: str, service: str) -> bool:
    if fact in ("transfer", "member"):
        return service in monthly.transfer_kinds(f.service)
    return f.service is None or f.service == service


def read(f: Filters, first: date, last: date, base: int, what: Iterable[str]) -> MonthFacts:
    """The stored facts of the whole months ``first``-``last`` (first days of months)."""
    facts = MonthFacts(base)
    counts: set[str] = set()
    people: set[str] = set()
    for part in what:
        counts |= PARTS[part][0]
        people |= PARTS[part][1]
    query = sa.select(
        ObservatoryCount.fact, ObservatoryCount.month, ObservatoryCount.service,
        ObservatoryCount.outcome, ObservatoryCount.hood, ObservatoryCount.count,
        ObservatoryCount.minutes, ObservatoryCount.known, ObservatoryCount.known_same,
    ).where(
        ObservatoryCount.organisation_id == f.org_id,
        ObservatoryCount.month >= first,
        ObservatoryCount.month <= last,
        ObservatoryCount.fact.in_(counts),
    )
    if f.hood is not None:
        query = query.where(
            sa.or_(ObservatoryCount.hood == f.hood, ObservatoryCount.fact == "transfer")
        )
    for fact, m, s, o, h, n, minutes, k, ks in db.session.execute(query):
        if _wanted_service(f, fact, s):
            facts.count((fact, m, s, o, h), n, minutes, k, ks)
    lo, hi = month_number(first), month_number(last)
    pq = sa.select(
        ObservatoryPeople.fact, ObservatoryPeople.person_id, ObservatoryPeople.service,
        ObservatoryPeople.outcome, ObservatoryPeople.hood, ObservatoryPeople.span,
        ObservatoryPeople.months,
    ).where(
        ObservatoryPeople.organisation_id == f.org_id,
        ObservatoryPeople.span >= lo // SPAN,
        ObservatoryPeople.span <= hi // SPAN,
        ObservatoryPeople.fact.in_(people),
    )
    if f.hood is not None:
        pq = pq.where(sa.or_(ObservatoryPeople.hood == f.hood, ObservatoryPeople.fact == "member"))
    window = (1 << (hi - lo + 1)) - 1  # the months asked for, relative to ``first``
    add = facts.person
    for fact, person, s, o, h, span, months in db.session.execute(pq):
        if not _wanted_service(f, fact, s):
            continue
        shift = span * SPAN - lo
        mask = (months << shift if shift >= 0 else months >> -shift) & window
        if mask:
            add((fact, person, s, o, h), mask << (lo - base))
    return facts


def stored_firsts(f: Filters) -> dict[tuple[int, str], date]:
    """(resident, service) -> first completed service, as stored (before ``through``)."""
    query = sa.select(
        ObservatoryFirst.resident_id, ObservatoryFirst.service, ObservatoryFirst.first_day
    ).where(ObservatoryFirst.organisation_id == f.org_id, ObservatoryFirst.kind == "resident")
    return {(r, s): d for r, s, d in db.session.execute(query) if _wanted_service(f, "", s)}


def stored_months(current: State | None, start: date, end: date) -> tuple[date, date] | None:
    """The whole months of ``start``-``end`` the summary holds (first days of the first
    and the last), or None: those the page reads from the summary."""
    if current is None:
        return None
    first = start if start.day == 1 else _next_month(start)
    last = month_start(month_number(end))  # the month of ``end`` ...
    if _next_month(end) - timedelta(days=1) != end:  # ... unless it is partial
        last = month_start(month_number(end) - 1)
    if current.through <= last:
        last = month_start(month_number(current.through) - 1)
    return (first, last) if first <= last else None


def month_facts(f: Filters, start: date, end: date, base: int, current: State | None,
                what: Iterable[str] = ALL) -> MonthFacts:
    """The month facts of the days ``start``-``end``: the whole months before
    ``current.through`` from the summary, the rest live."""
    what = tuple(what)
    facts = MonthFacts(base)
    stored = stored_months(current, start, end)
    if current is None or stored is None:
        # The firsts before ``through`` are still read from the summary when there is one.
        since = current.through if current is not None else None
        facts.merge(monthly.live(f, start, end, base, since, what))
        return facts
    first, last = stored
    since = current.through
    facts.merge(read(f, first, last, base, what))
    if start < first:
        facts.merge(monthly.live(f, start, first - timedelta(days=1), base, since, what))
    after = _next_month(last)
    if after <= end:
        facts.merge(monthly.live(f, after, end, base, since, what))
    return facts


def _next_month(day: date) -> date:
    return month_start(month_number(day) + 1)
