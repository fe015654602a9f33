"""Time-bank ledger: accounts, append-only transfers, per-organisation policy, API tokens.

Invariants live in the database, not only in Python: ``amount > 0``, two different
accounts, a unique client-chosen key per transfer, a transfer reversed at most once, a
shift paid at most once per volunteer, and a cached balance never below its limit.
Rows of ``timebank_transfer`` cannot be updated or deleted (triggers, see ``ddl.py``).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import utcnow
from webapp.extensions import Model
from webapp.timebank.ddl import install_figures, install_ledger_guards
from webapp.timebank.errors import ImmutableTransferError


def _enum(e: type[enum.Enum], length: int = 20) -> sa.Enum:
    return sa.Enum(
        e, native_enum=False, length=length, values_callable=lambda x: [m.value for m in x]
    )


class AccountKind(enum.StrEnum):
    MEMBER = "member"  # one per Person
    CHEST = "chest"  # the organisation's community chest
    ADJUSTMENTS = "adjustments"  # counterpart of opening balances and corrections


class TransferKind(enum.StrEnum):
    VISIT = "visit"
    RIDE = "ride"
    DONATION = "donation"
    GRANT = "grant"  # from the chest to a member
    ADJUSTMENT = "adjustment"
    REVERSAL = "reversal"


SHIFT_KINDS = (TransferKind.VISIT.value, TransferKind.RIDE.value)


class LedgerPolicy(Model):
    """Per-organisation rules; an organisation without a row gets the defaults below."""

    __tablename__ = "timebank_policy"
    __table_args__ = (
        sa.CheckConstraint("resident_limit <= 0", name="resident_limit_not_positive"),
        sa.CheckConstraint("member_limit <= 0", name="member_limit_not_positive"),
        sa.CheckConstraint("chest_limit <= 0", name="chest_limit_not_positive"),
        sa.CheckConstraint("near_limit_minutes >= 0", name="near_limit_not_negative"),
    )

    DEFAULTS = {
        "resident_limit": -600,  # residents and neighbours may owe up to 10 hours
        "member_limit": 0,  # volunteers never go below zero
        "chest_limit": -6000,  # the municipality underwrites up to 100 hours
        "chest_pays_for_residents": False,
        "near_limit_minutes": 120,
    }

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    resident_limit: Mapped[int] = mapped_column(default=DEFAULTS["resident_limit"])
    member_limit: Mapped[int] = mapped_column(default=DEFAULTS["member_limit"])
    chest_limit: Mapped[int] = mapped_column(default=DEFAULTS["chest_limit"])
    chest_pays_for_residents: Mapped[bool] = mapped_column(default=False)
    # "near the limit" on the coordinator page: within this many minutes of it
    near_limit_minutes: Mapped[int] = mapped_column(default=DEFAULTS["near_limit_minutes"])

    def __repr__(self) -> str:
        return f"<LedgerPolicy org={self.organisation_id}>"


class Account(Model):
    __tablename__ = "timebank_account"
    __table_args__ = (
        # The cached balance can never sit past the limit: a last line of defence behind
        # the locked check in operations.transfer().
        sa.CheckConstraint(
            "lower_limit IS NULL OR balance >= lower_limit", name="balance_within_limit"
        ),
        sa.CheckConstraint("kind = 'member' OR person_id IS NULL", name="system_has_no_person"),
        # One chest and one adjustments account per organisation.
        sa.Index(
            "uq_timebank_account_system",
            "organisation_id",
            "kind",
            unique=True,
            sqlite_where=sa.text("kind != 'member'"),
            postgresql_where=sa.text("kind != 'member'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    # CASCADE above: deleting an organisation deletes its ledger (the only deletion
    # the guards allow). SET NULL: an erased person's account (and its history) stays
    # for the totals.
    person_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id", ondelete="SET NULL"), unique=True
    )
    kind: Mapped[AccountKind] = mapped_column(_enum(AccountKind), default=AccountKind.MEMBER)
    # Minutes; NULL = no limit (only the adjustments account).
    lower_limit: Mapped[int | None] = mapped_column()
    balance: Mapped[int] = mapped_column(default=0)
    # Minutes of visits and rides this account was paid for (given) and paid (received),
    # net of reversals: kept with the balance by operations.record(), in the same
    # statement, and checked by the audit. The pages' "in total" figures read them
    # instead of summing a year of the ledger (the organisation's total took 46 ms of
    # two cores on the city's data).
    service_given: Mapped[int] = mapped_column(default=0, server_default="0")
    service_received: Mapped[int] = mapped_column(default=0, server_default="0")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)

    person = relationship("Person")

    @property
    def available(self) -> int | None:
        return None if self.lower_limit is None else self.balance - self.lower_limit

    def __repr__(self) -> str:
        return f"<Account {self.id} {self.kind.value} person={self.person_id} {self.balance}>"


# The coordinator's "near their limit": the members closest to it first, read from this
# index in that order, as many as are shown (a seq scan and a sort of every account of a
# city read 10,000 for 50: 2.6 ms). PostgreSQL only: SQLite reads the table (a town's is
# small), and SQLAlchemy cannot reflect its expression indexes.
sa.Index(
    "ix_timebank_account_headroom",
    Account.organisation_id,
    Account.balance - Account.lower_limit,
    Account.id,
    postgresql_where=sa.text("kind = 'member' AND lower_limit IS NOT NULL"),
).ddl_if(dialect="postgresql")


class Transfer(Model):
    """One movement of minutes. Append-only: fix mistakes with a reversal."""

    __tablename__ = "timebank_transfer"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("debit_account_id != credit_account_id", name="two_accounts"),
        sa.CheckConstraint(
            "(kind = 'reversal') = (reversal_of_id IS NOT NULL)", name="reversal_has_original"
        ),
        sa.CheckConstraint(
            "kind NOT IN ('visit', 'ride') OR shift_id IS NOT NULL", name="shift_payment_has_shift"
        ),
        # A shift pays each of its volunteers at most once (two-person visits pay both).
        sa.Index(
            "uq_timebank_transfer_shift_payee",
            "shift_id",
            "credit_account_id",
            unique=True,
            sqlite_where=sa.text("kind IN ('visit', 'ride')"),
            postgresql_where=sa.text("kind IN ('visit', 'ride')"),
        ),
        # The coordinator's figures of this month read this month's transfers only, not
        # the organisation's whole history (it serves lookups by organisation too).
        sa.Index("ix_timebank_transfer_organisation_id_service_date", "organisation_id",
                 "service_date"),  # fmt: skip
        # An account's newest transfers (a statement's page, the balance after it) read
        # as many entries as the page has, from each side, not the account's history.
        sa.Index("ix_timebank_transfer_debit_account_id_id", "debit_account_id", "id"),
        sa.Index("ix_timebank_transfer_credit_account_id_id", "credit_account_id", "id"),
        # A member's figures of this month read the month's transfers of the account, not
        # its history (a volunteer's year: 540 read for 8).
        sa.Index("ix_timebank_transfer_debit_account_id_service_date", "debit_account_id",
                 "service_date"),  # fmt: skip
        sa.Index("ix_timebank_transfer_credit_account_id_service_date", "credit_account_id",
                 "service_date"),  # fmt: skip
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Client-chosen id: a retry with the same key returns the original transfer.
    key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE")
    )
    debit_account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("timebank_account.id", ondelete="CASCADE")
    )
    credit_account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("timebank_account.id", ondelete="CASCADE")
    )
    amount: Mapped[int] = mapped_column()  # minutes
    kind: Mapped[TransferKind] = mapped_column(_enum(TransferKind))
    service_date: Mapped[date] = mapped_column(sa.Date)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # No ON DELETE action: users are deactivated, never deleted, once they moved money.
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    # The shift this pays for. No ON DELETE action: a paid shift stays (deleting the whole
    # organisation removes both together).
    shift_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shift.id"), index=True)
    reversal_of_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("timebank_transfer.id", ondelete="CASCADE"), unique=True
    )

    debit_account = relationship("Account", foreign_keys=[debit_account_id])
    credit_account = relationship("Account", foreign_keys=[credit_account_id])
    created_by = relationship("User")
    reversal_of = relationship("Transfer", remote_side=[id], foreign_keys=[reversal_of_id])

    def __repr__(self) -> str:
        return (
            f"<Transfer {self.id} {self.key!r} {self.kind.value} {self.amount} "
            f"{self.debit_account_id}->{self.credit_account_id}>"
        )


class Partner(Model):
    """Two members who exchanged time: a visit or a ride between them (completed), or
    minutes moved either way. Written both ways when it first happens (by
    ``operations.record`` and the ``shift_completed`` listener, ``partners.py``), so a
    member's "give to" list reads their own rows, not their whole history."""

    __tablename__ = "timebank_partner"
    __table_args__ = (sa.CheckConstraint("person_id != partner_id", name="two_people"),)

    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    # Indexed for the cascade: erasing a person deletes the rows that name them.
    partner_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    def __repr__(self) -> str:
        return f"<Partner {self.person_id} {self.partner_id}>"


