"""Scheduled jobs (thin, idempotent; each commits once). The scheduler feature calls these:

- ``extend_horizons()`` daily: creates the shifts of recurring requests for the rolling
  horizon (default 4 weeks) of every organisation.
- ``mark_unfilled()`` every few minutes: shifts whose start passed with nobody approved
  become ``unfilled`` (so the coordinator's day view and the statistics see unmet demand).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from webapp.extensions import db
from webapp.orgs.models import Organisation
from webapp.shifts import operations
from webapp.shifts.planning import extend_horizon


def _org_ids() -> list[int]:
    return list(db.session.scalars(sa.select(Organisation.id).order_by(Organisation.id)))


def extend_horizons(now: datetime | None = None) -> int:
    created = sum(extend_horizon(org_id, now=now) for org_id in _org_ids())
    db.session.commit()
    return created


def mark_unfilled(now: datetime | None = None) -> int:
    count = sum(operations.mark_unfilled(org_id, now) for org_id in _org_ids())
    db.session.commit()
    return count
