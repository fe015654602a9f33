"""One weekly limit per person across a whole run, and again at approval.

Teresa both visits and drives. In a *Both* run the visits are solved first and the rides
after them: the rides part must count (and avoid) the visits just proposed to her, a
ride pinned to her on a re-solve must keep its time and minutes in the visits part, and
approval must refuse what would take her over her weekly hours.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import make_coordinator, make_org, make_resident, make_volunteer
from tests.helpers import post_form
from tests.matchrun.scenario import CENTRE, next_monday, start_run
from tests.shifts.builders import make_request, ride_draft, shifts_of, visit_draft
from webapp.extensions import db
from webapp.matchrun.models import MatchRun, RunStatus
from webapp.shifts import operations as shift_ops
from webapp.shifts.models import Assignment, Shift, ShiftStatus


def _minutes(a, b) -> int:  # type: ignore[no-untyped-def]
    return int((b - a).total_seconds() // 60)


class Week:
    """Teresa (visits and drives), one visit request and one ride request next week."""

    def __init__(self, *, visit_day: int = 0, ride_day: int = 1, window=(10, 12)) -> None:  # type: ignore[no-untyped-def]
        self.org = make_org()
        self.coordinator = make_coordinator(self.org)
        self.monday = next_monday()
        self.teresa = make_volunteer(
            self.org, first_name="Teresa", driving=True, lat=CENTRE[0], lon=CENTRE[1], max_km=20
        )
        day = self.monday + timedelta(days=visit_day)
        resident = make_resident(self.org, lat=CENTRE[0], lon=CENTRE[1])
        windows = [(day.weekday(), time(window[0]), time(window[1]))]
        req = make_request(
            self.org, visit_draft(day, windows=windows), resident=resident, actor=self.coordinator
        )
        (self.visit,) = shifts_of(req)
        req = make_request(
            self.org, ride_draft(self.monday + timedelta(days=ride_day)), actor=self.coordinator
        )
        self.out, self.back = shifts_of(req)
        self.visit_min = _minutes(self.visit.starts_at, self.visit.ends_at)
        self.ride_min = sum(_minutes(s.starts_at, s.ends_at) for s in (self.out, self.back))

    def hours(self, minutes: int) -> None:
        self.teresa.volunteer.hours_per_week = minutes / 60
        db.session.commit()

    def run(self, client) -> MatchRun:  # type: ignore[no-untyped-def]
        run = start_run(client, self.coordinator, self.monday, "both")
        assert run.status == RunStatus.DONE, run.error
        return run

    def decide(self, client, run, **data):  # type: ignore[no-untyped-def]
        return post_form(
            client,
            f"/match/runs/{run.id}/decide",
            data,
            page=f"/match/runs/{run.id}",
            follow_redirects=True,
        ).get_data(as_text=True)


def _proposed_minutes(run: MatchRun, person_id: int) -> int:
    """Minutes the run proposes to ``person_id`` (one week), both parts, every leg."""
    total = 0
    for part in run.results.values():
        for p in part["proposals"]:
            if person_id not in [v["person_id"] for v in p["volunteers"]]:
                continue
            if p["kind"] == "visit":
                total += _minutes(*(datetime.fromisoformat(p[k]) for k in ("start", "end")))
            else:
                legs = [db.session.get(Shift, i) for i in p["legs"]]
                total += sum(_minutes(s.starts_at, s.ends_at) for s in legs)
    return total


def _seated(shift) -> list[int]:  # type: ignore[no-untyped-def]
    return list(
        db.session.scalars(
            sa.select(Assignment.volunteer_id).where(Assignment.shift_id == shift.id)
        )
    )


@pytest.mark.parametrize(
    "spare, reason",
    [
        # After the visit one leg would still fit, not both: the solver says so.
        (lambda w: w.ride_min - 10, "no single driver can do both the outbound and the return leg"),
        (lambda w: 5, "every driver free then has used up their hours"),
    ],
)
def test_a_both_run_keeps_a_visitor_drivers_week_within_their_hours(client, inline, spare, reason):
    w = Week()
    limit = w.visit_min + spare(w)  # the visit or the ride, not both
    assert limit < w.visit_min + w.ride_min and limit >= w.ride_min
    w.hours(limit)
    run = w.run(client)
    visits, rides = run.results["visits"], run.results["rides"]
    (visit,) = visits["proposals"]
    assert visit["volunteers"][0]["person_id"] == w.teresa.id
    assert rides["proposals"] == []
    (unserved,) = rides["unserved"]
    assert unserved["shift_id"] == w.out.id
    assert unserved["reason"].startswith(reason), unserved["reason"]
    assert _proposed_minutes(run, w.teresa.id) <= limit
    # First come takes the visit too, so its rides are left without Teresa as well.
    assert rides["baseline"]["unserved"] == [w.out.id]


def test_a_both_run_that_fits_proposes_both_and_shows_the_whole_load(client, inline):
    w = Week()
    w.hours(w.visit_min + w.ride_min)
    run = w.run(client)
    (visit,) = run.results["visits"]["proposals"]
    (ride,) = run.results["rides"]["proposals"]
    assert ride["volunteers"][0]["person_id"] == w.teresa.id
    assert ride["volunteers"][0]["load_week_min"] == w.visit_min + w.ride_min
    assert _proposed_minutes(run, w.teresa.id) == w.visit_min + w.ride_min
    html = w.decide(client, run, action="approve", shift_id=[w.visit.id, w.out.id])
    assert "2 proposals approved" in html and "could not be approved" not in html
    db.session.expire_all()
    for shift in (w.visit, w.out, w.back):
        assert shift.status == ShiftStatus.APPROVED and _seated(shift) == [w.teresa.id]


def test_a_visits_load_counts_the_rides_the_same_run_proposes_after_it(client, inline):
    # The visits part is solved before the rides exist; the load the coordinator reads
    # next to the visit must still be Teresa's whole week in this plan.
    w = Week()
    w.hours(w.visit_min + w.ride_min)
    run = w.run(client)
    (visit,) = run.results["visits"]["proposals"]
    (ride,) = run.results["rides"]["proposals"]
    total = w.visit_min + w.ride_min
    assert visit["volunteers"][0]["load_week_min"] == total
    assert ride["volunteers"][0]["load_week_min"] == total
    html = client.get(f"/match/runs/{run.id}").get_data(as_text=True)
    assert html.count(f"load this week: {total // 60} h {total % 60} min") == 2


def test_a_both_run_does_not_propose_a_ride_during_a_proposed_visit(client, inline):
    # The visit can only be 10:00-11:00 on Tuesday; the ride leaves at 10:43 that day.
    w = Week(visit_day=1, ride_day=1, window=(10, 11))
    assert w.out.starts_at < w.visit.ends_at
    w.hours(600)
    run = w.run(client)
    (visit,) = run.results["visits"]["proposals"]
    assert visit["volunteers"][0]["person_id"] == w.teresa.id
    assert run.results["rides"]["proposals"] == []
    assert [u["shift_id"] for u in run.results["rides"]["unserved"]] == [w.out.id]
    assert run.results["rides"]["baseline"]["unserved"] == [w.out.id]


def test_a_ride_pinned_on_a_re_solve_keeps_its_minutes_from_the_visits(client, inline):
    w = Week()
    limit = w.visit_min + w.ride_min - 10
    w.hours(limit)
    run = w.run(client)
    assert run.results["rides"]["proposals"] == []
    post_form(
        client,
        f"/match/runs/{run.id}/pin",
        {"shift_id": w.out.id, "person_id": w.teresa.id},
        page=f"/match/runs/{run.id}",
    )
    new = db.session.scalars(sa.select(MatchRun).order_by(MatchRun.id.desc())).first()
    assert new.parent_id == run.id and new.status == RunStatus.DONE, new.error
    (ride,) = new.results["rides"]["proposals"]
    assert ride["pinned"] is True and ride["volunteers"][0]["person_id"] == w.teresa.id
    assert new.results["visits"]["proposals"] == []  # the pin took the minutes
    assert [u["shift_id"] for u in new.results["visits"]["unserved"]] == [w.visit.id]
    assert _proposed_minutes(new, w.teresa.id) <= limit


def test_approval_counts_the_proposals_approved_in_the_same_action(client, inline):
    w = Week()
    w.hours(w.visit_min + w.ride_min)
    run = w.run(client)
    assert _proposed_minutes(run, w.teresa.id) == w.visit_min + w.ride_min
    # After the run Teresa lowers her hours: the visit still fits, the ride no longer.
    w.hours(w.visit_min + w.ride_min - 1)
    html = w.decide(client, run, action="approve", shift_id=[w.visit.id, w.out.id])
    assert "1 proposals approved" in html
    total = w.visit_min + w.ride_min
    assert (
        f"Shift {w.out.id} could not be approved: Teresa Rossi would then give "
        f"{total // 60} h {total % 60} min in the week of "
    ) in html
    assert f"more than the {(total - 1) // 60} h {(total - 1) % 60} min a week they offer" in html
    db.session.expire_all()
    assert w.visit.status == ShiftStatus.APPROVED and _seated(w.visit) == [w.teresa.id]
    for leg in (w.out, w.back):  # nothing of the refused ride was written
        assert leg.status == ShiftStatus.OPEN and _seated(leg) == []
    assert run.decisions == {str(w.visit.id): "approved"}


def test_approval_counts_shifts_held_since_the_run_and_says_so_in_italian(client, inline):
    w = Week()
    w.hours(w.visit_min + w.ride_min)
    run = w.run(client)
    # Meanwhile the coordinator gives Teresa another visit by hand, on Wednesday.
    day = w.monday + timedelta(days=2)
    resident = make_resident(w.org, lat=CENTRE[0], lon=CENTRE[1])
    other = make_request(w.org, visit_draft(day), resident=resident, actor=w.coordinator)
    (extra,) = shifts_of(other)
    shift_ops.assign(extra, w.teresa, w.coordinator)
    db.session.commit()
    post_form(client, "/language", {"locale": "it", "next": "/match/"}, page="/match/")
    html = w.decide(client, run, action="approve", shift_id=[w.visit.id, w.out.id])
    # The visit no longer fits next to the new one; the ride still does.
    total = 2 * w.visit_min
    assert (
        f"Il turno {w.visit.id} non può essere approvato: Teresa Rossi arriverebbe a "
        f"{total // 60} h {total % 60} min nella settimana del "
    ) in html
    assert "Proposte approvate: 1." in html
    db.session.expire_all()
    assert w.visit.status == ShiftStatus.OPEN and _seated(w.visit) == []
    assert w.out.status == w.back.status == ShiftStatus.APPROVED
    assert extra.status == ShiftStatus.APPROVED and _seated(extra) == [w.teresa.id]
