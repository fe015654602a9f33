"""Referrals (issue 17): the path to help per referral source and per period: received,
contacted, assessed, helped, and the median days from the referral to the first contact
and to the first help. Referrals are counted by the day they were received (a cohort:
a January referral contacted in February counts in January)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.extensions import db
from webapp.observatory.facts import Facts, source
from webapp.observatory.indicators import (
    indicator,
    median,
    period_dimension,
    period_rows,
    table,
    total_row,
)
from webapp.observatory.scope import Scope
from webapp.observatory.tables import Column, Row, Table, Value, fmt
from webapp.people.models import Person
from webapp.referrals.models import Referral, SourceKind
from webapp.referrals.timeline import source_label

STEPS = ("received", "contacted", "assessed", "helped")


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes for aware UTC columns.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _days(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else (_utc(end) - _utc(start)).total_seconds() / 86400


@dataclass(frozen=True)
class ReferralFact:
    day: date  # received (UTC day)
    source: str
    person: int  # the resident's id; an unidentified person is -(referral id)
    contacted: float | None  # days from the referral to the first contact
    assessed: bool
    helped: float | None  # days to the first help


@source("referrals")
def load_referrals(scope: Scope) -> list[ReferralFact]:
    query = (
        sa.select(
            Referral.id,
            Referral.created_at,
            Referral.source_kind,
            Referral.person_id,
            Referral.first_contact_at,
            Referral.assessed_at,
            Referral.first_help_at,
        )
        .outerjoin(Person, Person.id == Referral.person_id)
        .where(
            Referral.organisation_id == scope.org_id,
            Referral.created_at >= datetime.combine(scope.start, time.min, tzinfo=UTC),
            Referral.created_at
            < datetime.combine(scope.end + timedelta(days=1), time.min, tzinfo=UTC),
        )
    )
    if scope.neighbourhood is not None:
        query = query.where(Person.neighbourhood == scope.neighbourhood)
    return [
        ReferralFact(
            _utc(created).date(),
            SourceKind(kind).value,
            person if person is not None else -rid,
            _days(created, contact),
            assessed is not None,
            _days(created, helped),
        )
        for rid, created, kind, person, contact, assessed, helped in db.session.execute(query)
    ]


COLUMNS = [
    Column("received", lambda: _l("Referrals received"), "count"),
    Column("contacted", lambda: _l("Contacted"), "count"),
    Column("assessed", lambda: _l("Assessed"), "count"),
    Column("helped", lambda: _l("Helped"), "count"),
    Column("contact_days", lambda: _l("Median days to first contact"), "days", additive=False),
    Column("help_days", lambda: _l("Median days to first help"), "days", additive=False),
]


class _Funnel:
    """The funnel of the referrals grouped by ``key`` (and a "total" group)."""

    def __init__(self, facts: list[ReferralFact], key: Callable[[ReferralFact], str]) -> None:
        self.count: dict[tuple[str, str], int] = defaultdict(int)
        self.people: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.waits: dict[tuple[str, str], list[float]] = defaultdict(list)
        for f in facts:
            for g in (key(f), "total"):
                reached = {
                    "received": True,
                    "contacted": f.contacted is not None,
                    "assessed": f.assessed,
                    "helped": f.helped is not None,
                }
                for step, yes in reached.items():
                    if yes:
                        self.count[(g, step)] += 1
                        self.people[(g, step)].add(f.person)
                if f.contacted is not None:
                    self.waits[(g, "contact_days")].append(f.contacted)
                if f.helped is not None:
                    self.waits[(g, "help_days")].append(f.helped)

    def values(self, g: str) -> dict[str, Value]:
        out: dict[str, Value] = {s: self.count[(g, s)] for s in STEPS}
        out["contact_days"] = median(self.waits[(g, "contact_days")])
        out["help_days"] = median(self.waits[(g, "help_days")])
        return out

    def basis(self, g: str) -> int:
        return len(self.people[(g, "received")])

    def bases(self, g: str) -> dict[str, int]:
        out = {s: len(self.people[(g, s)]) for s in STEPS}
        out["contact_days"] = out["contacted"]
        out["help_days"] = out["helped"]
        return out

    def row(self, g: str, label: str) -> Row:
        return Row(g, label, self.values(g), self.basis(g), self.bases(g))

    def total(self) -> Row:
        return total_row(self.values("total"), self.basis("total"), self.bases("total"))


def _summary(t: Table) -> str | None:
    if t.total is None:
        return None
    return _(
        "%(received)s referrals were received; %(contacted)s of them were contacted, after "
        "a median of %(contact)s days, and %(helped)s were helped, after a median of "
        "%(help)s days.",
        received=fmt(t.total.shown("received"), "count"),
        contacted=fmt(t.total.shown("contacted"), "count"),
        contact=fmt(t.total.shown("contact_days"), "days"),
        helped=fmt(t.total.shown("helped"), "count"),
        help=fmt(t.total.shown("help_days"), "days"),
    )


NOTE = _l(
    "Referrals by the day they were received; the steps may come later. Referrals ignore "
    "the service filter; a neighbourhood counts only referrals already linked to a resident."
)


@indicator("referrals_by_source", "referrals", chart="bar", order=10, summary=_summary)
def referrals_by_source(facts: Facts) -> Table:
    funnel = _Funnel(facts.get("referrals"), lambda f: f.source)
    rows = [funnel.row(kind.value, source_label(kind)) for kind in SourceKind]
    return table(
        "referrals_by_source",
        str(_l("Referrals by source: the path to help")),
        str(_l("Source")),
        COLUMNS,
        rows,
        funnel.total(),
        str(NOTE),
    )


@indicator("referrals_by_period", "referrals", chart="line", order=20)
def referrals_by_period(facts: Facts) -> Table:
    scope = facts.scope
    funnel = _Funnel(facts.get("referrals"), lambda f: scope.bucket(f.day))
    return table(
        "referrals_by_period",
        str(_l("Referrals by period: the path to help")),
        period_dimension(scope),
        COLUMNS,
        period_rows(scope, funnel.values, funnel.basis, funnel.bases),
        funnel.total(),
        str(NOTE),
    )
