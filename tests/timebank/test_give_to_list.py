"""The "give to" list (``partners.recipients``): both sides of every exchange, each
person once, in name order; the chest, other organisations and oneself left out. The
pairs are kept as exchanges happen (a transfer between members, a completed visit), and
must be the pairs the whole history gives."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from tests.factories import make_coordinator, make_org, make_resident, make_volunteer
from tests.shifts.builders import in_days, make_request, shifts_of, visit_draft
from webapp.db import utcnow
from webapp.extensions import db
from webapp.people.models import Person
from webapp.shifts import operations as shift_ops
from webapp.timebank import operations as ops
from webapp.timebank import partners
from webapp.timebank.accounts import set_policy
from webapp.timebank.models import Partner

TODAY = date.today()


def _names(person) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(r.first_name, r.last_name) for r in partners.recipients(person)]


def _pairs() -> set[tuple[int, int]]:
    return {(a, b) for a, b in db.session.execute(sa.select(Partner.person_id, Partner.partner_id))}


def _done_visit(org, resident, volunteer, coord):  # type: ignore[no-untyped-def]
    """A visit booked and completed with the shifts feature's own operations."""
    (shift,) = shifts_of(make_request(org, visit_draft(in_days(3)), resident=resident))
    shift_ops.assign(shift, volunteer, coord)
    shift_by = shift.ends_at - (utcnow() - timedelta(hours=3))  # it happened
    shift.starts_at, shift.ends_at = shift.starts_at - shift_by, shift.ends_at - shift_by
    db.session.flush()
    shift_ops.complete(shift, coord)
    return shift


def test_both_sides_of_every_exchange_once_in_name_order(db_session, app):  # type: ignore[no-untyped-def]
    org = make_org()
    coord = make_coordinator(org)
    set_policy(org.id, chest_pays_for_residents=True)  # the visit is no transfer between them
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
                   service_date=TODAY)  # fmt: skip
        ops.donate(key=f"out-{n}", donor=me, recipient=i_gave, minutes=5, actor_id=None,
                   service_date=TODAY)  # fmt: skip
    with app.test_request_context():
        _done_visit(org, visited, me, coord)
        (planned,) = shifts_of(make_request(org, visit_draft(in_days(4)), resident=planned_only))
        shift_ops.assign(planned, me, coord)
    db.session.commit()

    assert _names(me) == [("Anna", "Bianchi"), ("Bruna", "Rossi"), ("Zita", "Neri")]
    assert _names(visited) == [("Marco", "Verdi")]  # who visited them
    assert _names(gave_me) == _names(i_gave) == [("Marco", "Verdi")]
    assert _names(planned_only) == []  # a visit still to come is no exchange yet
    assert partners.exchanged_with(me, visited.id) and partners.exchanged_with(visited, me.id)
    assert not partners.exchanged_with(me, planned_only.id)
    kept = _pairs()
    assert partners.rebuild() == len(kept) and _pairs() == kept  # what the history gives


def test_a_deleted_person_leaves_the_lists(db_session):  # type: ignore[no-untyped-def]
    org = make_org()
    me, other = make_volunteer(org, first_name="Marco"), make_resident(org, first_name="Pia")
    ops.grant(key="seed", recipient=me, minutes=60, actor_id=None, service_date=TODAY,
              reason="welcome")  # fmt: skip
    ops.donate(key="gift", donor=me, recipient=other, minutes=5, actor_id=None,
               service_date=TODAY)  # fmt: skip
    db.session.commit()
    assert [n for n, _s in _names(me)] == ["Pia"]
    db.session.execute(sa.delete(Person).where(Person.id == other.id))  # their rows go too
    db.session.commit()
    assert _names(me) == [] and _pairs() == set()


def test_the_list_reads_the_members_rows_not_their_history(db_session, count_queries):  # type: ignore[no-untyped-def]
    """One statement, on the pairs and the partners' names: the list was found again in
    the member's whole history of transfers and shifts at every view (5 ms in PostgreSQL
    for a city volunteer's year, growing each year)."""
    org = make_org()
    me = make_volunteer(org)
    ops.grant(key="seed", recipient=me, minutes=600, actor_id=None, service_date=TODAY,
              reason="welcome")  # fmt: skip
    for n in range(3):
        ops.donate(key=f"gift-{n}", donor=me, recipient=make_resident(org), minutes=5,
                   actor_id=None, service_date=TODAY)  # fmt: skip
    db.session.commit()
    assert me.organisation_id  # (read again after the commit, before counting)
    with count_queries() as sent:
        assert len(partners.recipients(me)) == 3
    assert len(sent) == 1, sent
    for history in ("timebank_transfer", "assignment", "shift", "help_request"):
        assert f"FROM {history}" not in sent[0] and f"JOIN {history}" not in sent[0], sent[0]
