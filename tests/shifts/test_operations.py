from __future__ import annotations

from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import make_coordinator, make_org, make_resident, make_volunteer
from tests.helpers import messages_to
from tests.shifts.builders import in_days, make_request, ride_draft, shifts_of, visit_draft
from webapp.core.errors import FieldError
from webapp.db import utcnow
from webapp.extensions import db
from webapp.people.models import CredentialKind, VolunteerStatus
from webapp.requests.planning import extend_horizon
from webapp.shifts import operations as ops
from webapp.shifts import signals
from webapp.shifts.models import NoShowSide, ShiftEvent, ShiftKind, ShiftStatus
from webapp.shifts.transitions import IllegalTransition

S = ShiftStatus


def test_weekly_visit_is_expanded_idempotently(db_session):
    org = make_org()
    start = in_days(3)
    req = make_request(
        org, visit_draft(start, recurring=True, end_date=start + timedelta(weeks=10))
    )
    first = shifts_of(req)
    assert 4 <= len(first) <= 5  # rolling horizon of 4 weeks
    assert all(s.kind == ShiftKind.VISIT and s.status == S.OPEN for s in first)
    assert extend_horizon(org.id) == 0
    assert extend_horizon(org.id, start + timedelta(weeks=8)) > 0
    assert extend_horizon(org.id, start + timedelta(weeks=8)) == 0
    days = [s.occurrence_date for s in shifts_of(req)]
    assert len(days) == len(set(days))
    assert all(d.weekday() == start.weekday() for d in days)


def test_local_time_is_stored_as_utc(db_session):
    org = make_org()
    req = make_request(org, visit_draft(date(2027, 7, 5), duration_minutes=45))  # summer: UTC+2
    (shift,) = shifts_of(req)
    assert shift.starts_at.utcoffset() == timedelta(0)
    assert (shift.starts_at.hour, shift.starts_at.minute) == (8, 0)
    assert shift.ends_at - shift.starts_at == timedelta(minutes=45)


def test_ride_with_return_has_two_legs_that_move_together(db_session):
    org = make_org()
    req = make_request(org, ride_draft())
    out, back = shifts_of(req)
    assert (out.kind, back.kind) == (ShiftKind.RIDE_OUT, ShiftKind.RIDE_BACK)
    assert out.group_key == back.group_key
    assert back.starts_at - out.ends_at == timedelta(minutes=60)
    driver = make_volunteer(org, driving=True, visits=False)
    ops.claim(out, driver, driver.user)
    assert [a.volunteer_id for a in back.assignments] == [driver.id]
    assert back.status == S.CLAIMED
    ops.cancel(back, None, "resident in hospital")
    assert out.status == back.status == S.CANCELLED


def test_full_life_records_every_change_and_signals(db_session):
    org = make_org()
    coord = make_coordinator(org)
    req = make_request(org, visit_draft(in_days(4)))
    (shift,) = shifts_of(req)
    vol = make_volunteer(org)
    seen, completed = [], []

    def on_change(sender, old, new, actor, reason, **_):
        # Inside the transaction: the event row is already flushed.
        assert (
            db.session.query(ShiftEvent).filter_by(shift_id=sender.id, to_status=new.value).count()
        )
        seen.append((old, new))

    def on_done(sender, actor, **_):
        completed.append(sender.id)

    with (
        signals.shift_status_changed.connected_to(on_change),
        signals.shift_completed.connected_to(on_done),
    ):
        ops.claim(shift, vol, vol.user)
        ops.approve(shift, coord)
        ops.confirm(shift, vol, vol.user)
        shift.starts_at = utcnow() - timedelta(hours=2)
        shift.ends_at = utcnow() - timedelta(hours=1)
        ops.check_in(shift, vol, vol.user, mood="low", resident_happy=True, worried=True,
                     note="The fridge was empty")  # fmt: skip
    assert seen == [(S.OPEN, S.CLAIMED), (S.CLAIMED, S.APPROVED), (S.APPROVED, S.CONFIRMED),
                    (S.CONFIRMED, S.COMPLETED)]  # fmt: skip
    assert completed == [shift.id]
    assert req.preferred_volunteer_id == vol.id
    events = db.session.scalars(sa.select(ShiftEvent).where(ShiftEvent.shift_id == shift.id)).all()
    assert [e.actor_id for e in events] == [vol.user.id, coord.id, vol.user.id, vol.user.id]


