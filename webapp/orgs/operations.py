"""Creating organisations and their first coordinator (operations flush; callers commit)."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from webapp.auth.models import Role, User
from webapp.auth.operations import email_taken
from webapp.auth.passwords import MIN_LENGTH, hash_password
from webapp.core.errors import FieldError
from webapp.extensions import db
from webapp.orgs.models import Organisation, OrganisationSettings


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]


def create_organisation(
    name: str,
    slug: str | None = None,
    *,
    timezone: str = "Europe/Rome",
    centre: tuple[float, float] | None = None,
) -> Organisation:
    name = name.strip()
    if not name:
        raise FieldError("name", "the organisation needs a name")
    slug = slug or slugify(name)
    exists = db.session.scalar(
        sa.select(Organisation).where((Organisation.name == name) | (Organisation.slug == slug))
    )
    if exists:
        raise FieldError("name", f"an organisation named {name!r} or with slug {slug!r} exists")
    org = Organisation(
        name=name,
        slug=slug,
        timezone=timezone,
        centre_lat=centre[0] if centre else None,
        centre_lon=centre[1] if centre else None,
    )
    db.session.add(org)
    db.session.flush()
    return org


def create_user(
    email: str,
    password: str,
    role: Role,
    organisation: Organisation | None,
    person_id: int | None = None,
) -> User:
    email = email.strip().lower()
    if email_taken(email):
        raise FieldError("email", f"{email} is already used by another account")
    if len(password) < MIN_LENGTH:
        raise FieldError("password", f"use at least {MIN_LENGTH} characters")
    if role != Role.ADMIN and organisation is None:
        raise FieldError("organisation", "every non-admin account belongs to an organisation")
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        organisation_id=organisation.id if organisation else None,
        person_id=person_id,
    )
    db.session.add(user)
    db.session.flush()
    return user


def set_resident_check(row: OrganisationSettings, on: bool, understood: bool) -> None:
    """Turn the check of residents who sign up online on or off. Off only knowingly:
    ``understood`` must be ticked, since volunteers may then be sent to addresses nobody
    has checked."""
    if row.check_online_residents and not on and not understood:
        raise FieldError(
            "understand_unchecked",
            _(
                "Tick this box to confirm that you understand what turning the check off "
                "means, or leave the check on."
            ),
        )
    row.check_online_residents = on
    db.session.flush()
