"""Two transactions committing together on PostgreSQL: one lengthens a volunteer's radius,
the other plans a visit that only the new radius reaches. Each settles the candidates of
what it changed while the other's change is not committed yet; the advisory lock makes
the second wait for the first's commit and see it, so the pair is never lost."""

from __future__ import annotations

import threading
from datetime import time

import pytest
import sqlalchemy as sa

from tests.factories import ISERNIA, make_coordinator, make_org, make_resident, make_volunteer
from tests.shifts.builders import in_days, make_request, visit_draft
from webapp.auth.models import User
from webapp.extensions import db
from webapp.orgs.models import Organisation
from webapp.people.models import Person
from webapp.shifts.candidates import settle
from webapp.shifts.eligibility import ineligibility
from webapp.shifts.models import BoardCandidate, Shift

pytestmark = pytest.mark.postgres
KM_LAT = 111.0


def _plan_visit(ids: dict[str, int]) -> None:
    """The coordinator of ``ids["org"]`` plans a visit to its resident, in six days."""
    day = in_days(6)
    make_request(
        db.session.get(Organisation, ids["org"]),
        visit_draft(day, windows=[(day.weekday(), time(10), time(12))]),
        resident=db.session.get(Person, ids["resident"]),
        actor=db.session.get(User, ids["coord"]),
    )


def test_radius_and_new_shift_committed_together_keep_the_pair(app, committed_db, postgres_only):
    org = make_org()
    coord = make_coordinator(org)
    vol = make_volunteer(org, max_km=2, lat=ISERNIA[0], lon=ISERNIA[1])
    resident = make_resident(org, lat=ISERNIA[0] + 5 / KM_LAT, lon=ISERNIA[1])
    db.session.commit()
    ids = {"org": org.id, "coord": coord.id, "vol": vol.id, "resident": resident.id}
    db.session.remove()
    barrier = threading.Barrier(2, timeout=30)
    errors: list[BaseException] = []

    def lengthen() -> None:
        person = db.session.get(Person, ids["vol"])
        assert person is not None and person.volunteer is not None
        person.volunteer.max_km = 8
        db.session.flush()

    def plan() -> None:
        _plan_visit(ids)

    def run(change) -> None:  # type: ignore[no-untyped-def]
        with app.app_context(), app.test_request_context():
            try:
                change()
                barrier.wait()  # both changes flushed, neither committed
                db.session.commit()
            except BaseException as exc:  # reported below, not lost in the thread
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(f,)) for f in (lengthen, plan)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    person = db.session.get(Person, ids["vol"])
    shifts = db.session.scalars(sa.select(Shift).where(Shift.organisation_id == ids["org"])).all()
    assert shifts and person is not None
    expected = {(person.id, s.id) for s in shifts if ineligibility(person, s) is None}
    assert expected  # the new radius reaches the visit
    rows = db.session.execute(sa.select(BoardCandidate.person_id, BoardCandidate.shift_id))
    assert {(p, s) for p, s in rows} == expected


def test_two_organisations_settle_side_by_side(app, committed_db, postgres_only):
    """Each organisation has its own candidates' lock: two organisations' visit requests,
    each settled and holding its lock, both reach the barrier before either commits (with
    one lock for all, the second waited for the first's commit and the barrier broke)."""
    ids = []
    for _ in range(2):
        org = make_org()
        coord = make_coordinator(org)
        vol = make_volunteer(org, max_km=8, lat=ISERNIA[0], lon=ISERNIA[1])
        resident = make_resident(org, lat=ISERNIA[0] + 2 / KM_LAT, lon=ISERNIA[1])
        db.session.commit()
        ids.append({"org": org.id, "coord": coord.id, "vol": vol.id, "resident": resident.id})
    db.session.remove()
    barrier = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def run(mine: dict[str, int]) -> None:
        with app.app_context(), app.test_request_context():
            try:
                _plan_visit(mine)
                settle()  # the new shift's candidates: the organisation's lock is held
                barrier.wait()
                db.session.commit()
            except BaseException as exc:  # reported below, not lost in the thread
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(mine,)) for mine in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    for mine in ids:  # each volunteer is a candidate of their own organisation's visit
        rows = db.session.execute(
            sa.select(BoardCandidate.person_id, Shift.organisation_id).join(Shift)
        ).all()
        assert (mine["vol"], mine["org"]) in rows, rows