def test_illegal_move_has_a_clear_message(db_session):
    org = make_org()
    (shift,) = shifts_of(make_request(org, visit_draft()))
    with pytest.raises(IllegalTransition) as err:
        ops.record_no_show(shift, NoShowSide.RESIDENT, None)
    assert "open" in err.value.message and "no-show" in err.value.message


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda v: setattr(v.volunteer, "status", VolunteerStatus.SUSPENDED), "suspended"),
        (lambda v: setattr(v.volunteer, "status", VolunteerStatus.PENDING), "not approved"),
        (lambda v: setattr(v.volunteer, "max_km", 0.1), "0.1 km radius"),
        (lambda v: setattr(v, "languages", ["de"]), "speaks"),
        (lambda v: setattr(v, "gender", "male"), "gender"),
        (lambda v: v.slots.clear(), "free"),
    ],
)
def test_claim_refused_with_a_reason(db_session, change, reason):
    org = make_org()
    (shift,) = shifts_of(
        make_request(org, visit_draft(languages=["it"], gender_preference="female"))
    )
    vol = make_volunteer(org, gender="female", lat=41.60, lon=14.24)
    change(vol)
    db.session.flush()
    with pytest.raises(FieldError) as err:
        ops.claim(shift, vol, vol.user)
    assert reason in err.value.message
    assert shift.status == S.OPEN and not shift.assignments


def test_lapsed_licence_and_wheelchair(db_session):
    org = make_org()
    out, _back = shifts_of(make_request(org, ride_draft(wheelchair=True)))
    driver = make_volunteer(org, driving=True, visits=False, wheelchair=False)
    with pytest.raises(FieldError, match="wheelchair"):
        ops.claim(out, driver, driver.user)
    driver.volunteer.car_wheelchair = True
    for c in driver.credentials:
        if c.kind == CredentialKind.DRIVING_LICENCE:
            c.expires_on = date.today()  # lapses before the ride
    db.session.flush()
    with pytest.raises(FieldError, match="licence has lapsed"):
        ops.claim(out, driver, driver.user)


def test_overlap_including_travel_time(db_session):
    org = make_org()
    day = in_days(6)
    a = make_request(org, visit_draft(day, windows=[(day.weekday(), time(10), time(11))]))
    # 12 km away at 30 km/h = 24 minutes: a visit at 11:10 is too close, 11:30 is fine.
    far = make_resident(org, lat=41.5936 + 0.108, lon=14.2325)
    b = make_request(org, visit_draft(day, windows=[(day.weekday(), time(11, 10), time(12, 30))]),
                     resident=far)  # fmt: skip
    # (b and c are the same resident's: booked knowingly, it is the volunteer's rule here)
    c = make_request(org, visit_draft(day, windows=[(day.weekday(), time(11, 30), time(12, 30))],
                                      accept_clash=True), resident=far)  # fmt: skip
    vol = make_volunteer(org, max_km=20)
    ops.claim(shifts_of(a)[0], vol, vol.user)
    with pytest.raises(FieldError, match="too close"):
        ops.claim(shifts_of(b)[0], vol, vol.user)
    ops.claim(shifts_of(c)[0], vol, vol.user)


def test_two_volunteer_visit_and_reject_reopens(db_session):
    org = make_org()
    coord = make_coordinator(org)
    (shift,) = shifts_of(make_request(org, visit_draft(two_volunteers=True)))
    v1, v2, v3 = make_volunteer(org), make_volunteer(org), make_volunteer(org)
    ops.claim(shift, v1, v1.user)
    ops.claim(shift, v2, v2.user)
    assert sorted(a.seat for a in shift.assignments) == [1, 2]
    with pytest.raises(FieldError, match="someone else"):
        ops.claim(shift, v3, v3.user)
    ops.reject(shift, coord, "let's keep the usual pair")
    assert shift.status == S.OPEN and shift.assignments == []
    told = messages_to(v1, "shift_released") + messages_to(v2, "shift_released")
    assert sorted(n.person_id for n in told) == sorted([v1.id, v2.id])


