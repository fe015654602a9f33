"""The observatory's monthly summary: the facts of every whole month before ``through``,
as the live queries compute them (``monthly.py``), so that a year of a town is a few
thousand rows to read instead of the shifts, assignments and ledger scanned five times.

Distinct people cannot be summed across months, so who was counted is kept per person
as a bit mask of months (60 months to a row, five years), not as a count; everything
additive (services, minutes, continuity) is kept per month. Ids, months, kinds and
statuses only: no name, no address. Written only by ``summary.refresh`` (the nightly job
and ``flask observatory refresh``); the page says "figures as of ``refreshed_at``".
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import Model


def _org() -> sa.ForeignKey:
    return sa.ForeignKey("organisation.id", ondelete="CASCADE")


class ObservatoryRefresh(Model):
    """One row per organisation: when its summary was last computed and up to where."""

    __tablename__ = "observatory_refresh"

    organisation_id: Mapped[int] = mapped_column(_org(), primary_key=True)
    refreshed_at: Mapped[datetime] = mapped_column()
    # The first day of the first month not in the summary (the month the refresh ran
    # in): months before it are read from the summary, this one and later live.
    through: Mapped[date] = mapped_column(sa.Date)

    def __repr__(self) -> str:
        return f"<ObservatoryRefresh org={self.organisation_id} through={self.through}>"


class ObservatoryCount(Model):
    """Additive figures per month: ``fact`` "service" (services and minutes per
    outcome), "given" (volunteers' minutes, services given and how many of them by a
    volunteer who had served that resident before), "transfer" (minutes per kind)."""

    __tablename__ = "observatory_count"
    __table_args__ = (sa.Index("ix_observatory_count_org_month", "organisation_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(_org())
    month: Mapped[date] = mapped_column(sa.Date)  # its first day
    fact: Mapped[str] = mapped_column(sa.String(20))
    service: Mapped[str] = mapped_column(sa.String(20))  # visit / ride, or a transfer kind
    outcome: Mapped[str] = mapped_column(sa.String(20), default="")
    hood: Mapped[str] = mapped_column(sa.String(120), default="")
    count: Mapped[int] = mapped_column(default=0)
    minutes: Mapped[float] = mapped_column(sa.Float, default=0.0)
    known: Mapped[int] = mapped_column(default=0)  # by a volunteer known before (any service)
    known_same: Mapped[int] = mapped_column(default=0)  # ... known from the same service


class ObservatoryPeople(Model):
    """Who was counted, by month: ``fact`` "resident" (a service's resident, per
    outcome), "assisted" (a resident given a completed service by a volunteer),
    "volunteer" (gave a completed service), "member" (in a ledger transfer, per kind)."""

    __tablename__ = "observatory_people"
    __table_args__ = (
        sa.Index("ix_observatory_people_org_span", "organisation_id", "span", "fact"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(_org())
    # Months ``60 * span`` to ``60 * span + 59`` (a month's number: year * 12 + month - 1).
    span: Mapped[int] = mapped_column()
    fact: Mapped[str] = mapped_column(sa.String(20))
    person_id: Mapped[int] = mapped_column()  # an id only; no foreign key: history
    service: Mapped[str] = mapped_column(sa.String(20))
    outcome: Mapped[str] = mapped_column(sa.String(20), default="")
    hood: Mapped[str] = mapped_column(sa.String(120), default="")
    months: Mapped[int] = mapped_column(sa.BigInteger)  # bit i: counted in month 60 * span + i


class ObservatoryFirst(Model):
    """First completed service before ``through``: ``kind`` "resident" (per resident and
    service: who is newly reached) or "pair" (per resident, volunteer and service:
    whether a volunteer had served that resident before, for the live month)."""

    __tablename__ = "observatory_first"
    __table_args__ = (
        sa.Index(
            "ix_observatory_first_lookup",
            "organisation_id",
            "kind",
            "resident_id",
            "volunteer_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(_org())
    kind: Mapped[str] = mapped_column(sa.String(20))
    resident_id: Mapped[int] = mapped_column()
    volunteer_id: Mapped[int] = mapped_column(default=0)  # 0 for kind "resident"
    service: Mapped[str] = mapped_column(sa.String(20))
    first_day: Mapped[date] = mapped_column(sa.Date)
