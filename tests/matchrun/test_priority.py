"""A coordinator's priority reaches the solver's first objective level (priority served)."""

from __future__ import annotations

from datetime import time, timedelta

from matching.visits.solve import solve_visits
from tests.factories import make_coordinator, make_org, make_resident, make_volunteer
from tests.matchrun.scenario import next_monday
from tests.shifts.builders import make_request, ride_draft, shifts_of, visit_draft
from webapp.extensions import db
from webapp.matchrun.convert import visit_week
from webapp.matchrun.priority import ride_priority, visit_priority
from webapp.people.models import AvailabilitySlot
from webapp.requests.models import Priority, RidePurpose


def _two_visits_one_hour(urgent: str | None):  # type: ignore[no-untyped-def]
    """Two visits at the same hour next Monday and one volunteer free for just that hour:
    only one can be served."""
    org = make_org()
    coord = make_coordinator(org)
    monday = next_monday()
    vol = make_volunteer(org)
    vol.slots.clear()
    vol.slots.append(AvailabilitySlot(weekday=0, start=time(10), end=time(11)))
    shifts = {}
    for name in ("first", "second"):
        draft = visit_draft(monday, windows=[(0, time(10), time(11))])
        if name == urgent:
            draft.priority = Priority.URGENT
        req = make_request(org, draft, resident=make_resident(org), actor=coord)
        shifts[name] = shifts_of(req)[0]
    db.session.flush()
    return org, monday, shifts


def test_every_normal_request_weighs_what_it_did_before():
    class Req:
        priority = Priority.NORMAL
        purpose = RidePurpose.MEDICAL

    assert visit_priority(Req()) == 1  # type: ignore[arg-type]
    assert ride_priority(Req()) == 3  # type: ignore[arg-type]
    Req.purpose = RidePurpose.SOCIAL
    assert ride_priority(Req()) == 1  # type: ignore[arg-type]
    Req.priority = Priority.URGENT
    assert ride_priority(Req()) == 4 and visit_priority(Req()) == 4  # type: ignore[arg-type]


def test_the_urgent_visit_is_served_when_only_one_fits(db_session):
    for urgent in ("first", "second"):
        org, monday, shifts = _two_visits_one_hour(urgent)
        w = visit_week(org.id, monday, monday, monday + timedelta(days=6))
        weights = {v.id: v.priority for v in w.problem.visits}
        assert weights == {str(shifts[urgent].id): 4, str(shifts[_other(urgent)].id): 1}
        solution = solve_visits(w.problem, time_limit_s=5)
        assert [a.visit for a in solution.assignments] == [str(shifts[urgent].id)]


def test_without_priorities_the_problem_is_flat(db_session):
    org, monday, shifts = _two_visits_one_hour(None)
    w = visit_week(org.id, monday, monday, monday + timedelta(days=6))
    assert {v.priority for v in w.problem.visits} == {1}


def test_a_ride_weighs_its_purpose_times_its_urgency(db_session):
    org = make_org()
    req = make_request(org, ride_draft(purpose=RidePurpose.PHARMACY, priority=Priority.HIGH))
    assert req.priority == Priority.HIGH and ride_priority(req) == 4


def _other(name: str) -> str:
    return "second" if name == "first" else "first"
