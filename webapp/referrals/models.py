"""Referrals (someone is worried about a person) and loneliness measures.

A :class:`Referral` is one report that a person may be isolated: who sent it
(``source_kind``: a neighbour, a pharmacist, the GP...), how (``channel``: the public
form, a phone call), why, whether the person knows and agrees, and what became of it
(``status``, moved only through :data:`TRANSITIONS`). The times of the path to help are
stored, so reports and the observatory count them without recomputing:
``created_at`` -> ``first_contact_at`` (the person was reached) -> ``assessed_at`` (a
loneliness measure was taken) -> ``first_help_at`` (the first visit or ride done).

A :class:`LonelinessMeasure` is one administration of a validated scale (``scale``, see
``referrals/scales.py``) to a person, with its ``score`` and ``taken_at``. Answers are
special-category data: coordinators only.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import utcnow
from webapp.extensions import Model


def _enum(e: type[enum.Enum], length: int = 20) -> sa.Enum:
    return sa.Enum(
        e, native_enum=False, length=length, values_callable=lambda x: [m.value for m in x]
    )


class SourceKind(enum.StrEnum):
    """Who referred: what the observatory counts per source."""

    SELF = "self"
    NEIGHBOUR = "neighbour"
    FAMILY = "family"
    FRIEND = "friend"
    PHARMACY = "pharmacy"
    GP = "gp"
    SOCIAL_SERVICES = "social_services"
    POSTAL_WORKER = "postal_worker"
    VOLUNTEER = "volunteer"
    OTHER = "other"


class Channel(enum.StrEnum):
    ONLINE = "online"  # the public form
    PHONE = "phone"  # taken by a coordinator on the phone


class Consent(enum.StrEnum):
    AGREED = "agreed"  # the person knows and agrees to be contacted
    NOT_ASKED = "not_asked"  # not asked, or the referrer is not sure: the first call asks


class ReferralStatus(enum.StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    ASSESSED = "assessed"
    ACCEPTED = "accepted"  # taken into a service (visits, rides, an activity)
    DECLINED = "declined"  # closed without service, with a reason


class CloseReason(enum.StrEnum):
    """Why a referral was closed without taking the person into a service (``declined``)."""

    SIGNPOSTED = "signposted"  # pointed to an activity, group or another organisation
    REFUSED = "refused"  # the person does not want help
    UNREACHABLE = "unreachable"
    HELPED_ELSEWHERE = "helped_elsewhere"
    NOT_ISOLATED = "not_isolated"
    DUPLICATE = "duplicate"
    OTHER = "other"


S = ReferralStatus
TRANSITIONS: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    S.NEW: frozenset({S.CONTACTED, S.DECLINED}),
    S.CONTACTED: frozenset({S.ASSESSED, S.ACCEPTED, S.DECLINED}),
    S.ASSESSED: frozenset({S.ACCEPTED, S.DECLINED}),
    S.ACCEPTED: frozenset(),
    S.DECLINED: frozenset(),
}
OPEN = frozenset({S.NEW, S.CONTACTED, S.ASSESSED})


class Referral(Model):
    __tablename__ = "referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    # The resident record it is about, once a coordinator has found or registered them.
    person_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    source_kind: Mapped[SourceKind] = mapped_column(_enum(SourceKind, 30), index=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    referrer_name: Mapped[str] = mapped_column(sa.String(200))
    referrer_contact: Mapped[str | None] = mapped_column(sa.String(254))
    # About the person, as the referrer gave it (minimal until the person agrees).
    subject_name: Mapped[str] = mapped_column(sa.String(200))
    subject_phone: Mapped[str | None] = mapped_column(sa.String(40))
    subject_address: Mapped[str | None] = mapped_column(sa.String(300))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    consent: Mapped[Consent] = mapped_column(_enum(Consent))
    status: Mapped[ReferralStatus] = mapped_column(
        _enum(ReferralStatus), default=ReferralStatus.NEW, index=True
    )
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    due_at: Mapped[datetime] = mapped_column()  # first contact due by
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    first_contact_at: Mapped[datetime | None] = mapped_column()
    assessed_at: Mapped[datetime | None] = mapped_column()
    accepted_at: Mapped[datetime | None] = mapped_column()
    first_help_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    close_reason: Mapped[CloseReason | None] = mapped_column(_enum(CloseReason, 30))
    close_note: Mapped[str | None] = mapped_column(sa.Text)
    # The referrer's private link to see what became of it (and nothing more).
    status_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    person = relationship("Person")
    owner = relationship("User", foreign_keys=[owner_id])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def referrer_stage(self) -> str:
        """What the referrer may know: ``received``, ``in_touch``, ``helped`` or
        ``closed`` (never why, nor anything about the person)."""
        if self.first_help_at is not None or self.status == ReferralStatus.ACCEPTED:
            return "helped"
        if self.status == ReferralStatus.DECLINED:
            return "closed"
        if self.status == ReferralStatus.NEW:
            return "received"
        return "in_touch"

    def __repr__(self) -> str:
        return f"<Referral {self.id} {self.source_kind.value} {self.status.value}>"


class LonelinessMeasure(Model):
    """One administration of a loneliness scale to a person (on the phone or at a visit).

    ``answers`` keeps each item's coded answer (e.g. ``{"companionship": 2, ...}``) and
    ``direct`` the answer to "How often do you feel lonely?" (1 often/always .. 5 never);
    ``score`` is the scale's published total (UCLA-3: 3-9, higher is lonelier).
    """

    __tablename__ = "loneliness_measure"
    __table_args__ = (sa.CheckConstraint("score >= 0", name="score_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    referral_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("referral.id", ondelete="SET NULL"), index=True
    )
    scale: Mapped[str] = mapped_column(sa.String(20))  # "ucla3"
    taken_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    taken_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    method: Mapped[str] = mapped_column(sa.String(10), default="phone")  # phone / visit
    answers: Mapped[dict[str, int]] = mapped_column(sa.JSON, default=dict)
    score: Mapped[int] = mapped_column()
    direct: Mapped[int | None] = mapped_column()
    # Risk factors named by the cities (lives alone, bereaved...): special-category data.
    risk_factors: Mapped[list[str]] = mapped_column(sa.JSON, default=list)

    person = relationship("Person")
    taken_by = relationship("User")

    def __repr__(self) -> str:
        return f"<LonelinessMeasure {self.id} person={self.person_id} {self.scale}={self.score}>"


class DirectoryActivity(Model):
    """A local organisation's group or activity a coordinator may prescribe (social
    prescribing): what, where, when, cost, accessibility, contact."""

    __tablename__ = "directory_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    what: Mapped[str | None] = mapped_column(sa.Text)
    place: Mapped[str | None] = mapped_column(sa.String(300))
    schedule: Mapped[str | None] = mapped_column(sa.String(200))  # "Tuesdays 15:00-17:00"
    cost: Mapped[str | None] = mapped_column(sa.String(100))
    accessibility: Mapped[str | None] = mapped_column(sa.String(300))
    contact: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<DirectoryActivity {self.id} {self.name!r}>"


class Prescription(Model):
    """An activity prescribed to a person, and whether they went and kept going
    (``None``: not known yet)."""

    __tablename__ = "activity_prescription"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    activity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("directory_activity.id", ondelete="CASCADE"), index=True
    )
    prescribed_at: Mapped[datetime] = mapped_column(default=utcnow)
    prescribed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    needs_ride: Mapped[bool] = mapped_column(default=False)
    went: Mapped[bool | None] = mapped_column()
    kept_going: Mapped[bool | None] = mapped_column()

    activity = relationship("DirectoryActivity")
    person = relationship("Person")

    def __repr__(self) -> str:
        return f"<Prescription {self.id} person={self.person_id} activity={self.activity_id}>"
