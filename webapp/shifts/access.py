"""Role predicates and loaders for shift pages."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from webapp.auth.models import User
from webapp.extensions import db
from webapp.permissions import get_in_org_or_404, is_member, require
from webapp.shifts.models import Shift


def is_volunteer(user: User) -> bool:
    return is_member(user) and user.person.is_volunteer and user.person.volunteer is not None


def is_resident(user: User) -> bool:
    return is_member(user) and (user.person.is_resident or user.person.is_neighbour)


volunteer_required = require(is_volunteer)
resident_required = require(is_resident)


def get_shift_or_404(shift_id: int, for_user: User | None = None) -> Shift:
    return get_in_org_or_404(Shift, shift_id, for_user or current_user)


def get_my_shift_or_404(shift_id: int) -> Shift:
    """A shift the current volunteer holds (403 if it is someone else's in the org)."""
    shift = get_shift_or_404(shift_id)
    if current_user.person_id not in shift.volunteer_ids:
        abort(403)
    return shift


def me():  # type: ignore[no-untyped-def]
    from webapp.people.models import Person

    return db.session.get(Person, current_user.person_id)
