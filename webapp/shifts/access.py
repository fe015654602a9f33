"""Loaders for shift pages: a shift of the user's organisation, or one the volunteer holds."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from webapp.auth.models import User
from webapp.permissions import get_in_org_or_404
from webapp.shifts.models import Shift


def get_shift_or_404(shift_id: int, for_user: User | None = None) -> Shift:
    return get_in_org_or_404(Shift, shift_id, for_user or current_user)


def get_my_shift_or_404(shift_id: int) -> Shift:
    """A shift the current volunteer holds (403 if it is someone else's in the org)."""
    shift = get_shift_or_404(shift_id)
    if current_user.person_id not in shift.volunteer_ids:
        abort(403)
    return shift
