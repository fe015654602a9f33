"""Transfers cannot be changed or deleted: by the database, and by the ORM first."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError

from tests.factories import make_coordinator, make_org, make_resident, make_volunteer
from tests.timebank.helpers import real_shift_ids
from webapp.extensions import db
from webapp.orgs.models import Organisation
from webapp.timebank import operations as ops
from webapp.timebank.accounts import account_for
from webapp.timebank.errors import ImmutableTransferError
from webapp.timebank.models import Account, Transfer
from webapp.timebank.payments import pay_for_shift


@pytest.fixture
def paid(db_session):  # type: ignore[no-untyped-def]
    org = make_org()
    res, vol = make_resident(org), make_volunteer(org)
    return ops.donate(
        key="imm",
        donor=res,
        recipient=vol,
        minutes=60,
        actor_id=None,
        service_date=date(2026, 11, 1),
    ).transfer


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE timebank_transfer SET amount = 6000",
        "UPDATE timebank_transfer SET reason = 'edited'",
        "DELETE FROM timebank_transfer",
    ],
)
def test_raw_sql_cannot_change_a_transfer(paid, sql):  # type: ignore[no-untyped-def]
    with pytest.raises(DBAPIError) as err, db.session.begin_nested():
        db.session.execute(sa.text(sql))
    assert "append-only" in str(err.value)
    assert db.session.scalar(sa.select(Transfer.amount).where(Transfer.id == paid.id)) == 60


def test_truncate_is_refused_on_postgresql(paid, postgres_only):  # type: ignore[no-untyped-def]
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(sa.text("TRUNCATE timebank_transfer CASCADE"))


def test_orm_refuses_changes_with_a_clear_message(paid):  # type: ignore[no-untyped-def]
    paid.amount = 1
    with pytest.raises(ImmutableTransferError, match="record a reversal"):
        db.session.flush()
    db.session.expire(paid)  # forget the change
    db.session.delete(paid)
    with pytest.raises(ImmutableTransferError):
        db.session.flush()


@pytest.mark.parametrize(
    "change",
    [
        {"amount": 0},
        {"amount": -5},
        {"credit_account_id": "debit"},
        {"kind": "reversal"},  # a reversal must point at its original
        {"kind": "visit"},  # a shift payment must name its shift
    ],
)
def test_database_constraints_refuse_bad_transfers(paid, change):  # type: ignore[no-untyped-def]
    values = dict(
        key="raw",
        organisation_id=paid.organisation_id,
        debit_account_id=paid.debit_account_id,
        credit_account_id=paid.credit_account_id,
        amount=10,
        kind="donation",
        service_date=date(2026, 11, 2),
    )
    values.update(change)
    if values["credit_account_id"] == "debit":
        values["credit_account_id"] = values["debit_account_id"]
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(sa.insert(Transfer).values(**values))


def test_audit_finds_a_tampered_balance_and_the_cli_exits_non_zero(app, paid):  # type: ignore[no-untyped-def]
    from webapp.timebank.audit import audit

    assert audit().ok
    account = db.session.get(type(paid.credit_account), paid.credit_account_id)
    account.balance += 5  # a cached balance out of step with the transfers
    db.session.flush()
    result = audit()
    assert not result.ok
    assert any("cached balance 65 != 60" in p for p in result.problems)
    assert any("sum to 5" in p for p in result.problems)
    outcome = app.test_cli_runner().invoke(args=["ledger", "audit"])
    assert outcome.exit_code == 1
    assert "cached balance 65 != 60" in outcome.output


def test_deleting_an_organisation_takes_its_ledger_and_nothing_else(paid):  # type: ignore[no-untyped-def]
    org_id = paid.organisation_id
    coord = make_coordinator(db.session.get(Organisation, org_id))
    ops.reverse(
        transfer_id=paid.id,
        organisation_id=org_id,
        actor_id=coord.id,
        reason="test",
        service_date=date(2026, 11, 2),
    )
    org = db.session.get(Organisation, org_id)
    pay_for_shift(  # a shift payment too: the shift and its payment go together
        shift_id=real_shift_ids(org)[0],
        organisation_id=org_id,
        kind="visit",
        service_date=date(2026, 11, 3),
        resident_person_id=make_resident(org).id,
        volunteers=[(make_volunteer(org).id, 45)],
        actor_id=None,
    )
    other = make_org()
    res, vol = make_resident(other), make_volunteer(other)
    kept = ops.donate(
        key="kept",
        donor=res,
        recipient=vol,
        minutes=5,
        actor_id=None,
        service_date=date(2026, 11, 1),
    ).transfer.id
    db.session.flush()
    with pytest.raises(DBAPIError), db.session.begin_nested():  # an account with history
        db.session.execute(sa.delete(Account).where(Account.id == account_for(res).id))
    db.session.execute(sa.delete(Organisation).where(Organisation.id == org_id))
    db.session.expunge_all()
    left = db.session.scalars(sa.select(Transfer.id)).all()
    assert left == [kept]
