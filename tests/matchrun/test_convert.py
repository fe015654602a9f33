"""Rows -> the solver's dataclasses, on a small organisation built with real operations."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from matching.common.errors import InputError
from tests.factories import make_volunteer
from tests.matchrun.scenario import small_org
from webapp.extensions import db
from webapp.matchrun.convert import visit_week, weeks
from webapp.people.models import Absence, VolunteerStatus
from webapp.shifts import operations as shift_ops
from webapp.shifts.models import ShiftStatus

DAY = 24 * 60


def week_of(o):  # type: ignore[no-untyped-def]
    return visit_week(o.org.id, o.monday, o.monday, o.monday + timedelta(days=6))


def test_weeks_split_a_range_at_mondays():
    mon = date(2026, 11, 23)
    assert weeks(mon + timedelta(days=3), mon + timedelta(days=9)) == [
        (mon, mon + timedelta(days=3), mon + timedelta(days=6)),
        (mon + timedelta(days=7), mon + timedelta(days=7), mon + timedelta(days=9)),
    ]


def test_open_visits_and_volunteers_become_dataclasses(db_session):
    o = small_org()
    o.requests["ada"].preferred_volunteer_id = o.vols["giulia"].id
    db.session.flush()
    w = week_of(o)
    p = w.problem
    visits = {v.id: v for v in p.visits}
    assert set(visits) == {str(s.id) for s in o.visits.values()}
    ada, carla, dino = (visits[str(o.visits[k].id)] for k in ("ada", "carla", "dino"))
    # Monday 10:00-12:00 local, in minutes from Monday midnight; 60 minutes long.
    assert ada.windows == ((600, 720),) and ada.duration_min == 60
    assert (ada.lat, ada.lon) == (o.visits["ada"].start_lat, o.visits["ada"].start_lon)
    assert ada.preferred_volunteer == str(o.vols["giulia"].id)
    assert carla.languages == frozenset({"en"}) and carla.windows == ((DAY + 600, DAY + 660),)
    assert dino.volunteers_needed == 2
    vols = {u.id: u for u in p.volunteers}
    assert set(vols) == {str(v.id) for v in o.vols.values()}
    sara = vols[str(o.vols["sara"].id)]
    assert sara.available == ((540, 780),)  # Monday 09-13 only
    giulia = vols[str(o.vols["giulia"].id)]
    assert giulia.available[0] == (480, 1200) and len(giulia.available) == 7
    assert giulia.max_minutes == 240  # 4 hours a week, nothing approved yet
    assert giulia.languages == frozenset({"it"}) and giulia.gender == "f"
    assert giulia.max_km == 5
    assert p.speed_kmh == 30.0 and p.fixed == ()
    # The time mapping goes both ways.
    assert w.at(600) == o.visits["ada"].starts_at
    assert w.minute(o.visits["carla"].starts_at) == DAY + 600


def test_absences_suspensions_and_lapsed_checks_take_people_out(db_session):
    o = small_org()
    marco = o.vols["marco"]
    db.session.add(Absence(person_id=marco.id, start=o.monday, end=o.monday))
    o.vols["luca"].volunteer.status = VolunteerStatus.SUSPENDED
    lapsed = make_volunteer(o.org, credentials=False)
    db.session.flush()
    db.session.expire_all()
    vols = {u.id: u for u in week_of(o).problem.volunteers}
    assert str(o.vols["luca"].id) not in vols
    assert vols[str(lapsed.id)].available == ()  # no background check: no day to offer
    assert all(a >= DAY for a, _ in vols[str(marco.id)].available)  # away on Monday


def test_approved_assignments_are_fixed_and_held_shifts_use_up_time(db_session):
    o = small_org()
    giulia, marco = o.vols["giulia"], o.vols["marco"]
    shift_ops.assign(o.visits["ada"], giulia, o.coordinator)
    shift_ops.claim(o.visits["carla"], marco, marco.user)  # claimed: held, not fixed
    assert o.visits["ada"].status == ShiftStatus.APPROVED
    w = week_of(o)
    p = w.problem
    (fixed,) = p.fixed
    assert fixed.visit == str(o.visits["ada"].id)
    assert fixed.volunteers == (str(giulia.id),) and fixed.start == 600
    assert str(o.visits["carla"].id) not in {v.id for v in p.visits}
    vols = {u.id: u for u in p.volunteers}
    assert vols[str(giulia.id)].max_minutes == 240  # fixed visits count inside the problem
    assert w.outside_minutes[str(marco.id)] == 60
    assert vols[str(marco.id)].max_minutes == 180
    # Tuesday 10:00-11:00 is cut out of Marco's day, with a travel margin either side.
    tuesday = [s for s in vols[str(marco.id)].available if DAY <= s[0] < 2 * DAY]
    assert len(tuesday) == 2
    assert tuesday[0][1] < DAY + 600 and tuesday[1][0] > DAY + 660


def test_a_pin_becomes_a_fixed_assignment(db_session):
    o = small_org()
    ada = o.visits["ada"]
    pins = {
        str(ada.id): {
            "people": [o.vols["sara"].id],
            "start": ada.starts_at.isoformat(),
            "kind": "visit",
            "date": ada.occurrence_date.isoformat(),
        }
    }
    w = visit_week(o.org.id, o.monday, o.monday, o.monday + timedelta(days=6), pins)
    (fixed,) = w.problem.fixed
    sara = str(o.vols["sara"].id)
    assert (fixed.visit, fixed.volunteers, fixed.start) == (str(ada.id), (sara,), 600)


def test_impossible_coordinates_name_the_row(db_session):
    o = small_org()
    o.vols["giulia"].lat = 95.0
    db.session.flush()
    with pytest.raises(InputError) as err:
        week_of(o)
    assert err.value.field == f"volunteer {o.vols['giulia'].id}.lat"