class OrganisationFigures(Model):
    """The organisation's running figures for the coordinator's page, kept by database
    triggers on every write of an account (``figures.py``): summing 10,000 accounts at
    each view grew with the organisation."""

    __tablename__ = "timebank_figures"

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    accounts: Mapped[int] = mapped_column(server_default="0")  # members' accounts
    service_total: Mapped[int] = mapped_column(server_default="0")  # sum of service_given
    members_positive: Mapped[int] = mapped_column(server_default="0")  # what members hold
    members_negative: Mapped[int] = mapped_column(server_default="0")  # and owe

    def __repr__(self) -> str:
        return f"<OrganisationFigures org={self.organisation_id}>"


class MonthFigures(Model):
    """An organisation's transfers of one month (by service date, ``month`` its first
    day) and their service minutes not reversed, kept by a trigger on every transfer."""

    __tablename__ = "timebank_month_figures"

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[date] = mapped_column(primary_key=True)
    transfers: Mapped[int] = mapped_column(server_default="0")
    service: Mapped[int] = mapped_column(server_default="0")

    def __repr__(self) -> str:
        return f"<MonthFigures org={self.organisation_id} {self.month}>"


class AccountMonthFigures(Model):
    """An account's service minutes of one month (by service date), not reversed: given
    (credited for visits and rides) and received (paid for them), kept by the transfer's
    trigger. The coordinator's biggest givers and receivers of the month read these, not
    the month's transfers (thousands in a city by the month's end)."""

    __tablename__ = "timebank_account_month"
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("timebank_account.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[date] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE")
    )
    given: Mapped[int] = mapped_column(server_default="0")
    received: Mapped[int] = mapped_column(server_default="0")

    def __repr__(self) -> str:
        return f"<AccountMonthFigures {self.account_id} {self.month}>"


