"""Completing real shifts pays their volunteers once, with the shifts feature's own
operations and test builders, no shortcuts."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import make_coordinator, make_org, make_volunteer
from tests.shifts import builders
from webapp.db import utcnow
from webapp.extensions import db
from webapp.shifts import operations as shift_ops
from webapp.shifts import tasks as shift_jobs
from webapp.timebank.accounts import account_for
from webapp.timebank.audit import audit
from webapp.timebank.models import Transfer


@pytest.fixture(autouse=True)
def _request_context(app):  # type: ignore[no-untyped-def]
    with app.test_request_context():
        yield


def _into_the_past(legs, hours: float = 3) -> None:  # type: ignore[no-untyped-def]
    """Shifts are booked ahead; move them (keeping their gaps) to have happened."""
    shift_by = legs[-1].ends_at - (utcnow() - timedelta(hours=hours))
    for leg in legs:
        leg.starts_at -= shift_by
        leg.ends_at -= shift_by
    db.session.flush()


def _transfers(org_id: int) -> list[Transfer]:
    return list(
        db.session.scalars(
            sa.select(Transfer).where(Transfer.organisation_id == org_id).order_by(Transfer.id)
        )
    )


def test_a_completed_visit_pays_each_volunteer_the_logged_minutes(db_session):  # type: ignore[no-untyped-def]
    org = make_org()
    coord = make_coordinator(org)
    req = builders.make_request(org, builders.visit_draft(two_volunteers=True), actor=coord)
    (shift,) = builders.shifts_of(req)
    v1, v2 = make_volunteer(org), make_volunteer(org)
    shift_ops.assign(shift, v1, coord)
    shift_ops.assign(shift, v2, coord)
    _into_the_past([shift])
    start = shift.starts_at - timedelta(minutes=5)
    shift_ops.complete(shift, coord, actual_start=start, actual_end=start + timedelta(minutes=80))
    paid = _transfers(org.id)
    assert [(t.kind.value, t.amount, t.shift_id) for t in paid] == [("visit", 80, shift.id)] * 2
    assert account_for(v1).balance == account_for(v2).balance == 80
    assert account_for(req.resident).balance == -160
    with pytest.raises(Exception):  # noqa: B017 - completing again is an illegal move
        shift_ops.complete(shift, coord)
    assert len(_transfers(org.id)) == 2 and audit(org.id).ok


def test_a_ride_pays_the_driver_door_to_door_including_the_wait(db_session):  # type: ignore[no-untyped-def]
    org = make_org()
    coord = make_coordinator(org)
    req = builders.make_request(org, builders.ride_draft(), actor=coord)
    out, back = builders.shifts_of(req)
    driver = make_volunteer(org, driving=True, visits=False)
    shift_ops.claim(out, driver, driver.user)
    shift_ops.approve(out, coord)
    _into_the_past([out, back])
    start, end = out.starts_at, back.ends_at + timedelta(minutes=10)
    shift_ops.complete(out, coord, actual_start=start, actual_end=end)
    (payment,) = _transfers(org.id)
    assert payment.kind.value == "ride" and payment.shift_id == out.id
    assert payment.amount == round((end - start).total_seconds() / 60)
    assert payment.amount > (out.ends_at - out.starts_at).total_seconds() / 60 * 2  # the wait


def _booked_ride(org, coord):  # type: ignore[no-untyped-def]
    req = builders.make_request(org, builders.ride_draft(), actor=coord)
    out, back = builders.shifts_of(req)
    driver = make_volunteer(org, driving=True, visits=False)
    shift_ops.assign(out, driver, coord)
    _into_the_past([out, back], hours=72)
    return out, back, driver


def test_an_auto_confirmed_ride_is_paid_once_like_a_hand_completed_one(db_session):  # type: ignore[no-untyped-def]
    """One payment path: the auto-confirm job completes through the shift operations and
    the time bank's listener pays, with the same minutes as a coordinator's "done"."""
    org = make_org()
    coord = make_coordinator(org)
    by_hand, by_hand_back, hand_driver = _booked_ride(org, coord)
    by_job, by_job_back, job_driver = _booked_ride(org, coord)
    shift_ops.complete(by_hand, coord)
    now = by_job_back.ends_at + timedelta(hours=49)
    shift_jobs.run_auto_confirm(now)
    shift_jobs.run_auto_confirm(now + timedelta(minutes=20))  # a later run pays nothing more
    assert by_job.status == by_job_back.status == shift_ops.S.COMPLETED
    paid = {t.shift_id: t for t in _transfers(org.id)}
    assert sorted(paid) == sorted([by_hand.id, by_job.id])  # exactly one payment each
    door_to_door = round((by_job_back.ends_at - by_job.starts_at).total_seconds() / 60)
    assert paid[by_job.id].amount == paid[by_hand.id].amount == door_to_door
    assert account_for(job_driver).balance == account_for(hand_driver).balance == door_to_door
    assert audit(org.id).ok


def test_completing_a_shift_twice_concurrently_pays_once(app, committed_db):  # type: ignore[no-untyped-def]
    org = make_org()
    coord = make_coordinator(org)
    req = builders.make_request(org, builders.visit_draft(), actor=coord)
    (shift,) = builders.shifts_of(req)
    vol = make_volunteer(org)
    shift_ops.assign(shift, vol, coord)
    _into_the_past([shift])
    ids = (org.id, shift.id, coord.id)
    db.session.commit()
    barrier, outcomes = threading.Barrier(2), []

    def complete_it() -> None:
        from webapp.auth.models import User
        from webapp.shifts.models import Shift

        with app.app_context(), app.test_request_context():
            barrier.wait()
            try:
                shift_ops.complete(db.session.get(Shift, ids[1]), db.session.get(User, ids[2]))
                db.session.commit()
                outcomes.append("ok")
            except Exception as error:  # noqa: BLE001 - a refused second completion is fine
                db.session.rollback()
                outcomes.append(repr(error))
            db.session.remove()

    threads = [threading.Thread(target=complete_it) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.rollback()
    assert "ok" in outcomes, outcomes
    paid = _transfers(ids[0])
    assert len(paid) == 1, paid
    assert account_for(vol).balance == paid[0].amount > 0
    assert audit(ids[0]).ok
