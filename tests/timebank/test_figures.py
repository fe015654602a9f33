"""The service figures of a member's page and the coordinator's: this month and in total,
reversed payments not counted, donations and grants not service."""

from __future__ import annotations

from datetime import date

from tests.factories import make_org, make_resident, make_volunteer
from tests.timebank.helpers import real_shift_ids
from webapp.extensions import db
from webapp.timebank import operations as ops
from webapp.timebank.accounts import set_policy
from webapp.timebank.figures import organisation_totals, recount
from webapp.timebank.payments import pay_for_shift
from webapp.timebank.queries import summary

MONTH = date(2026, 11, 1)


def test_figures_count_service_not_reversed_this_month_and_in_total(db_session):  # type: ignore[no-untyped-def]
    org = make_org()
    marco = make_volunteer(org, first_name="Marco")
    giulia = make_volunteer(org, first_name="Giulia")
    teresa, pia = make_resident(org, first_name="Teresa"), make_resident(org, first_name="Pia")
    set_policy(org.id, resident_limit=-6000)
    shifts = real_shift_ids(org, 5)
    visits = [  # (shift, volunteer, resident, minutes, day)
        (shifts[0], marco, teresa, 60, date(2026, 10, 20)),  # last month
        (shifts[1], marco, teresa, 90, date(2026, 11, 3)),
        (shifts[2], marco, pia, 45, date(2026, 11, 4)),  # reversed below
        (shifts[3], giulia, teresa, 30, date(2026, 11, 5)),
        (shifts[4], giulia, pia, 120, date(2026, 10, 2)),
    ]
    paid = [
        pay_for_shift(shift_id=s, organisation_id=org.id, kind="visit", service_date=day,
                      resident_person_id=r.id, volunteers=[(v.id, m)], actor_id=None)  # fmt: skip
        for s, v, r, m, day in visits
    ]
    ops.reverse(transfer_id=paid[2][0].id, organisation_id=org.id, actor_id=None,
                reason="not done", service_date=date(2026, 11, 6))  # fmt: skip
    ops.donate(key="gift", donor=marco, recipient=giulia, minutes=25, actor_id=None,
               service_date=date(2026, 11, 7))  # fmt: skip
    ops.grant(key="help", recipient=pia, minutes=40, actor_id=None,
              service_date=date(2026, 11, 7), reason="winter")  # fmt: skip
    db.session.commit()

    def of(person):  # type: ignore[no-untyped-def]
        f = summary(person, MONTH).figures
        assert summary(person, MONTH, page=False).figures == f  # the API's variant
        return (f.given_month, f.received_month, f.given_total, f.received_total)

    assert of(marco) == (90, 0, 150, 0)
    assert of(giulia) == (30, 0, 150, 0)
    assert of(teresa) == (0, 120, 0, 180)
    assert of(pia) == (0, 0, 0, 120)
    totals = organisation_totals(org.id, MONTH)
    assert totals["service_month"] == 120 and totals["service_total"] == 300
    # Balances: Marco 150 - 25, Giulia 150 + 25, Teresa -180, Pia -120 + 40.
    assert totals["accounts"] == 4
    assert (totals["members_positive"], totals["members_negative"]) == (300, -260)
    assert recount(org.id, MONTH) == totals
