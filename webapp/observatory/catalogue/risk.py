"""Residents at high risk with no service, by neighbourhood (the map's third figure).

*At high risk* at the end of the period, from what Ponte holds about a resident:

- their latest UCLA-3 measure taken by then rates *high* by Ponte's triage rule
  (``referrals.scales.risk_level``: feeling lonely often/always, or lonely with two or
  more risk factors), or
- an alert from the desk about them was raised by then and still open then.

*No service*: no visit or ride of theirs dated from the start of the period on was
delivered or is still booked (every one, if any, was cancelled, unfilled or missed).
A visit done in the period, or one booked for later, counts as a service.

Counts only (the rows are people's ids and neighbourhoods, never a name or a home);
the neighbourhood filter applies, the service filter does not (a high-risk resident with
no visit is not "served" by a ride filter).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.desk.models import Alert
from webapp.extensions import db
from webapp.observatory.facts import Facts, source
from webapp.observatory.indicators import indicator, table, total_row
from webapp.observatory.scope import Scope
from webapp.observatory.tables import Column, Row, Table, fmt
from webapp.people.models import Person
from webapp.referrals.models import LonelinessMeasure
from webapp.referrals.scales import UCLA3, risk_level
from webapp.requests.models import Request
from webapp.shifts.models import Shift, ShiftStatus

NOT_RECORDED = ""
# A shift in these states is a service given or still to come.
SERVED_OR_BOOKED = (
    ShiftStatus.COMPLETED,
    ShiftStatus.OPEN,
    ShiftStatus.PROPOSED,
    ShiftStatus.CLAIMED,
    ShiftStatus.APPROVED,
    ShiftStatus.CONFIRMED,
)


@dataclass(frozen=True)
class RiskFact:
    person: int
    hood: str  # "" when not recorded
    served: bool  # a visit or ride delivered in the period or booked


def _high_by_measure(scope: Scope, until: datetime) -> set[int]:
    """Residents whose latest UCLA-3 measure taken before ``until`` rates high."""
    latest = (
        sa.select(
            LonelinessMeasure.person_id,
            LonelinessMeasure.score,
            LonelinessMeasure.direct,
            LonelinessMeasure.risk_factors,
            sa.func.row_number()
            .over(
                partition_by=LonelinessMeasure.person_id,
                order_by=(LonelinessMeasure.taken_at.desc(), LonelinessMeasure.id.desc()),
            )
            .label("n"),
        )
        .where(
            LonelinessMeasure.organisation_id == scope.org_id,
            LonelinessMeasure.scale == UCLA3,
            LonelinessMeasure.taken_at < until,
        )
        .subquery()
    )
    rows = db.session.execute(
        sa.select(latest.c.person_id, latest.c.score, latest.c.direct, latest.c.risk_factors).where(
            latest.c.n == 1
        )
    )
    return {
        pid
        for pid, score, direct, factors in rows
        if risk_level(score, direct, factors or []).level == "high"
    }


def _open_alerts(scope: Scope, until: datetime) -> set[int]:
    """Residents with an alert raised before ``until`` and not handled by then."""
    return set(
        db.session.scalars(
            sa.select(Alert.person_id)
            .where(
                Alert.organisation_id == scope.org_id,
                Alert.raised_at < until,
                sa.or_(Alert.handled_at.is_(None), Alert.handled_at >= until),
            )
            .distinct()
        )
    )


@source("residents_at_risk")
def load_residents_at_risk(scope: Scope) -> list[RiskFact]:
    until = datetime.combine(scope.end + timedelta(days=1), time.min, tzinfo=UTC)
    at_risk = _high_by_measure(scope, until) | _open_alerts(scope, until)
    if not at_risk:
        return []
    # Only the few at risk are looked up (not every resident, nor a year of shifts).
    wanted = sorted(at_risk)
    query = sa.select(Person.id, Person.neighbourhood).where(
        Person.organisation_id == scope.org_id,
        Person.is_resident.is_(True),
        Person.erased_at.is_(None),
        Person.id.in_(wanted),
    )
    if scope.neighbourhood is not None:
        query = query.where(Person.neighbourhood == scope.neighbourhood)
    homes: dict[int, str | None] = {pid: hood for pid, hood in db.session.execute(query)}
    if not homes:
        return []
    served = set(
        db.session.scalars(
            sa.select(Request.resident_id)
            .join(Shift, Shift.request_id == Request.id)
            .where(
                Request.organisation_id == scope.org_id,
                Request.resident_id.in_(list(homes)),
                Shift.occurrence_date >= scope.start,
                Shift.status.in_(SERVED_OR_BOOKED),
            )
            .distinct()
        )
    )
    return [RiskFact(pid, hood or NOT_RECORDED, pid in served) for pid, hood in homes.items()]


AT_RISK = Column("at_risk", lambda: _l("Residents at high risk"))
UNSERVED = Column("unserved", lambda: _l("At high risk with no service"))


def _summary(t: Table) -> str | None:
    if t.total is None:
        return None
    return _(
        "At the end of the period %(risk)s residents were at high risk (a high loneliness "
        "rating or an open alert); %(unserved)s of them had no visit or ride, given or booked.",
        risk=fmt(t.total.shown("at_risk"), "people"),
        unserved=fmt(t.total.shown("unserved"), "people"),
    )


@indicator("risk_by_neighbourhood", "demand", chart="bar", order=30, summary=_summary)
def risk_by_neighbourhood(facts: Facts) -> Table:
    facts_ = facts.get("residents_at_risk")
    hoods: dict[str, list[RiskFact]] = {}
    for f in facts_:
        hoods.setdefault(f.hood, []).append(f)

    def row(key: str, label: str, people: list[RiskFact]) -> Row:
        unserved = sum(1 for f in people if not f.served)
        return Row(key, label, {"at_risk": len(people), "unserved": unserved}, len(people))

    rows = [
        row(h, h or str(_l("Not recorded")), hoods[h])
        for h in sorted(hoods, key=lambda h: (h == NOT_RECORDED, h))
    ]
    whole = row("total", "", facts_)
    return table(
        "risk_by_neighbourhood",
        str(_l("Residents at high risk with no service, by neighbourhood")),
        str(_l("Neighbourhood")),
        [AT_RISK, UNSERVED],
        rows,
        total_row(whole.values, whole.basis),
        str(
            _l(
                "At high risk at the end of the period: the latest UCLA-3 measure rates high "
                "(lonely often or always, or lonely with two or more risk factors), or an "
                "alert was still open. No service: no visit or ride delivered in the period "
                "nor booked for later. Activities are not counted; the service filter does "
                "not apply."
            )
        ),
    )
