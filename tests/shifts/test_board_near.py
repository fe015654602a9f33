"""The board reads only the volunteer's candidates (``board_candidate``: the shifts that
passed every check on the volunteer and the shift alone), and still lists exactly what
checking every shift of the town lists, through every kind of change to either side."""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from tests.factories import make_coordinator, make_org, make_resident, make_volunteer
from tests.shifts.builders import (
    CENTRE,
    candidate_table,
    candidates_from_scratch,
    in_days,
    make_request,
    ride_draft,
    visit_draft,
)
from webapp.db import utcnow
from webapp.extensions import db
from webapp.orgs.settings import settings_for
from webapp.people.models import Absence, AvailabilitySlot, CredentialKind
from webapp.people.operations import set_pin
from webapp.people.vetting import change_status
from webapp.requests.changes import change_notes
from webapp.requests.occurrences import move_occurrence
from webapp.shifts import operations as ops
from webapp.shifts.board import open_board
from webapp.shifts.candidates import rebuild
from webapp.shifts.eligibility import conflict, held_shifts, ineligibility
from webapp.shifts.legs import by_group
from webapp.shifts.models import BoardCandidate, Shift
from webapp.shifts.tasks import jobs as shift_jobs
from webapp.shifts.tasks import run_rebuild_candidates
from webapp.shifts.transitions import CLAIMABLE

KM_LAT = 111.0


def _every_shift_checked(person) -> list[list[int]]:  # type: ignore[no-untyped-def]
    """The board as it was computed before the box: every claimable shift of the town."""
    now = utcnow()
    settings = settings_for(person.organisation_id)
    horizon = now + timedelta(weeks=settings.horizon_weeks + 1)
    shifts = db.session.scalars(
        sa.select(Shift).where(
            Shift.organisation_id == person.organisation_id,
            Shift.status.in_(CLAIMABLE),
            Shift.starts_at > now,
            Shift.starts_at < horizon,
        )
    ).all()
    held = held_shifts(person, now, horizon)
    every = db.session.scalars(sa.select(Shift)).all()
    sizes = {g[0].group_key: len(g) for g in by_group(every)}
    out = []
    for legs in by_group(shifts):
        if sizes[legs[0].group_key] != len(legs):
            continue
        if any(leg.free_seats < 1 or person.id in leg.volunteer_ids for leg in legs):
            continue
        if any(ineligibility(person, leg) for leg in legs):
            continue
        if conflict(person, legs, settings.travel_speed_kmh, held):
            continue
        out.append(sorted(leg.id for leg in legs))
    return sorted(out)


def _town(n: int = 40):  # type: ignore[no-untyped-def]
    """Residents from 0 to 12 km from the centre, with visits and rides; volunteers at
    the centre with several radii (many homes near the edge of one), one with no home."""
    rng = random.Random(3)
    org = make_org()
    coord = make_coordinator(org)
    centre = CENTRE
    for i in range(n):
        # Homes from 0 to 12 km away; many near the edge of the volunteers' radii.
        km, bearing = rng.uniform(0, 12), rng.uniform(0, 6.283)
        lat = centre[0] + km * math.cos(bearing) / KM_LAT
        lon = centre[1] + km * math.sin(bearing) / (KM_LAT * 0.75)
        resident = make_resident(org, lat=lat, lon=lon)
        day = in_days(3 + i % 7)
        if i % 4 == 0:
            draft = ride_draft(day)
        else:
            draft = visit_draft(day, windows=[(day.weekday(), time(9 + i % 8), time(11 + i % 8))])
        make_request(org, draft, resident=resident, actor=coord)
    volunteers = [
        make_volunteer(org, driving=d, visits=v, max_km=r, lat=centre[0], lon=centre[1])
        for d, v, r in [(True, True, 10), (False, True, 5), (True, False, 3), (True, True, 6.5)]
    ]
    volunteers.append(make_volunteer(org, max_km=5, lat=None, lon=None))  # no home known
    db.session.flush()
    return org, coord, volunteers


def test_board_near_the_volunteer_equals_checking_every_shift(db_session):
    org, coord, volunteers = _town()
    seen = 0
    for vol in volunteers:
        board = sorted(sorted(leg.id for leg in item.legs) for item in open_board(vol))
        assert board == _every_shift_checked(vol)
        seen += len(board)
    assert seen > 10  # the comparison compared something


def _assert_right(org, volunteers, what: str) -> None:  # type: ignore[no-untyped-def]
    """After the change's commit (which settles the candidates): the table is what the
    definition gives, and every board what checking every shift gives."""
    db.session.commit()
    db.session.expire_all()
    assert candidate_table() == candidates_from_scratch(org), what
    for vol in volunteers:
        board = sorted(sorted(leg.id for leg in item.legs) for item in open_board(vol))
        assert board == _every_shift_checked(vol), (what, vol.id)


def shifts_held(volunteer):  # type: ignore[no-untyped-def]
    return held_shifts(volunteer, utcnow(), utcnow() + timedelta(weeks=6))


def _open_visit(volunteer, org):  # type: ignore[no-untyped-def]
    """An open visit the volunteer has on the board."""
    return next(i.first for i in open_board(volunteer) if not i.first.kind.is_ride)


