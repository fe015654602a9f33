"""Ledger operations: limits, idempotency, reversals, shift payments, audit."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import make_coordinator, make_org, make_person, make_resident, make_volunteer
from tests.timebank.helpers import real_shift_ids
from webapp.extensions import db
from webapp.timebank import operations as ops
from webapp.timebank.accounts import account_for, chest, set_policy
from webapp.timebank.audit import audit
from webapp.timebank.errors import AlreadyReversed, LedgerError, LimitExceeded, TransferConflict
from webapp.timebank.models import Transfer, TransferKind
from webapp.timebank.payments import pay_for_shift

TODAY = date(2026, 11, 20)


@pytest.fixture
def town(db_session):  # type: ignore[no-untyped-def]
    org = make_org()
    coord = make_coordinator(org)
    return {
        "org": org,
        "coord": coord,
        "vol": make_volunteer(org, first_name="Marco"),
        "vol2": make_volunteer(org, first_name="Giulia"),
        "res": make_resident(org, first_name="Teresa"),
        "nb": make_person(org, first_name="Luca", is_neighbour=True),
        "shifts": real_shift_ids(org, 5),
    }


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Transfer)) or 0


def _donate(key, donor, minutes, to=None):  # type: ignore[no-untyped-def]
    """A member's donation today, made by nobody in particular (actor None)."""
    return ops.donate(
        key=key, donor=donor, recipient=to, minutes=minutes, actor_id=None, service_date=TODAY
    )


def test_accounts_open_with_limits_from_roles(town):  # type: ignore[no-untyped-def]
    assert account_for(town["vol"]).lower_limit == 0
    assert account_for(town["res"]).lower_limit == -600
    assert account_for(town["nb"]).lower_limit == -600
    assert chest(town["org"].id).lower_limit == -6000
    assert account_for(town["vol"]) is account_for(town["vol"])


def test_donation_moves_minutes_and_the_ledger_balances(town):  # type: ignore[no-untyped-def]
    out = _donate("d1", town["res"], 90, to=town["nb"])
    assert out.created and out.transfer.amount == 90
    assert account_for(town["res"]).balance == -90
    assert account_for(town["nb"]).balance == 90
    assert audit(town["org"].id).ok


def test_volunteer_cannot_go_below_zero(town):  # type: ignore[no-untyped-def]
    with pytest.raises(LimitExceeded) as err:
        _donate("d2", town["vol"], 1)
    assert err.value.field == "amount"
    assert "0 minutes" in err.value.message
    assert _count() == 0 and account_for(town["vol"]).balance == 0


def test_resident_may_owe_up_to_ten_hours_and_not_a_minute_more(town):  # type: ignore[no-untyped-def]
    _donate("a", town["res"], 600)
    with pytest.raises(LimitExceeded):
        _donate("b", town["res"], 1)
    assert account_for(town["res"]).balance == -600


def test_bad_amounts_name_the_field(town):  # type: ignore[no-untyped-def]
    for bad in (0, -5, 1.5, "10", True, ops.MAX_AMOUNT + 1):
        with pytest.raises(LedgerError) as err:
            _donate("x", town["res"], bad)
        assert err.value.field == "amount"
    with pytest.raises(LedgerError) as err:
        _donate("y", town["res"], 5, to=town["res"])
    assert err.value.field == "recipient"
    with pytest.raises(LedgerError) as err:
        _donate(" ", town["res"], 5)
    assert err.value.field == "key"


def test_donation_to_another_organisation_is_refused(town):  # type: ignore[no-untyped-def]
    stranger = make_person(make_org(), first_name="Eve")
    with pytest.raises(LedgerError) as err:
        _donate("z", town["res"], 5, to=stranger)
    assert err.value.field == "recipient"


def test_retry_with_same_id_returns_original_and_different_content_is_refused(town):  # type: ignore[no-untyped-def]
    first = ops.donate(
        key="same",
        donor=town["res"],
        recipient=town["vol"],
        minutes=30,
        actor_id=None,
        service_date=TODAY,
        reason="thanks",
    )
    again = ops.donate(
        key="same",
        donor=town["res"],
        recipient=town["vol"],
        minutes=30,
        actor_id=None,
        service_date=TODAY,
        reason="thanks",
    )
    assert not again.created and again.transfer.id == first.transfer.id
    with pytest.raises(TransferConflict) as err:
        ops.donate(
            key="same",
            donor=town["res"],
            recipient=town["vol"],
            minutes=31,
            actor_id=None,
            service_date=TODAY,
            reason="thanks",
        )
    assert err.value.field == "key" and err.value.status == 409
    assert _count() == 1 and account_for(town["vol"]).balance == 30


