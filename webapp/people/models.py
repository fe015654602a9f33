"""People and what they offer or need.

One Person may hold several roles at once (a neighbour both gives and asks for help).
Volunteering details live in :class:`VolunteerProfile`, needs in :class:`ResidentProfile`.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Mapped, mapped_column, relationship

from webapp.db import sql_constant, utcnow
from webapp.extensions import Model


def _enum(e: type[enum.Enum], length: int = 20) -> sa.Enum:
    return sa.Enum(
        e, native_enum=False, length=length, values_callable=lambda x: [m.value for m in x]
    )


# The usual Italian accents, folded away when names are compared (people/search.py).
ACCENTS = (("à", "a"), ("è", "e"), ("é", "e"), ("ì", "i"), ("ò", "o"), ("ù", "u"))
SEARCHED = ("first_name", "last_name", "address", "neighbourhood")
DUPLICATES_BY = ("first_name", "last_name")  # compared, folded, for a person registered twice


Text = sa.ColumnElement[Any] | InstrumentedAttribute[Any]  # a text column, or SQL of one


def folded(column: Text) -> sa.ColumnElement[str]:
    """``column`` in lower case without accents, in SQL."""
    expr: sa.ColumnElement[str] = sa.func.lower(sa.func.coalesce(column, sql_constant("")))
    for accented, plain in ACCENTS:
        expr = sa.func.replace(expr, sql_constant(accented), sql_constant(plain))
    return expr


def searched_text(*columns: Text) -> sa.ColumnElement[str]:
    """The ``columns``, each :func:`folded`, joined by spaces: what the people search
    looks inside. A word typed never holds a space (the search splits on them), so a
    word found in the joined text lies inside one column: it matches that column."""
    expr = folded(columns[0])
    for column in columns[1:]:
        expr = expr.op("||")(sql_constant(" ")).op("||")(folded(column))
    return expr


class VolunteerStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class CredentialKind(enum.StrEnum):
    IDENTITY = "identity"
    DRIVING_LICENCE = "driving_licence"
    INSURANCE = "insurance"
    BACKGROUND_CHECK = "background_check"


class Person(Model):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    first_name: Mapped[str] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    address: Mapped[str] = mapped_column(sa.String(300))
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lon: Mapped[float | None] = mapped_column(sa.Float)
    neighbourhood: Mapped[str | None] = mapped_column(sa.String(120))
    # gazetteer / nominatim / cache / manual: how the pin was placed
    location_source: Mapped[str | None] = mapped_column(sa.String(20))
    gender: Mapped[str | None] = mapped_column(sa.String(20))
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    interests: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    preferred_locale: Mapped[str | None] = mapped_column(sa.String(8))
    is_volunteer: Mapped[bool] = mapped_column(default=False)
    is_neighbour: Mapped[bool] = mapped_column(default=False)
    is_resident: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the person's personal data were erased (privacy/erasure.py): the row stays
    # under a pseudonym so that shifts, the ledger and reports still count.
    erased_at: Mapped[datetime | None] = mapped_column()
    # The searched columns folded, kept by the database as they change: the search
    # matches each word against this one column (one trigram index) instead of folding
    # four columns again for every row it checks. Stored; SQLite cannot add a stored
    # column to a table, so there the migration adds it computed when read (SQLite has no
    # trigram index to serve: it reads the table either way). Never loaded with a person.
    search_text: Mapped[str] = mapped_column(
        sa.Text,
        sa.Computed(
            searched_text(*(sa.column(name) for name in SEARCHED)),
            persisted=True,
        ),
        deferred=True,
    )

    organisation = relationship("Organisation")
    user = relationship(
        "User", back_populates="person", uselist=False, foreign_keys="User.person_id"
    )
    volunteer = relationship(
        "VolunteerProfile", back_populates="person", uselist=False, cascade="all, delete-orphan"
    )
    resident = relationship(
        "ResidentProfile", back_populates="person", uselist=False, cascade="all, delete-orphan"
    )
    slots = relationship(
        "AvailabilitySlot",
        back_populates="person",
        cascade="all, delete-orphan",
        order_by="(AvailabilitySlot.weekday, AvailabilitySlot.start)",
    )
    absences = relationship(
        "Absence", back_populates="person", cascade="all, delete-orphan", order_by="Absence.start"
    )
    credentials = relationship(
        "Credential",
        back_populates="person",
        cascade="all, delete-orphan",
        order_by="Credential.expires_on",
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.full_name!r}>"


PHONE_SEPARATORS = (" ", "-", ".", "/", "+", "(", ")")


def phone_digits(column: Text) -> sa.ColumnElement[str]:
    """``column`` with the usual separators of a phone number removed, in SQL."""
    expr: sa.ColumnElement[str] = sa.func.coalesce(column, sql_constant(""))
    for sep in PHONE_SEPARATORS:
        expr = sa.func.replace(expr, sql_constant(sep), sql_constant(""))
    return expr


def _trigram_index(name: str, expr: sa.ColumnElement[str]) -> None:
    """PostgreSQL: a trigram index answering "contains" (``LIKE '%rossi%'``) from the
    index instead of reading every person of every organisation (pg_trgm, created with
    the tables: webapp/db.py). SQLite reads the table (a town's is small)."""
    expr.key = name  # (names the operator class's column)
    sa.Index(name, expr, postgresql_using="gin", postgresql_ops={name: "gin_trgm_ops"}).ddl_if(
        dialect="postgresql"
    )


# The search reads the first (``search_text``); the check for a person registered twice
# reads the names' (people/search.py, ``possible_duplicates``).
sa.Index(
    "ix_person_search_trgm",
    Person.search_text,
    postgresql_using="gin",
    postgresql_ops={"search_text": "gin_trgm_ops"},
).ddl_if(dialect="postgresql")
for _name in DUPLICATES_BY:
    _trigram_index(f"ix_person_{_name}_trgm", folded(getattr(Person, _name)))
_trigram_index("ix_person_phone_trgm", phone_digits(Person.phone))


class VolunteerProfile(Model):
    """What a volunteer or helping neighbour offers, and their vetting status."""

    __tablename__ = "volunteer_profile"
    __table_args__ = (
        sa.CheckConstraint("max_km > 0 AND max_km <= 200", name="max_km_range"),
        sa.CheckConstraint("hours_per_week >= 0 AND hours_per_week <= 80", name="hours_range"),
        sa.CheckConstraint(
            "car_seats IS NULL OR (car_seats >= 1 AND car_seats <= 8)", name="car_seats_range"
        ),
    )

    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    offers_visits: Mapped[bool] = mapped_column(default=False)
    offers_driving: Mapped[bool] = mapped_column(default=False)
    max_km: Mapped[float] = mapped_column(sa.Float, default=5.0)
    hours_per_week: Mapped[float] = mapped_column(sa.Float, default=2.0)
    car_seats: Mapped[int | None] = mapped_column()
    car_wheelchair: Mapped[bool] = mapped_column(default=False)
    status: Mapped[VolunteerStatus] = mapped_column(
        _enum(VolunteerStatus), default=VolunteerStatus.PENDING, index=True
    )
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    status_changed_at: Mapped[datetime | None] = mapped_column()
    status_changed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Consent to keep these details (GDPR Art. 6/7), as for residents; withdrawn: the
    # volunteer is no longer matched and what they hold lets go (privacy/consent.py).
    consent_given_at: Mapped[datetime | None] = mapped_column()
    consent_method: Mapped[str | None] = mapped_column(sa.String(20))  # phone / online / paper
    consent_withdrawn_at: Mapped[datetime | None] = mapped_column()

    person = relationship("Person", back_populates="volunteer")


class ResidentProfile(Model):
    """Needs of a resident (or a neighbour asking for help), consent and guardian."""

    __tablename__ = "resident_profile"

    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    wants_visits: Mapped[bool] = mapped_column(default=False)
    wants_rides: Mapped[bool] = mapped_column(default=False)
    uses_wheelchair: Mapped[bool] = mapped_column(default=False)
    uses_walker: Mapped[bool] = mapped_column(default=False)
    needs_escort: Mapped[bool] = mapped_column(default=False)
    hard_of_hearing: Mapped[bool] = mapped_column(default=False)
    # Sensitive: visible to coordinators only, never to volunteers.
    health_notes: Mapped[str | None] = mapped_column(sa.Text)
    consent_given_at: Mapped[datetime | None] = mapped_column()
    consent_recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    consent_method: Mapped[str | None] = mapped_column(sa.String(20))  # phone / online / paper
    consent_withdrawn_at: Mapped[datetime | None] = mapped_column()
    # When a coordinator checked who this is and where they live. Registered on the phone
    # by a coordinator: checked at once (the default). Signed up online: None until a
    # coordinator checks, and until then their requests make no shifts (see
    # people/operations.sign_up and requests/planning.expand_request).
    checked_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    checked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    guardian_name: Mapped[str | None] = mapped_column(sa.String(200))
    guardian_relation: Mapped[str | None] = mapped_column(sa.String(60))
    guardian_phone: Mapped[str | None] = mapped_column(sa.String(40))
    guardian_email: Mapped[str | None] = mapped_column(sa.String(254))

    person = relationship("Person", back_populates="resident")


_trigram_index(
    "ix_resident_profile_guardian_phone_trgm", phone_digits(ResidentProfile.guardian_phone)
)


class AvailabilitySlot(Model):
    """A weekly slot, e.g. Tuesday 09:00-12:00 (local time of the organisation)."""

    __tablename__ = "availability_slot"
    __table_args__ = (
        sa.CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),
        sa.CheckConstraint("end_time > start_time", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column()  # 0 = Monday
    start: Mapped[time] = mapped_column("start_time", sa.Time)
    end: Mapped[time] = mapped_column("end_time", sa.Time)

    person = relationship("Person", back_populates="slots")


class Absence(Model):
    """Dates a volunteer is away (inclusive)."""

    __tablename__ = "absence"
    __table_args__ = (sa.CheckConstraint("end_date >= start_date", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[date] = mapped_column("start_date", sa.Date)
    end: Mapped[date] = mapped_column("end_date", sa.Date)

    person = relationship("Person", back_populates="absences")


class Credential(Model):
    """A check a coordinator recorded, valid until ``expires_on`` (inclusive)."""

    __tablename__ = "credential"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[CredentialKind] = mapped_column(_enum(CredentialKind, 30))
    checked_on: Mapped[date] = mapped_column(sa.Date)
    expires_on: Mapped[date | None] = mapped_column(sa.Date)
    note: Mapped[str | None] = mapped_column(sa.String(300))
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    person = relationship("Person", back_populates="credentials")


class CredentialWarning(Model):
    """A coordinator was told that this credential lapses on ``expires_on``.

    One row per credential and expiry date: the warning goes out once, and again only
    if the credential is renewed with a new date that in turn comes close.
    """

    __tablename__ = "credential_warning"
    __table_args__ = (
        sa.UniqueConstraint("credential_id", "expires_on", name="uq_credential_warning_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    credential_id: Mapped[int] = mapped_column(
        sa.ForeignKey("credential.id", ondelete="CASCADE"), index=True
    )
    expires_on: Mapped[date] = mapped_column(sa.Date)
    warned_at: Mapped[datetime] = mapped_column(default=utcnow)
