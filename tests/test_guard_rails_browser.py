"""Issue 14 in real Chromium: a resident's cancel asks once in plain words, a bulk
approval of many proposals shows the count and asks once, a coordinator settles held
check-in times and undoes a no-show (docs/guard-rails.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.browser import log_in, serious_violations
from tests.factories import make_coordinator, make_org, make_resident, make_user, make_volunteer
from tests.matchrun.scenario import more_visits, small_org
from tests.shifts.builders import make_request, shifts_of, visit_draft
from webapp.db import utcnow
from webapp.extensions import db
from webapp.matchrun import operations as match_ops
from webapp.matchrun.models import MatchRun, RunScope
from webapp.matchrun.worker import run as solve
from webapp.shifts import operations as ops
from webapp.shifts.models import Shift, ShiftStatus
from webapp.timebank.models import Transfer

pytestmark = pytest.mark.browser
S = ShiftStatus


def _status(shift_id: int) -> ShiftStatus:
    db.session.rollback()  # end the read transaction: see what the server committed
    return db.session.get(Shift, shift_id).status


def test_a_resident_cancels_a_visit_after_one_plain_question(app, page):
    with app.test_request_context():
        org = make_org()
        coord = make_coordinator(org)
        maria = make_resident(org, first_name="Maria")
        make_user(org, person=maria, email="maria@example.org")
        (visit,) = shifts_of(make_request(org, visit_draft(), resident=maria, actor=coord))
        ops.assign(visit, make_volunteer(org, first_name="Gino"), coord)
        db.session.commit()
        visit_id = visit.id
    log_in(page, "maria@example.org")
    page.goto("/requests/mine")
    page.get_by_role("button", name="Cancel this visit").click()
    page.get_by_role("heading", name="Cancel your visit?").wait_for()
    assert page.get_by_text("We will tell Gino that you do not need them.").is_visible()
    assert serious_violations(page) == []
    # "No" changes nothing and leads back.
    page.get_by_role("link", name="No, keep it").click()
    page.get_by_role("heading", name="My visits and rides").wait_for()
    assert _status(visit_id) == S.APPROVED
    # Again, by keyboard this time, and "Yes".
    page.get_by_role("button", name="Cancel this visit").click()
    yes = page.get_by_role("button", name="Yes, cancel it")
    yes.focus()
    page.keyboard.press("Enter")
    page.get_by_text("Cancelled. Thank you for letting us know.").wait_for()
    assert _status(visit_id) == S.CANCELLED


def test_approve_all_home_visits_shows_the_count_and_asks_once(app, desk_page):
    app.config["MATCHRUN_TIME_LIMIT_S"] = 2.0
    try:
        with app.test_request_context():
            o = small_org(with_rides=True)
            more_visits(o, 3)
            run = match_ops.start_run(
                o.coordinator, o.monday, o.monday + timedelta(days=6), RunScope.BOTH
            )
            db.session.commit()
            solve(run.id)  # solved here, before the browser looks
            db.session.rollback()
            run = db.session.get(MatchRun, run.id)
            visits = [p["shift_id"] for p in run.results["visits"]["proposals"]]
            ride = run.results["rides"]["proposals"][0]["shift_id"]
            email, run_id = o.coordinator.email, run.id
    finally:
        app.config.pop("MATCHRUN_TIME_LIMIT_S", None)
    assert len(visits) > 5
    page = desk_page
    log_in(page, email)
    page.goto(f"/match/runs/{run_id}")
    page.get_by_role("button", name="Approve all home visits").click()
    page.get_by_role("heading", name=f"Approve {len(visits)} proposals?").wait_for()
    assert page.get_by_text("Only the Home visits part of this run.").is_visible()
    assert serious_violations(page) == []
    assert _status(visits[0]) == S.OPEN  # asked, nothing approved yet
    page.get_by_role("button", name=f"Yes, approve {len(visits)}").click()
    page.get_by_text(f"{len(visits)} proposals approved").wait_for()
    assert all(_status(v) == S.APPROVED for v in visits)
    assert _status(ride) == S.OPEN  # the rides part was not touched


def test_a_coordinator_settles_held_times_and_undoes_a_no_show(app, desk_page):
    with app.test_request_context():
        org = make_org()
        coord = make_coordinator(org, email="coord-guard@example.org")
        legs = []
        for hours_ago in (30, 3):
            (shift,) = shifts_of(make_request(org, visit_draft(), actor=coord))
            ops.assign(shift, make_volunteer(org, first_name="Gino"), coord)
            length = shift.ends_at - shift.starts_at
            shift.starts_at = utcnow() - timedelta(hours=hours_ago)
            shift.ends_at = shift.starts_at + length
            legs.append(shift)
        held, missed = legs
        ops.complete(held, coord, actual_start=held.starts_at - timedelta(hours=8),
                     actual_end=held.ends_at + timedelta(hours=8))  # fmt: skip
        db.session.commit()
        held_id, missed_id = held.id, missed.id
    page = desk_page
    log_in(page, "coord-guard@example.org")
    page.goto("/shifts/times-to-check")
    page.get_by_role("heading", name="Times to check").wait_for()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Use the planned times").click()
    page.get_by_text("Times confirmed; the hours are credited.").wait_for()
    assert page.get_by_text("No times to check.").is_visible()
    db.session.rollback()
    assert db.session.scalars(sa.select(Transfer.amount).where(Transfer.shift_id == held_id)).all()
    # A no-show: who did not turn up is chosen, asked once, then undone.
    page.goto(f"/shifts/{missed_id}/manage")
    page.select_option("#side", "volunteer")
    page.get_by_role("button", name="Record no-show").click()
    page.get_by_role("heading", name="Record a no-show?").wait_for()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Yes, record the no-show").click()
    page.get_by_role("button", name="Undo the no-show").click()
    page.get_by_text("No-show undone; the shift is booked again").wait_for()
    assert _status(missed_id) == S.APPROVED
