"""Load the demo town: the organisation, its coordinators, then every registered step.

Everything happens in one transaction: a failing step leaves no half-built demo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from webapp.auth.models import Role, User
from webapp.auth.passwords import hash_password
from webapp.demo import steps  # noqa: F401  (registers every step)
from webapp.demo.logo import demo_logo
from webapp.demo.registry import DemoContext, all_steps
from webapp.extensions import db
from webapp.orgs.logo import save_logo
from webapp.orgs.models import Organisation
from webapp.orgs.operations import create_organisation
from webapp.people.models import Person, VolunteerProfile, VolunteerStatus

DEMO_NAME = "Comune di Isernia"
DEMO_SLUG = "isernia"
CENTRE = (41.5936, 14.2325)
# Shared by every demo account. DEMO ONLY: never load the demo into a real deployment.
DEMO_PASSWORD = "ponte-demo-2026"
COORDINATORS = (
    ("coordinatrice@isernia.example.org", "it"),
    ("coordinatore@isernia.example.org", "it"),
)
# A council member's read-only login: the observatory and nothing else (so a first run
# shows what an observer sees).
OBSERVER = ("osservatorio@isernia.example.org", "it", "Consiglio comunale di Isernia")


@dataclass(frozen=True)
class LoadResult:
    loaded: bool
    reason: str = ""
    steps: tuple[str, ...] = ()


def demo_organisation() -> Organisation | None:
    return db.session.scalar(sa.select(Organisation).where(Organisation.slug == DEMO_SLUG))


def load_demo(*, if_empty: bool = False, today: date | None = None) -> LoadResult:
    """Create the demo organisation and run every demo step (flushes; caller commits).

    Does nothing if the demo organisation exists, or, with ``if_empty``, if the
    database holds any organisation at all (so `make run` never mixes the demo into
    real data).
    """
    if demo_organisation() is not None:
        return LoadResult(False, "exists")
    if if_empty and db.session.scalar(sa.select(sa.func.count(Organisation.id))):
        return LoadResult(False, "not-empty")
    org = create_organisation(DEMO_NAME, DEMO_SLUG, timezone="Europe/Rome", centre=CENTRE)
    save_logo(org, demo_logo())
    password_hash = hash_password(DEMO_PASSWORD)  # slow on purpose: hash once, share it
    coordinators = []
    for email, locale in COORDINATORS:
        user = User(
            email=email,
            password_hash=password_hash,
            role=Role.COORDINATOR,
            organisation_id=org.id,
            locale=locale,
        )
        db.session.add(user)
        coordinators.append(user)
    email, locale, name = OBSERVER
    db.session.add(
        User(
            email=email,
            password_hash=password_hash,
            role=Role.OBSERVER,
            organisation_id=org.id,
            locale=locale,
            display_name=name,
        )
    )
    db.session.flush()
    ctx = DemoContext(org, coordinators, today or date.today(), password_hash)
    ordered = all_steps()
    for step in ordered:
        step.fn(ctx)
        db.session.flush()
    return LoadResult(True, steps=tuple(s.name for s in ordered))


def reset_demo() -> bool:
    """Delete the demo organisation and everything that belongs to it (database
    cascades). Returns False if there was none."""
    org = demo_organisation()
    if org is None:
        return False
    db.session.execute(sa.delete(Organisation).where(Organisation.id == org.id))
    db.session.expunge_all()
    return True


def demo_logins() -> list[tuple[str, str]]:  # (e-mail, translated label)
    """(e-mail, what the account shows) for the coordinators, a few members and the
    observers."""
    org = demo_organisation()
    if org is None:
        return []
    logins = [
        (u.email, str(_l("coordinator")))
        for u in db.session.scalars(
            sa.select(User)
            .where(User.organisation_id == org.id, User.role == Role.COORDINATOR)
            .order_by(User.id)
        )
    ]
    members = db.session.execute(
        sa.select(User.email, Person, VolunteerProfile)
        .join(Person, User.person_id == Person.id)
        .outerjoin(VolunteerProfile, VolunteerProfile.person_id == Person.id)
        .where(User.organisation_id == org.id)
        .order_by(Person.id)
    ).all()
    approved = VolunteerStatus.APPROVED
    wanted = [
        (
            _l("volunteer: home visits"),
            lambda p, v: (
                v is not None
                and p.is_volunteer
                and v.offers_visits
                and not v.offers_driving
                and v.status == approved
            ),
        ),
        (
            _l("volunteer: driver"),
            lambda p, v: (
                v is not None and p.is_volunteer and v.offers_driving and v.status == approved
            ),
        ),
        (
            _l("volunteer awaiting approval"),
            lambda p, v: v is not None and v.status == VolunteerStatus.PENDING,
        ),
        (_l("neighbour: gives and asks for help"), lambda p, v: p.is_neighbour),
        (_l("resident"), lambda p, v: v is None and p.is_resident),
    ]
    for label, test in wanted:
        for email, person, profile in members:
            if test(person, profile):
                logins.append((email, str(label)))
                break
    observers = db.session.scalars(
        sa.select(User.email)
        .where(
            User.organisation_id == org.id,
            User.role == Role.OBSERVER,
            User.active.is_(True),
        )
        .order_by(User.id)
    )
    logins += [(email, str(_l("observer: the observatory only"))) for email in observers]
    return logins