def test_grant_needs_a_reason_and_respects_the_chest_limit(town):  # type: ignore[no-untyped-def]
    with pytest.raises(LedgerError) as err:
        ops.grant(
            key="g0",
            recipient=town["res"],
            minutes=60,
            actor_id=town["coord"].id,
            service_date=TODAY,
            reason=" ",
        )
    assert err.value.field == "reason"
    set_policy(town["org"].id, chest_limit=-100)
    ops.grant(
        key="g1",
        recipient=town["res"],
        minutes=100,
        actor_id=town["coord"].id,
        service_date=TODAY,
        reason="winter help",
    )
    with pytest.raises(LimitExceeded):
        ops.grant(
            key="g2",
            recipient=town["res"],
            minutes=1,
            actor_id=town["coord"].id,
            service_date=TODAY,
            reason="more",
        )
    assert chest(town["org"].id).balance == -100 and audit().ok


def test_reversal_points_at_original_and_happens_once(town):  # type: ignore[no-untyped-def]
    original = _donate("r1", town["res"], 45, to=town["vol"]).transfer
    with pytest.raises(LedgerError) as err:
        ops.reverse(
            transfer_id=original.id,
            organisation_id=town["org"].id,
            actor_id=town["coord"].id,
            reason="",
            service_date=TODAY,
        )
    assert err.value.field == "reason"
    rev = ops.reverse(
        transfer_id=original.id,
        organisation_id=town["org"].id,
        actor_id=town["coord"].id,
        reason="wrong person",
        service_date=TODAY,
    )
    assert rev.transfer.reversal_of_id == original.id and rev.transfer.kind == "reversal"
    assert account_for(town["vol"]).balance == 0 and account_for(town["res"]).balance == 0
    with pytest.raises(AlreadyReversed):
        ops.reverse(
            transfer_id=original.id,
            organisation_id=town["org"].id,
            actor_id=town["coord"].id,
            reason="again",
            service_date=TODAY,
            key="other",
        )
    with pytest.raises(LedgerError) as err:
        ops.reverse(
            transfer_id=rev.transfer.id,
            organisation_id=town["org"].id,
            actor_id=town["coord"].id,
            reason="undo",
            service_date=TODAY,
        )
    assert err.value.field == "transfer"
    with pytest.raises(LedgerError):  # another organisation's transfer is not found
        ops.reverse(
            transfer_id=original.id,
            organisation_id=make_org().id,
            actor_id=None,
            reason="x",
            service_date=TODAY,
        )
    assert audit().ok


def test_reversal_cannot_push_an_account_past_its_limit(town):  # type: ignore[no-untyped-def]
    paid = _donate("p", town["res"], 60, to=town["vol"]).transfer
    _donate("spent", town["vol"], 60)
    with pytest.raises(LimitExceeded) as err:
        ops.reverse(
            transfer_id=paid.id,
            organisation_id=town["org"].id,
            actor_id=None,
            reason="mistake",
            service_date=TODAY,
        )
    assert err.value.field == "transfer"


def test_pay_for_shift_resident_pays_each_volunteer_once(town):  # type: ignore[no-untyped-def]
    args = dict(
        shift_id=town["shifts"][0],
        organisation_id=town["org"].id,
        kind="visit",
        service_date=TODAY,
        resident_person_id=town["res"].id,
        volunteers=[(town["vol"].id, 75), (town["vol2"].id, 75)],
        actor_id=None,
    )
    paid = pay_for_shift(**args)
    assert [t.amount for t in paid] == [75, 75]
    assert account_for(town["res"]).balance == -150
    again = pay_for_shift(**args)
    assert [t.id for t in again] == [t.id for t in paid] and _count() == 2
    args["volunteers"] = [(town["vol"].id, 80)]
    with pytest.raises(TransferConflict):
        pay_for_shift(**args)
    assert audit().ok


