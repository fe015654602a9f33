"""Completed shifts pay their volunteers (through the shifts feature's signal)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.factories import make_org, make_resident, make_volunteer
from tests.timebank.helpers import real_shift_ids
from webapp.timebank.accounts import account_for, chest
from webapp.timebank.listeners import pay_completed_shift, pay_for_legs, shift_payments
from webapp.timebank.payments import pay_for_shift


class _Row:
    """Plain attributes with the shifts feature's names (Shift, Assignment, Request)."""

    def __init__(self, **kw: object) -> None:
        self.__dict__.update(kw)


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 20, hour, minute, tzinfo=UTC)


def test_minutes_come_from_logged_times_else_booked_times(db_session):  # type: ignore[no-untyped-def]
    org = make_org()
    res, v1, v2 = make_resident(org), make_volunteer(org), make_volunteer(org)
    shift_id = real_shift_ids(org)[0]
    shift = _Row(
        id=shift_id,
        organisation_id=org.id,
        kind="ride_out",
        status="completed",
        occurrence_date=date(2026, 11, 20),
        starts_at=_at(9),
        ends_at=_at(10),
        request=_Row(resident_id=res.id),
        assignments=[
            _Row(volunteer_id=v1.id, actual_start=_at(8, 50), actual_end=_at(11, 5),
                 times_held=False),
            _Row(volunteer_id=v2.id, actual_start=None, actual_end=None, times_held=False),
        ],
    )
    assert shift_payments([shift]) == (shift_id, sorted([(v1.id, 135), (v2.id, 60)]))
    paid = pay_for_legs([shift], actor=None)
    assert [(t.kind.value, t.amount, t.shift_id) for t in paid] == [
        ("ride", 135, shift_id),
        ("ride", 60, shift_id),
    ]
    assert account_for(res).balance == -195
    assert pay_for_legs([shift], actor=None) == paid  # completing again pays nothing


def test_erased_resident_is_paid_for_by_the_chest(db_session):  # type: ignore[no-untyped-def]
    org = make_org()
    vol = make_volunteer(org)
    pay_for_shift(
        shift_id=real_shift_ids(org)[0],
        organisation_id=org.id,
        kind="visit",
        service_date=date.today(),
        resident_person_id=None,
        volunteers=[(vol.id, 30)],
        actor_id=None,
    )
    assert chest(org.id).balance == -30 and account_for(vol).balance == 30


def test_connected_to_shift_completed_at_app_creation(app):  # type: ignore[no-untyped-def]
    from webapp.shifts.signals import shift_completed

    assert pay_completed_shift in list(shift_completed.receivers_for(object()))