# The month's biggest givers and receivers, read best first (ties by account).
for _side in (AccountMonthFigures.given, AccountMonthFigures.received):
    sa.Index(
        f"ix_timebank_account_month_{_side.key}",
        AccountMonthFigures.organisation_id,
        AccountMonthFigures.month,
        _side.desc(),
        AccountMonthFigures.account_id,
    )


class NamesStamp(Model):
    """Moved (by a trigger, ``ddl.py``) whenever a person of the organisation is renamed,
    moves organisation or is deleted: a member's statement and give-to list show other
    people's names, and are kept drawn under it (``timebank/kept.py``)."""

    __tablename__ = "timebank_names"

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(server_default="0")

    def __repr__(self) -> str:
        return f"<NamesStamp org={self.organisation_id} {self.version}>"


class ApiToken(Model):
    """A personal token for the mobile app. Only a SHA-256 of the secret is stored."""

    __tablename__ = "timebank_api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))  # shown so people can tell tokens apart
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    # Tokens stop working on their own (API_TOKEN_DAYS after they are made).
    expires_at: Mapped[datetime | None] = mapped_column()

    user = relationship("User")


def _install_guards(target: sa.Table, connection: sa.Connection, **kw: Any) -> None:

    install_ledger_guards(connection)


event.listen(Transfer.__table__, "after_create", _install_guards)


def _install_figures(target: sa.MetaData, connection: sa.Connection, **kw: Any) -> None:
    # After all the tables: the triggers are on the accounts and transfers and write the
    # figures' tables, created in any order.
    created = {t.name for t in kw.get("tables") or target.sorted_tables}
    if {"person", "timebank_account", "timebank_transfer", "timebank_figures"} <= created:
        install_figures(connection)


event.listen(Model.metadata, "after_create", _install_figures)


@event.listens_for(sa.orm.Session, "before_flush")
def _refuse_changed_transfers(
    session: sa.orm.Session, flush_context: sa.orm.UOWTransaction, instances: object
) -> None:
    """The ORM-side guard: a clear Python error before the database trigger fires."""
    for obj in session.deleted:
        if isinstance(obj, Transfer):
            raise ImmutableTransferError(f"{obj!r} cannot be deleted: record a reversal instead")
    for obj in session.dirty:
        if isinstance(obj, Transfer) and session.is_modified(obj, include_collections=False):
            raise ImmutableTransferError(f"{obj!r} cannot be changed: record a reversal instead")
