"""Who may do what: named predicates, decorators and object loaders.

Every view checks at one fixed point: a decorator for the role, then an object loader
that 404s for another organisation's ids (their existence is not revealed) and 403s
for a forbidden object of one's own organisation.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import abort
from flask.typing import ResponseReturnValue
from flask_login import current_user

from webapp.auth.models import Role, User
from webapp.extensions import db, login_manager

P = ParamSpec("P")
R = TypeVar("R")


def is_admin(user: User) -> bool:
    return user.is_authenticated and user.role == Role.ADMIN


def is_coordinator(user: User) -> bool:
    return user.is_authenticated and user.role == Role.COORDINATOR


def is_member(user: User) -> bool:
    return user.is_authenticated and user.role == Role.MEMBER and user.person is not None


def is_volunteer(user: User) -> bool:
    """A member who volunteers (or helps as a neighbour) and has a volunteer profile."""
    return is_member(user) and user.person.is_volunteer and user.person.volunteer is not None


def is_resident(user: User) -> bool:
    """A member who may ask for visits and rides (a resident or a neighbour)."""
    return is_member(user) and (user.person.is_resident or user.person.is_neighbour)


def is_observer(user: User) -> bool:
    """A partner or council member of one organisation: reads its observatory only."""
    return (
        user.is_authenticated and user.role == Role.OBSERVER and user.organisation_id is not None
    )


def can_see_observatory(user: User) -> bool:
    """The observatory's aggregates: its coordinators and its observers."""
    return is_coordinator(user) or is_observer(user)


def same_organisation(user: User, obj: Any) -> bool:
    return (
        user.organisation_id is not None
        and getattr(obj, "organisation_id", None) == user.organisation_id
    )


def can_manage_person(user: User, person: Any) -> bool:
    return is_coordinator(user) and same_organisation(user, person)


def can_view_person(user: User, person: Any) -> bool:
    return can_manage_person(user, person) or (is_member(user) and user.person_id == person.id)


def can_change_request(user: User, req: Any) -> bool:
    """A coordinator of its organisation, or the resident it is for."""
    if is_coordinator(user):
        return same_organisation(user, req)
    return is_member(user) and req.resident_id is not None and req.resident_id == user.person_id


def require(
    predicate: Callable[[User], bool],
) -> Callable[[Callable[P, R]], Callable[P, R | ResponseReturnValue]]:
    """Decorator: 401 (login page) when anonymous, 403 when the predicate says no."""

    def decorator(view: Callable[P, R]) -> Callable[P, R | ResponseReturnValue]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R | ResponseReturnValue:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not predicate(current_user):
                abort(403)
            return view(*args, **kwargs)

        # Which predicate guards the view: the access matrix test reads it from the
        # route table (tests/security/test_access_matrix.py).
        wrapped.__dict__["required"] = predicate
        return wrapped

    return decorator


coordinator_required = require(is_coordinator)
admin_required = require(is_admin)
member_required = require(is_member)
volunteer_required = require(is_volunteer)
resident_required = require(is_resident)
observatory_required = require(can_see_observatory)


def get_in_org_or_404(model: type, obj_id: int, user: User) -> Any:
    """Load ``model`` by id; 404 unless it belongs to the user's organisation."""
    obj = db.session.get(model, obj_id)
    if obj is None or not same_organisation(user, obj):
        abort(404)
    return obj
