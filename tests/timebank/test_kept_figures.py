"""The organisation's figures on the coordinator's page are kept by database triggers
(``timebank/figures.py``, ``ddl.py``): after any series of writes they equal a fresh count
from the accounts and the ledger, on SQLite and on PostgreSQL (there at the commit, under
concurrent writers too), and the audit tells when they do not."""

from __future__ import annotations

import contextlib
import random
import threading
from datetime import date, timedelta

import sqlalchemy as sa

from tests.factories import make_org, make_person, make_resident, make_volunteer
from tests.timebank.helpers import real_shift_ids
from webapp.extensions import db
from webapp.people.models import Person
from webapp.timebank import figures, overview
from webapp.timebank import operations as ops
from webapp.timebank.accounts import account_for, set_lower_limit, set_policy
from webapp.timebank.audit import audit
from webapp.timebank.errors import LedgerError
from webapp.timebank.models import (
    Account,
    AccountMonthFigures,
    MonthFigures,
    OrganisationFigures,
    Transfer,
)
from webapp.timebank.payments import pay_for_shift

OCTOBER, NOVEMBER, DECEMBER = date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)


def _same(org_id: int) -> None:
    for month in (OCTOBER, NOVEMBER, DECEMBER, date(2027, 1, 1)):
        kept = figures.organisation_totals(org_id, month)
        assert kept == figures.recount(org_id, month), month
    assert figures.problems(org_id) == []


def test_kept_figures_equal_a_recount_after_every_kind_of_write(db_session):  # type: ignore[no-untyped-def]
    org = make_org()
    set_policy(org.id, resident_limit=-6000)
    marco, giulia = make_volunteer(org), make_volunteer(org)
    teresa, pia = make_resident(org), make_resident(org)
    _same(org.id)  # nothing yet: no row, all zero
    shifts = real_shift_ids(org, 4)
    paid = []
    for shift, volunteer, resident, minutes, day in (
        (shifts[0], marco, teresa, 60, date(2026, 10, 20)),
        (shifts[1], marco, pia, 90, date(2026, 11, 3)),
        (shifts[2], giulia, teresa, 45, date(2026, 11, 30)),
    ):
        paid += pay_for_shift(shift_id=shift, organisation_id=org.id, kind="visit",
                              service_date=day, resident_person_id=resident.id,
                              volunteers=[(volunteer.id, minutes)], actor_id=None)  # fmt: skip
        _same(org.id)
    # A two-volunteer visit paid in one transaction.
    paid += pay_for_shift(shift_id=shifts[3], organisation_id=org.id, kind="visit",
                          service_date=date(2026, 12, 2), resident_person_id=pia.id,
                          volunteers=[(marco.id, 30), (giulia.id, 30)], actor_id=None)  # fmt: skip
    _same(org.id)
    # Last month's visit reversed this month: out of October's service, a December transfer.
    ops.reverse(transfer_id=paid[0].id, organisation_id=org.id, actor_id=None,
                reason="not done", service_date=date(2026, 12, 3))  # fmt: skip
    _same(org.id)
    ops.reverse(transfer_id=paid[1].id, organisation_id=org.id, actor_id=None,
                reason="twice", service_date=date(2026, 12, 3))  # fmt: skip
    ops.donate(key="gift", donor=marco, recipient=giulia, minutes=25, actor_id=None,
               service_date=date(2026, 12, 4))  # fmt: skip
    ops.donate(key="chest", donor=giulia, recipient=None, minutes=10, actor_id=None,
               service_date=date(2026, 12, 4))  # fmt: skip
    ops.grant(key="help", recipient=teresa, minutes=40, actor_id=None,
              service_date=date(2026, 12, 5), reason="winter")  # fmt: skip
    ops.adjust(key="paper", person=pia, minutes=-15, actor_id=None,
               service_date=date(2027, 1, 2), reason="paper ledger")  # fmt: skip
    _same(org.id)
    # A refused transfer changes nothing.
    with contextlib.suppress(LedgerError):
        ops.donate(key="too much", donor=giulia, recipient=marco, minutes=6000, actor_id=None,
                   service_date=date(2026, 12, 6))  # fmt: skip
    _same(org.id)
    # An account opened with nothing in it; a limit changed; a person deleted (the
    # account stays, as a former member's).
    quiet = make_person(org)
    account_for(quiet)
    set_lower_limit(account_for(marco), -60)
    db.session.delete(quiet)
    db.session.flush()
    _same(org.id)
    kept = figures.organisation_totals(org.id, DECEMBER)
    assert kept["accounts"] == 5 and kept["transfers_month"] == 8
    assert kept["service_month"] == 60 and kept["service_total"] == 105
    # The biggest givers and receivers from November on: the reversed visits not counted
    # (Marco's October and November ones), an account with none left not listed.
    for month in (OCTOBER, NOVEMBER):
        top = {
            side: [(n.person_id, n.minutes) for n in named]
            for side, named in overview.top_accounts(org.id, month).items()
        }
        assert top["given"] == [(giulia.id, 75), (marco.id, 30)]
        assert top["received"] == [(pia.id, 60), (teresa.id, 45)]
    assert [n.minutes for n in overview.top_accounts(org.id, DECEMBER)["given"]] == [30, 30]
    # Another organisation's writes are its own.
    other = make_org()
    ops.grant(key="elsewhere", recipient=make_resident(other), minutes=5, actor_id=None,
              service_date=date(2026, 12, 5), reason="welcome")  # fmt: skip
    _same(org.id)
    _same(other.id)
    assert figures.organisation_totals(other.id, DECEMBER)["members_positive"] == 5


