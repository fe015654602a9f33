"""The "give to" list (``queries.donation_recipients``): both sides of every exchange,
each person once, in name order; the chest, other organisations and oneself left out."""

from __future__ import annotations

from datetime import date

from tests.factories import make_org, make_resident, make_volunteer
from tests.shifts.builders import in_days, make_request, shifts_of, visit_draft
from webapp.extensions import db
from webapp.shifts.models import Assignment, ShiftStatus
from webapp.timebank import operations as ops
from webapp.timebank import queries

TODAY = date.today()


def _names(person) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(r.first_name, r.last_name) for r in queries.donation_recipients(person)]


def test_both_sides_of_every_exchange_once_in_name_order(db_session):
    org = make_org()
    me = make_volunteer(org, first_name="Marco", last_name="Verdi")
    gave_me = make_resident(org, first_name="Zita", last_name="Neri")
    i_gave = make_resident(org, first_name="Bruna", last_name="Rossi")
    visited = make_resident(org, first_name="Anna", last_name="Bianchi")
    planned_only = make_resident(org, first_name="Carla", last_name="Gialli")
    make_resident(make_org(), first_name="Ada", last_name="Altrove")
    for person in (me, gave_me):
        ops.grant(key=f"seed-{person.id}", recipient=person, minutes=60, actor_id=None,
                  service_date=TODAY, reason="welcome")  # from the chest: not listed
    for n in range(2):  # twice: listed once
        ops.donate(key=f"in-{n}", donor=gave_me, recipient=me, minutes=5, actor_id=None,
                   service_date=TODAY)
        ops.donate(key=f"out-{n}", donor=me, recipient=i_gave, minutes=5, actor_id=None,
                   service_date=TODAY)
    done, planned = (
        shifts_of(make_request(org, visit_draft(in_days(3)), resident=r))[0]
        for r in (visited, planned_only)
    )
    for shift in (done, planned):
        db.session.add(Assignment(shift_id=shift.id, volunteer_id=me.id, seat=1))
    done.status = ShiftStatus.COMPLETED
    db.session.commit()

    assert _names(me) == [("Anna", "Bianchi"), ("Bruna", "Rossi"), ("Zita", "Neri")]
    assert _names(visited) == [("Marco", "Verdi")]  # who visited them
    assert _names(gave_me) == _names(i_gave) == [("Marco", "Verdi")]
    assert _names(planned_only) == []  # a visit still to come is no exchange yet
