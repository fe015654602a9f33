"""Observers: read-only logins for the council's members and the partners, who see the
organisation's observatory and nothing else (``permissions.is_observer``). Its
coordinators add them on the observers page (``observer_views.py``; the CLI
``flask org add-observer`` does the same for a deployment's admin) and remove them.

Adding one creates the login with a random password nobody knows and e-mails an
invitation holding a "choose your password" link: the same signed single-use link as
"Forgot your password?" (``auth.tokens``), so nothing new is trusted. Removing one
deactivates the login (kept for the audit log) and ends its sessions at once; adding
the same address again brings it back with a new invitation.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from webapp.audit.operations import record
from webapp.auth import sessions, signals, tokens
from webapp.auth.models import Role, User
from webapp.auth.passwords import hash_password
from webapp.core.errors import FieldError
from webapp.extensions import db
from webapp.notifications.operations import enqueue_login_email
from webapp.orgs.models import Organisation

INVITATION = "observer_invitation"
# One "@", something either side, a dot in the domain, no spaces: the mail server is
# the real check; this catches the typing slip before an invitation goes nowhere.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def list_observers(org_id: int) -> list[User]:
    """The organisation's observers who can log in, by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.organisation_id == org_id,
                User.role == Role.OBSERVER,
                User.active.is_(True),
            )
            .order_by(sa.func.lower(sa.func.coalesce(User.display_name, User.email)), User.id)
        )
    )


def _checked(name: str, email: str) -> tuple[str, str]:
    name, email = (name or "").strip(), (email or "").strip().lower()
    errors = {}
    if not name:
        errors["name"] = _("Type the observer's name.")
    elif len(name) > 200:
        errors["name"] = _("Use at most 200 characters.")
    if not email:
        errors["email"] = _("Type the observer's e-mail address.")
    elif len(email) > 254 or not _EMAIL.match(email):
        errors["email"] = _("Type an e-mail address like name@example.org.")
    if errors:
        raise FieldError(errors)
    return name, email


def add_observer(
    org: Organisation, name: str, email: str, by: User, link_for: Callable[[str], str]
) -> User:
    """Create (or bring back) the observer and queue their invitation. ``link_for(token)``
    builds the absolute "choose your password" link. Raises ``FieldError`` naming
    ``name`` or ``email``."""
    name, email = _checked(name, email)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is not None:
        returning = (
            user.role == Role.OBSERVER and user.organisation_id == org.id and not user.active
        )
        if not returning:
            raise FieldError(
                "email", _("This e-mail address already has a Ponte account: use another.")
            )
        user.active = True
        user.display_name = name
        # A new random password: an old one (or an old link) must not work again.
        user.password_hash = hash_password(secrets.token_urlsafe(32))
    else:
        user = User(
            email=email,
            password_hash=hash_password(secrets.token_urlsafe(32)),
            role=Role.OBSERVER,
            organisation_id=org.id,
            display_name=name,
        )
        db.session.add(user)
    db.session.flush()
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    enqueue_login_email(
        user,
        INVITATION,
        {
            "name": name,
            "email": email,
            "org": org.name,
            "link": link_for(tokens.make_token(user)),
            "minutes": minutes,
        },
    )
    record(
        "observer.added",
        actor=by,
        organisation_id=org.id,
        target=f"user:{user.id}",
        changes={"email": [None, email]},
    )
    return user


def find_observer(org_id: int, user_id: int) -> User | None:
    """The organisation's active observer with this id, else None (the view 404s)."""
    user = db.session.get(User, user_id)
    if (
        user is None
        or user.organisation_id != org_id
        or user.role != Role.OBSERVER
        or not user.active
    ):
        return None
    return user


def remove_observer(user: User, by: User) -> None:
    """Deactivate the login: every session ends now, the e-mail link stops working."""
    user.active = False
    sessions.end_all_sessions(user)
    signals.access_revoked.send(user, reason="removed")
    record(
        "observer.removed",
        actor=by,
        organisation_id=user.organisation_id,
        target=f"user:{user.id}",
        changes={"active": [True, False]},
    )