def test_shift_payment_is_unique_in_the_database(town):  # type: ignore[no-untyped-def]
    pay_for_shift(
        shift_id=town["shifts"][1],
        organisation_id=town["org"].id,
        kind="ride",
        service_date=TODAY,
        resident_person_id=town["res"].id,
        volunteers=[(town["vol"].id, 120)],
        actor_id=None,
    )
    with pytest.raises(TransferConflict) as err:  # another key, same shift and volunteer
        ops.transfer(
            key="sneaky",
            debit_account_id=account_for(town["res"]).id,
            credit_account_id=account_for(town["vol"]).id,
            amount=120,
            kind=TransferKind.RIDE,
            service_date=TODAY,
            actor_id=None,
            shift_id=town["shifts"][1],
        )
    assert err.value.field == "shift_id"


def test_chest_pays_by_policy_or_when_resident_is_at_limit(town):  # type: ignore[no-untyped-def]
    base = dict(
        organisation_id=town["org"].id,
        kind="visit",
        service_date=TODAY,
        resident_person_id=town["res"].id,
        actor_id=None,
    )
    pay_for_shift(shift_id=town["shifts"][0], volunteers=[(town["vol"].id, 550)], **base)
    paid = pay_for_shift(shift_id=town["shifts"][1], volunteers=[(town["vol"].id, 60)], **base)
    assert paid[0].debit_account_id == chest(town["org"].id).id  # resident at -550
    set_policy(town["org"].id, chest_pays_for_residents=True)
    paid = pay_for_shift(shift_id=town["shifts"][2], volunteers=[(town["vol2"].id, 30)], **base)
    assert paid[0].debit_account_id == chest(town["org"].id).id
    assert account_for(town["res"]).balance == -550 and chest(town["org"].id).balance == -90
    set_policy(town["org"].id, chest_limit=-90)
    with pytest.raises(LimitExceeded) as err:
        pay_for_shift(shift_id=town["shifts"][3], volunteers=[(town["vol2"].id, 30)], **base)
    assert err.value.field == "minutes"


def test_pay_for_shift_validates_its_input(town):  # type: ignore[no-untyped-def]
    base = dict(
        shift_id=town["shifts"][4],
        organisation_id=town["org"].id,
        service_date=TODAY,
        resident_person_id=town["res"].id,
        actor_id=None,
    )
    cases = [
        (dict(kind="donation", volunteers=[(town["vol"].id, 5)]), "kind"),
        (dict(kind="visit", volunteers=[(town["vol"].id, 0)]), "minutes"),
        (dict(kind="visit", volunteers=[(town["vol"].id, 24 * 60 + 1)]), "minutes"),
        (dict(kind="visit", volunteers=[(town["res"].id, 5)]), "volunteer"),
        (dict(kind="visit", volunteers=[(town["vol"].id, 5), (town["vol"].id, 5)]), "volunteer"),
    ]
    for kw, field in cases:
        with pytest.raises(LedgerError) as err:
            pay_for_shift(**base, **kw)
        assert err.value.field == field


def test_adjustments_credit_or_debit_against_the_adjustments_account(town, app):  # type: ignore[no-untyped-def]
    out = ops.adjust(
        key="open-1",
        person=town["vol"],
        minutes=300,
        actor_id=None,
        service_date=TODAY,
        reason="carried over from the paper ledger",
    )
    assert out.transfer.kind == "adjustment" and account_for(town["vol"]).balance == 300
    ops.adjust(
        key="open-2",
        person=town["vol"],
        minutes=-100,
        actor_id=None,
        service_date=TODAY,
        reason="double counted",
    )
    assert account_for(town["vol"]).balance == 200
    with pytest.raises(LimitExceeded):  # a volunteer still cannot go below zero
        ops.adjust(
            key="open-3",
            person=town["vol"],
            minutes=-201,
            actor_id=None,
            service_date=TODAY,
            reason="too much",
        )
    for minutes, reason, field in ((0, "x", "amount"), (5, " ", "reason")):
        with pytest.raises(LedgerError) as err:
            ops.adjust(
                key="bad",
                person=town["vol"],
                minutes=minutes,
                actor_id=None,
                service_date=TODAY,
                reason=reason,
            )
        assert err.value.field == field
    result = app.test_cli_runner().invoke(
        args=["ledger", "adjust", str(town["res"].id), "60", "--reason", "opening", "--id", "r1"]
    )
    assert result.exit_code == 0, result.output
    assert account_for(town["res"]).balance == 60 and audit(town["org"].id).ok
