"""Loaders for shift pages: a shift of the user's organisation, or one the volunteer holds."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy.orm import aliased

from webapp.auth.models import User
from webapp.db import read_columns
from webapp.extensions import db
from webapp.permissions import get_in_org_or_404
from webapp.shifts.models import Assignment, Shift


def get_shift_or_404(shift_id: int, for_user: User | None = None) -> Shift:
    return get_in_org_or_404(Shift, shift_id, for_user or current_user)


def get_my_shift_or_404(shift_id: int) -> Shift:
    """A shift the current volunteer holds (403 if it is someone else's in the org)."""
    shift = get_shift_or_404(shift_id)
    if current_user.person_id not in shift.volunteer_ids:
        abort(403)
    return shift


def _my_legs() -> sa.Select[*tuple[Any, ...]]:
    asked = aliased(Shift)

    def of_asked(column: Any) -> Any:
        return sa.select(column).where(asked.id == sa.bindparam("shift_id")).scalar_subquery()

    route = of_asked(asked.route_id)
    mine = sa.exists().where(
        Assignment.shift_id == sa.bindparam("shift_id"),
        Assignment.volunteer_id == sa.bindparam("person_id"),
    )
    # The unit as legs.group_of finds it (its route's legs, else its ride's), each side
    # an index read: PostgreSQL reads the asked shift's route and group once.
    return (
        sa.select(
            Shift.id,
            Shift.organisation_id,
            Shift.kind,
            Shift.starts_at,
            Shift.ends_at,
            mine.label("mine"),
        )  # fmt: skip
        .where(
            sa.or_(
                Shift.route_id == route,
                sa.and_(route.is_(None), Shift.group_key == of_asked(asked.group_key)),
            )
        )
        .order_by(Shift.starts_at, Shift.id)
    )


# Built once: read at every view of the check-in form.
_MY_LEGS = _my_legs()


def my_legs_or_404(shift_id: int) -> list[Any]:
    """The legs booked with a shift the current volunteer holds, earliest first, as rows
    (``id``, ``organisation_id``, ``kind``, ``starts_at``, ``ends_at``): what a page
    about the unit shows, in one statement. 404 and 403 as :func:`get_my_shift_or_404`."""
    params = {"shift_id": shift_id, "person_id": current_user.person_id}
    legs = list(read_columns(db.session(), _MY_LEGS, params))
    if not legs or legs[0].organisation_id != current_user.organisation_id:
        abort(404)
    if not legs[0].mine:
        abort(403)
    return legs
