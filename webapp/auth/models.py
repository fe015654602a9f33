"""Accounts, server-side login sessions and login throttling state."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import utcnow
from webapp.extensions import Model


class Role(enum.StrEnum):
    ADMIN = "admin"  # creates organisations and their first coordinator
    COORDINATOR = "coordinator"  # runs one organisation
    MEMBER = "member"  # volunteer, neighbour or resident with a login
    OBSERVER = "observer"  # a partner or council member: reads the observatory, nothing else


class User(UserMixin, Model):
    """A login. Residents registered by phone have a Person but no User."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id", ondelete="SET NULL"), unique=True
    )
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(
        sa.Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    active: Mapped[bool] = mapped_column(default=True)
    # Set while the person's volunteering is suspended (people/vetting.py): the login
    # stops working everywhere (sessions, reset links, API tokens) until reinstated.
    suspended: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Set with a temporary password read out by a coordinator: until the member chooses
    # their own, every page leads to "Change password" (someone else has heard it).
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    # How pages name a login with no person record (an observer: "Ada Verdi, council").
    display_name: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation = relationship("Organisation")
    person = relationship("Person", back_populates="user", foreign_keys=[person_id])

    # Flask-Login asks for the *session* id (see LoginSession), not the user id, so
    # that a logout can revoke exactly one session server-side. Set per request by the
    # user loader; not a column, so typed for the checker only (an annotation the ORM
    # sees must be Mapped[]).
    if TYPE_CHECKING:
        current_session_id: str | None
    current_session_id = None

    def get_id(self) -> str | None:
        return self.current_session_id

    @property
    def is_active(self) -> bool:
        """May this login be used at all (sessions, reset links, API tokens)."""
        return self.active and not self.suspended

    @property
    def is_staff(self) -> bool:
        """Coordinators and admins: they read every resident's record."""
        return self.role in (Role.ADMIN, Role.COORDINATOR)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email!r} {self.role.value}>"


class LoginSession(Model):
    """One row per logged-in browser. Logout deletes it, so a copied cookie dies too."""

    __tablename__ = "login_session"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(300))

    user = relationship("User")


class SecondFactor(Model):
    """A login's TOTP authenticator (RFC 6238). ``enabled_at`` is set once the user has
    typed a first code from it; until then it is an enrolment in progress."""

    __tablename__ = "second_factor"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str] = mapped_column(sa.String(64))
    enabled_at: Mapped[datetime | None] = mapped_column()
    # The last 30-second step a code was accepted for: the same code cannot be used twice.
    last_step: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecoveryCode(Model):
    """A one-time code for when the phone with the authenticator is lost (SHA-256 kept:
    the codes are random, 50 bits each, so a slow hash would add nothing)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None] = mapped_column()


class LoginThrottle(Model):
    """Failure counter for one key (``account:<email>`` or ``ip:<address>``).

    Kept in the database, updated atomically, so the delay holds across web workers.
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column()
