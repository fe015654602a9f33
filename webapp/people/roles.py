"""Roles after sign-up: a volunteer who later needs help, a resident who starts to give,
and taking a role away. Operations flush; the view commits.

Adding a role adds its profile (a new volunteer starts pending: vetting as for anyone).
Removing one deletes its profile (the credentials stay with the person, so checks are not
lost if they come back) and announces ``role_changed``: the requests feature then releases
the volunteer's future shifts or cancels the resident's requests, in the same transaction.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _

from webapp.auth.models import User
from webapp.core.errors import FieldError
from webapp.db import utcnow
from webapp.extensions import db
from webapp.people.models import Person, ResidentProfile, VolunteerProfile, VolunteerStatus
from webapp.people.signals import role_changed

ROLES = ("volunteer", "resident")


def add_role(person: Person, role: str, actor: User | None, *, consent: bool = False) -> None:
    """``volunteer``: a pending profile (visits, 5 km, 2 hours a week until edited);
    ``resident``: a profile with consent taken by phone (``consent`` must be True)."""
    if role == "volunteer":
        if person.volunteer is not None and person.is_volunteer:
            raise FieldError("role", _("%(name)s already volunteers.", name=person.full_name))
        person.is_volunteer = True
        if person.volunteer is None:
            person.volunteer = VolunteerProfile(
                offers_visits=True, max_km=5.0, hours_per_week=2.0, status=VolunteerStatus.PENDING
            )
    elif role == "resident":
        if person.resident is not None and person.is_resident:
            raise FieldError("role", _("%(name)s already receives help.", name=person.full_name))
        if not consent:
            raise FieldError("consent", _("Ask for consent and tick the box before saving."))
        person.is_resident = True
        if person.resident is None:
            person.resident = ResidentProfile(
                wants_visits=True,
                consent_given_at=utcnow(),
                consent_method="phone",
                consent_recorded_by_id=getattr(actor, "id", None),
            )
    else:
        raise FieldError("role", _("Unknown role."))
    db.session.flush()
    role_changed.send(person, role=role, added=True, actor=actor)


def remove_role(person: Person, role: str, actor: User | None) -> None:
    """Take ``role`` away; what it held lets go (see the module's docstring)."""
    if role == "volunteer":
        if person.volunteer is None:
            raise FieldError("role", _("%(name)s does not volunteer.", name=person.full_name))
        if person.resident is None:
            raise FieldError("role", _("A person keeps at least one role: add the other first."))
        role_changed.send(person, role=role, added=False, actor=actor)
        person.is_volunteer = False
        person.volunteer = None  # delete-orphan: the profile goes, the credentials stay
    elif role == "resident":
        if person.resident is None:
            raise FieldError("role", _("%(name)s does not receive help.", name=person.full_name))
        if person.volunteer is None:
            raise FieldError("role", _("A person keeps at least one role: add the other first."))
        role_changed.send(person, role=role, added=False, actor=actor)
        person.is_resident = False
        person.resident = None
    else:
        raise FieldError("role", _("Unknown role."))
    db.session.flush()
