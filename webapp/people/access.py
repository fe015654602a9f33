"""Loading a person for a view: 404 for another organisation's ids (their existence is not
revealed), 403 for someone of one's own organisation the user may not see or manage; and
the person behind the current login."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload

from webapp.auth.models import User
from webapp.extensions import db
from webapp.people.models import Person
from webapp.permissions import can_manage_person, can_view_person, same_organisation


def get_person_or_404(person_id: int, for_user: User, manage: bool = False) -> Person:
    person = db.session.get(Person, person_id)
    if person is None or not same_organisation(for_user, person):
        abort(404)
    allowed = can_manage_person(for_user, person) if manage else can_view_person(for_user, person)
    if not allowed:
        abort(403)
    return person


def me() -> Person:
    """The person behind the current login (members only)."""
    # With the volunteer profile (none for a resident) in the same statement: the
    # volunteer's pages read it at once (the board, the schedule).
    person = db.session.get(Person, current_user.person_id, options=[joinedload(Person.volunteer)])
    if person is None:  # a login without a person is no member: the role check refuses it
        abort(403)
    return person
