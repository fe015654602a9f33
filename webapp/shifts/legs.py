"""A ride with a return is two shifts (legs) sharing ``group_key``; a visit is a group of
one; a shared ride is a route (``route_id``): the legs of several passengers driven by
one driver, booked, confirmed, completed and paid as one unit. Every feature that
handles groups (claims, the board, payments, jobs, the solver's rides) finds and orders
them here, so "a group" means the same thing everywhere."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from webapp.core.locks import is_postgres
from webapp.extensions import db
from webapp.shifts.models import Shift


def group_of(shift: Shift, *, lock: bool = False) -> list[Shift]:
    """All legs booked with ``shift`` (earliest first): its route's legs when it is part
    of a shared ride, else the legs sharing its ``group_key``; with ``lock``, FOR UPDATE."""
    if shift.route_id is not None:
        query = sa.select(Shift).where(Shift.route_id == shift.route_id)
    else:
        query = sa.select(Shift).where(Shift.group_key == shift.group_key)
    query = query.order_by(Shift.starts_at, Shift.id)
    if lock and is_postgres():
        query = query.with_for_update().execution_options(populate_existing=True)
    legs = list(db.session.scalars(query))
    if lock:
        for leg in legs:
            db.session.expire(leg, ["assignments"])
    return legs


def ride_of(shift: Shift) -> list[Shift]:
    """One passenger's own legs (``group_key``), even inside a shared route: what a
    cancellation or a passenger's no-show concerns."""
    query = sa.select(Shift).where(Shift.group_key == shift.group_key)
    return list(db.session.scalars(query.order_by(Shift.starts_at, Shift.id)))


def unit_key(shift: Shift) -> str:
    return f"route:{shift.route_id}" if shift.route_id is not None else shift.group_key


def by_group(shifts: Iterable[Shift]) -> list[list[Shift]]:
    """``shifts`` grouped by booked unit (legs in time order), groups in order of their
    first leg. (Rows with a shift's ``id``, ``starts_at``, ``route_id`` and ``group_key``
    do as well: ``shifts/schedule.py``.)"""
    groups: dict[str, list[Shift]] = {}
    for s in sorted(shifts, key=lambda s: (s.starts_at, s.id)):
        groups.setdefault(unit_key(s), []).append(s)
    return list(groups.values())


def first_legs(shifts: Iterable[Shift]) -> list[Shift]:
    """One shift per group, the earliest (a ride's legs are booked, released and paid
    together, so jobs act on the first and let the operations move both)."""
    return [legs[0] for legs in by_group(shifts)]
