"""Places: the municipality's gazetteer and the cache of every lookup."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import utcnow
from webapp.extensions import Model


class GazetteerEntry(Model):
    """One known address of an organisation's area (imported from a CSV)."""

    __tablename__ = "gazetteer_entry"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(sa.String(300))  # normalised address, see normalise()
    address: Mapped[str] = mapped_column(sa.String(300))
    lat: Mapped[float] = mapped_column(sa.Float)
    lon: Mapped[float] = mapped_column(sa.Float)
    neighbourhood: Mapped[str | None] = mapped_column(sa.String(120))


class GeocodeCache(Model):
    """Every successful lookup, so that an address is resolved at most once."""

    __tablename__ = "geocode_cache"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(sa.String(300))
    address: Mapped[str] = mapped_column(sa.String(300))
    lat: Mapped[float] = mapped_column(sa.Float)
    lon: Mapped[float] = mapped_column(sa.Float)
    neighbourhood: Mapped[str | None] = mapped_column(sa.String(120))
    source: Mapped[str] = mapped_column(sa.String(20))  # gazetteer / nominatim / manual
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
