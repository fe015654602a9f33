"""A ride with a return is two shifts (legs) sharing ``group_key``; a visit is a group of
one. Every feature that handles groups (claims, the board, payments, jobs, the solver's
rides) finds and orders them here, so "a group" means the same thing everywhere."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from webapp.core.locks import is_postgres
from webapp.extensions import db
from webapp.shifts.models import Shift


def group_of(shift: Shift, *, lock: bool = False) -> list[Shift]:
    """All legs sharing ``shift.group_key`` (earliest first); with ``lock``, FOR UPDATE."""
    query = sa.select(Shift).where(Shift.group_key == shift.group_key).order_by(Shift.starts_at)
    if lock and is_postgres():
        query = query.with_for_update().execution_options(populate_existing=True)
    legs = list(db.session.scalars(query))
    if lock:
        for leg in legs:
            db.session.expire(leg, ["assignments"])
    return legs


def by_group(shifts: Iterable[Shift]) -> list[list[Shift]]:
    """``shifts`` grouped by ride (legs in time order), groups in order of their first leg."""
    groups: dict[str, list[Shift]] = {}
    for s in sorted(shifts, key=lambda s: (s.starts_at, s.id)):
        groups.setdefault(s.group_key, []).append(s)
    return list(groups.values())


def first_legs(shifts: Iterable[Shift]) -> list[Shift]:
    """One shift per group, the earliest (a ride's legs are booked, released and paid
    together, so jobs act on the first and let the operations move both)."""
    return [legs[0] for legs in by_group(shifts)]