def test_manual_assign_uses_the_same_checks_and_reassign(db_session):
    org = make_org()
    coord = make_coordinator(org)
    (shift,) = shifts_of(make_request(org, visit_draft()))
    far = make_volunteer(org, lat=42.0, lon=14.2325)
    with pytest.raises(FieldError, match="radius"):
        ops.assign(shift, far, coord)
    v1, v2 = make_volunteer(org), make_volunteer(org)
    ops.assign(shift, v1, coord)
    assert shift.status == S.APPROVED
    ops.assign(shift, v2, coord, replace=v1)
    assert shift.status == S.APPROVED and shift.volunteer_ids == [v2.id]
    assert len(messages_to(v1, "shift_released")) == 1


def test_decline_reopens_and_no_show(db_session):
    org = make_org()
    coord = make_coordinator(org)
    (shift,) = shifts_of(make_request(org, visit_draft()))
    v = make_volunteer(org)
    ops.assign(shift, v, coord)
    ops.withdraw(shift, v, v.user, "I have the flu")
    assert shift.status == S.OPEN and not shift.assignments
    ops.assign(shift, v, coord)
    shift.starts_at = utcnow() - timedelta(minutes=5)  # a no-show needs a started shift
    ops.record_no_show(shift, NoShowSide.RESIDENT, coord)
    assert shift.status == S.NO_SHOW and shift.no_show_side == NoShowSide.RESIDENT


def test_mark_unfilled(db_session):
    org = make_org()
    (shift,) = shifts_of(make_request(org, visit_draft()))
    assert ops.mark_unfilled(org.id, now=shift.starts_at + timedelta(minutes=1)) == 1
    assert shift.status == S.UNFILLED


def test_worry_needs_a_note(db_session):
    org = make_org()
    coord = make_coordinator(org)
    (shift,) = shifts_of(make_request(org, visit_draft()))
    v = make_volunteer(org)
    ops.assign(shift, v, coord)
    shift.starts_at = utcnow() - timedelta(hours=2)
    shift.ends_at = utcnow() - timedelta(hours=1)
    with pytest.raises(FieldError) as err:
        ops.check_in(shift, v, v.user, mood="ok", resident_happy=False, worried=True, note=" ")
    assert err.value.field == "note"


def test_board_order_and_what_it_hides(db_session):
    from webapp.shifts.board import open_board

    org = make_org()
    day1, day2 = in_days(4), in_days(5)
    near = make_resident(org, lat=41.5940, lon=14.2325)
    far = make_resident(org, lat=41.6200, lon=14.2325)
    far_day1 = make_request(org, visit_draft(day1, windows=[(day1.weekday(), time(9), time(10))]),
                            resident=far)  # fmt: skip
    near_day1 = make_request(org, visit_draft(day1, windows=[(day1.weekday(), time(16), time(18))]),
                             resident=near)  # fmt: skip
    near_day2 = make_request(org, visit_draft(day2), resident=near)
    # The same resident on day 2 three times: booked knowingly (the board is under test).
    german = make_request(org, visit_draft(day2, languages=["de"], accept_clash=True),
                          resident=near)  # fmt: skip
    vol = make_volunteer(org, max_km=10)
    order = [item.first.request_id for item in open_board(vol)]
    assert order == [near_day1.id, far_day1.id, near_day2.id]  # soonest day, then nearest
    assert german.id not in order
    ops.claim(shifts_of(near_day2)[0], vol, vol.user)
    clash = make_request(org, visit_draft(day2, windows=[(day2.weekday(), time(10, 30), time(12))],
                                          accept_clash=True), resident=near)  # fmt: skip
    assert clash.id not in [item.first.request_id for item in open_board(vol)]