def test_the_audit_tells_kept_figures_that_drifted(db_session):  # type: ignore[no-untyped-def]
    org = make_org()
    member = make_resident(org)
    ops.grant(key="help", recipient=member, minutes=40, actor_id=None,
              service_date=date(2026, 12, 5), reason="winter")  # fmt: skip
    assert audit(org.id).ok
    db.session.execute(
        sa.update(OrganisationFigures)
        .where(OrganisationFigures.organisation_id == org.id)
        .values(members_positive=41)
    )
    db.session.execute(
        sa.update(MonthFigures).where(MonthFigures.organisation_id == org.id).values(transfers=2)
    )
    account = db.session.scalar(sa.select(Account.id).where(Account.person_id == member.id))
    db.session.add(  # a grant is no service: no month of service of the account's to keep
        AccountMonthFigures(account_id=account, organisation_id=org.id, month=DECEMBER, given=5)
    )
    db.session.flush()
    found = audit(org.id).problems
    assert len(found) == 3 and "kept figures" in found[0], found
    assert found[1].startswith(f"organisation {org.id}, 2026-12: kept transfers"), found
    assert found[2].startswith(f"account {account}, 2026-12: kept service given"), found


def test_an_organisation_goes_with_its_kept_figures(app, committed_db):  # type: ignore[no-untyped-def]
    org = make_org()
    ops.grant(key="help", recipient=make_resident(org), minutes=40, actor_id=None,
              service_date=date.today(), reason="welcome")  # fmt: skip
    db.session.commit()
    assert db.session.get(OrganisationFigures, org.id).members_positive == 40
    db.session.delete(org)
    db.session.commit()  # the triggers of the accounts deleted with it find no organisation
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OrganisationFigures)) == 0


def test_kept_figures_stay_right_under_concurrent_writers(app, committed_db):  # type: ignore[no-untyped-def]
    """Donations, grants, shift payments of two months and reversals from eight threads,
    each committing its own (on PostgreSQL the figures are written at each commit)."""
    org = make_org()
    set_policy(org.id, resident_limit=-100000, chest_limit=-100000)
    volunteers = [make_volunteer(org, with_user=False) for _ in range(4)]
    residents = [make_resident(org) for _ in range(4)]
    shifts = real_shift_ids(org, 24)
    org_id = org.id
    vols, ress = [p.id for p in volunteers], [p.id for p in residents]
    for person in (*volunteers, *residents):
        account_for(person)
    db.session.commit()
    errors: list[str] = []
    today = date.today()

    def worker(n: int) -> None:
        rng = random.Random(n)
        with app.app_context():
            for i in range(12):
                try:
                    vol = db.session.get(Person, rng.choice(vols))
                    res = db.session.get(Person, rng.choice(ress))
                    action = rng.choice(("pay", "donate", "grant", "reverse"))
                    day = today - timedelta(days=40 * (i % 2))  # this month or an earlier one
                    if action == "pay":
                        pay_for_shift(shift_id=shifts[n * 3 + i // 4], organisation_id=org_id,
                                      kind="visit", service_date=day,
                                      resident_person_id=res.id, volunteers=[(vol.id, 30)],
                                      actor_id=None)  # fmt: skip
                    elif action == "donate":
                        ops.donate(key=f"d{n}-{i}", donor=res, recipient=vol, minutes=5,
                                   actor_id=None, service_date=today)  # fmt: skip
                    elif action == "grant":
                        ops.grant(key=f"g{n}-{i}", recipient=res, minutes=7, actor_id=None,
                                  service_date=today, reason="help")  # fmt: skip
                    else:
                        last = db.session.scalar(
                            sa.select(Transfer.id)
                            .where(Transfer.organisation_id == org_id,
                                   Transfer.kind.in_(("visit", "donation")))
                            .order_by(sa.func.random()).limit(1)
                        )  # fmt: skip
                        if last is not None:
                            ops.reverse(transfer_id=last, organisation_id=org_id,
                                        actor_id=None, reason="undo",
                                        service_date=today)  # fmt: skip
                    db.session.commit()
                except LedgerError:
                    db.session.rollback()  # reversed already, a volunteer short: fine
                except Exception as error:  # noqa: BLE001 - any other failure is a finding
                    db.session.rollback()
                    errors.append(repr(error))
            db.session.remove()

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    db.session.rollback()
    assert errors == []
    result = audit(org_id)
    assert result.ok, result.report()
    assert result.transfers > 40, result.report()  # the writers really wrote
    _same(org_id)