def test_candidates_stay_right_through_changes(db_session):
    org, coord, volunteers = _town(30)
    wide, visitor, driver, both, _homeless = volunteers
    _assert_right(org, volunteers, "as planned")
    assert len(candidate_table()) > 20  # the comparison compares something
    today = date.today()

    shift = _open_visit(wide, org)
    move_occurrence(shift, shift.occurrence_date + timedelta(days=1), time(10), coord)
    _assert_right(org, volunteers, "a visit moved to the next day")

    resident = _open_visit(visitor, org).request.resident
    set_pin(resident, CENTRE[0] + 5.5 / KM_LAT, CENTRE[1], coord)
    _assert_right(org, volunteers, "a resident's pin moved: their shifts follow it")

    set_pin(visitor, CENTRE[0] + 4 / KM_LAT, CENTRE[1] + 3 / (KM_LAT * 0.75), coord)
    _assert_right(org, volunteers, "a volunteer moved house")

    both.volunteer.max_km = 2.5
    _assert_right(org, volunteers, "a radius shortened")
    both.volunteer.max_km = 11
    _assert_right(org, volunteers, "a radius lengthened")

    change_status(wide, "suspend", coord, "under review", today=today)
    _assert_right(org, volunteers, "suspended")
    assert not any(p == wide.id for p, _s in candidate_table())
    change_status(wide, "reinstate", coord, None, today=today)
    _assert_right(org, volunteers, "reinstated")

    check = next(c for c in visitor.credentials if c.kind == CredentialKind.BACKGROUND_CHECK)
    check.expires_on = in_days(5)
    _assert_right(org, volunteers, "a background check expiring before some visits")

    both.absences.append(Absence(start=in_days(6), end=in_days(7)))
    _assert_right(org, volunteers, "an absence added")
    both.slots.clear()
    both.slots.append(AvailabilitySlot(weekday=in_days(8).weekday(), start=time(9), end=time(13)))
    _assert_right(org, volunteers, "free times replaced")

    ride = next(i.first for i in open_board(driver) if i.first.kind.is_ride)
    change_notes(ride.request, coord, notes="ground floor", wheelchair=True)
    _assert_right(org, volunteers, "a ride now needs a wheelchair-accessible car")

    taken = _open_visit(wide, org)
    other = make_volunteer(org, max_km=12, lat=CENTRE[0], lon=CENTRE[1])
    ops.claim(taken, other, other.user)
    _assert_right(org, volunteers + [other], "claimed by someone else")
    assert taken.id not in [i.first.id for i in open_board(wide)]

    for _ in range(3):  # shifts the volunteer holds: the board leaves out what clashes
        mine = _open_visit(wide, org)
        ops.claim(mine, wide, wide.user)
        _assert_right(org, volunteers, "the volunteer holds more shifts")
    assert any(leg.volunteer_ids == [wide.id] for leg in shifts_held(wide))

    cancelled = _open_visit(wide, org)
    ops.cancel(cancelled, coord, "resident in hospital")
    _assert_right(org, volunteers, "cancelled")
    assert not any(s == cancelled.id for _p, s in candidate_table())

    wide.is_volunteer = False
    _assert_right(org, volunteers, "no longer a volunteer")


def test_a_change_rolled_back_leaves_the_candidates_as_they_were(db_session):
    org, _coord, volunteers = _town(12)
    _assert_right(org, volunteers, "as planned")
    before = candidate_table()
    savepoint = db.session.begin_nested()
    volunteers[0].volunteer.max_km = 1
    db.session.flush()
    savepoint.rollback()
    _assert_right(org, volunteers, "radius change rolled back")
    assert candidate_table() == before
    volunteers[1].volunteer.max_km = 1
    db.session.flush()
    db.session.rollback()
    assert candidate_table() == before


def test_rebuild_command_and_nightly_job_restore_the_table(app, db_session):
    org, _coord, volunteers = _town(12)
    db.session.commit()
    expected = candidates_from_scratch(org)
    assert candidate_table() == expected
    db.session.execute(sa.delete(BoardCandidate))  # as after an import outside the app
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["shifts", "rebuild-candidates"])
    assert result.exit_code == 0, result.output
    assert f"Wrote {len(expected)} board candidates" in result.output
    assert candidate_table() == expected
    first = volunteers[0].id
    db.session.execute(sa.delete(BoardCandidate).where(BoardCandidate.person_id == first))
    db.session.commit()
    now = datetime.combine(utcnow().date(), time(1), tzinfo=UTC)  # not near midnight
    assert run_rebuild_candidates(now) == f"{len(expected)} board candidates"
    assert candidate_table() == expected
    # The job ticks every 10 minutes (so it fills the boards soon after the scheduler
    # starts, after an upgrade) and works once a UTC day.
    assert run_rebuild_candidates(now + timedelta(minutes=10)) == "already done"
    job = next(j for j in shift_jobs(app) if j.name == "rebuild_candidates")
    assert job.seconds <= 600


def test_rebuild_with_changes_not_yet_settled(db_session):
    """The city data and a job rebuild with changes of the same transaction pending:
    the rebuild covers those of its organisations, settles the others, and the commit
    that follows keeps every row."""
    org, _coord, volunteers = _town(12)
    other, _c, others = _town(6)
    db.session.commit()
    volunteers[0].volunteer.max_km = 4  # pending in the organisation rebuilt
    db.session.flush()
    assert rebuild(org_ids=[org.id]) > 0
    db.session.commit()
    assert candidate_table() == candidates_from_scratch(org) | candidates_from_scratch(other)
    volunteers[1].volunteer.max_km = 3
    others[0].volunteer.max_km = 2  # pending in another organisation
    db.session.flush()
    rebuild(org_ids=[org.id])
    db.session.commit()
    assert candidate_table() == candidates_from_scratch(org) | candidates_from_scratch(other)
