"""The coordinator's pages: start, results, approve, reject, pin and re-solve, permissions.

Runs solve inline here (``MATCHRUN_LAUNCH = "inline"``) so each test stays inside its
savepoint; the real child process is covered in test_worker.py and the browser test.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.factories import PASSWORD, make_coordinator, make_org, make_user
from tests.helpers import login, post_form
from tests.matchrun.scenario import small_org, start_run
from webapp.extensions import db
from webapp.matchrun.models import MatchRun, RunStatus
from webapp.people.models import VolunteerStatus
from webapp.shifts import operations as shift_ops
from webapp.shifts.models import Assignment, ShiftStatus


def _run(client, o):  # type: ignore[no-untyped-def]
    return start_run(client, o.coordinator, o.monday, "visits")


def _seated(shift):  # type: ignore[no-untyped-def]
    return sorted(
        db.session.scalars(
            sa.select(Assignment.volunteer_id).where(Assignment.shift_id == shift.id)
        )
    )


def test_propose_shows_proposals_reasons_and_first_come(client, inline):
    o = small_org()
    run = _run(client, o)
    assert run.status == RunStatus.DONE
    status = client.get(f"/match/runs/{run.id}/status.json").get_json()
    assert status["finished"] is True and status["progress"] == 1.0
    html = client.get(f"/match/runs/{run.id}").get_data(as_text=True)
    assert "Proposed matches" in html
    assert "Marco" in html and "km from home" in html and "load this week: 1 h 0 min" in html
    assert "no volunteer lives close enough" in html  # Elsa, translated from the solver
    assert "first come would have left this unfilled" in html  # Carla
    assert f'name="shift_id" value="{o.visits["carla"].id}"' in html
    # Nothing is written to the shifts before the coordinator approves.
    assert all(s.status == ShiftStatus.OPEN for s in o.visits.values())


def test_a_bad_range_is_explained_next_to_the_field(client, inline):
    o = small_org()
    login(client, o.coordinator.email, PASSWORD)
    resp = post_form(
        client,
        "/match/",
        {
            "date_from": o.monday.isoformat(),
            "date_to": (o.monday - timedelta(days=1)).isoformat(),
            "scope": "visits",
        },
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "The last day must not be before the first day." in html
    assert 'aria-invalid="true"' in html
    assert db.session.scalar(sa.select(sa.func.count(MatchRun.id))) == 0


def test_approve_selected_creates_approved_assignments(client, inline):
    o = small_org()
    run = _run(client, o)
    ada, dino, bruno = o.visits["ada"], o.visits["dino"], o.visits["bruno"]
    resp = post_form(
        client,
        f"/match/runs/{run.id}/decide",
        {"action": "approve", "shift_id": [ada.id, dino.id]},
        page=f"/match/runs/{run.id}",
        follow_redirects=True,
    )
    assert "2 proposals approved" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert ada.status == dino.status == ShiftStatus.APPROVED
    props = {p["shift_id"]: p for p in run.results["visits"]["proposals"]}
    assert _seated(ada) == [v["person_id"] for v in props[ada.id]["volunteers"]]
    assert len(_seated(dino)) == 2
    assert bruno.status == ShiftStatus.OPEN and _seated(bruno) == []
    assert run.decisions == {str(ada.id): "approved", str(dino.id): "approved"}
    # The volunteer finds it in their schedule (the shifts feature's page).
    volunteer = db.session.get(type(o.vols["giulia"]), _seated(ada)[0])
    mine = client.application.test_client()
    login(mine, volunteer.user.email, PASSWORD)
    assert f'data-shift="{ada.id}"' in mine.get("/shifts/mine").get_data(as_text=True)


def test_approve_all_and_reject(client, inline):
    o = small_org()
    run = _run(client, o)
    post_form(
        client,
        f"/match/runs/{run.id}/decide",
        {"action": "reject", "shift_id": [o.visits["bruno"].id]},
        page=f"/match/runs/{run.id}",
    )
    post_form(
        client,
        f"/match/runs/{run.id}/decide",
        {"action": "approve_all", "part": "visits"},
        page=f"/match/runs/{run.id}",
    )
    db.session.expire_all()
    assert o.visits["bruno"].status == ShiftStatus.OPEN  # turned down: stays open
    for name in ("ada", "carla", "dino"):
        assert o.visits[name].status == ShiftStatus.APPROVED
    assert o.visits["elsa"].status == ShiftStatus.OPEN
    html = client.get(f"/match/runs/{run.id}").get_data(as_text=True)
    assert "turned down" in html


def test_pin_and_resolve_keeps_the_pin_and_the_approved(client, inline):
    o = small_org()
    run = _run(client, o)
    ada, bruno = o.visits["ada"], o.visits["bruno"]
    post_form(
        client,
        f"/match/runs/{run.id}/decide",
        {"action": "approve", "shift_id": ada.id},
        page=f"/match/runs/{run.id}",
    )
    luca = o.vols["luca"]
    resp = post_form(
        client,
        f"/match/runs/{run.id}/pin",
        {"shift_id": bruno.id, "person_id": luca.id},
        page=f"/match/runs/{run.id}",
    )
    new = db.session.scalars(sa.select(MatchRun).order_by(MatchRun.id.desc())).first()
    assert new.id != run.id and new.parent_id == run.id
    assert resp.headers["Location"].endswith(f"/match/runs/{new.id}")
    assert new.status == RunStatus.DONE, new.error
    props = {p["shift_id"]: p for p in new.results["visits"]["proposals"]}
    assert [v["person_id"] for v in props[bruno.id]["volunteers"]] == [luca.id]
    assert props[bruno.id]["pinned"] is True
    assert props[ada.id]["fixed"] is True  # approved before: kept as it is
    assert new.results["visits"]["check_errors"] == []
    html = client.get(f"/match/runs/{new.id}").get_data(as_text=True)
    assert "pinned" in html and "already approved" in html
    post_form(
        client,
        f"/match/runs/{new.id}/decide",
        {"action": "approve", "shift_id": bruno.id},
        page=f"/match/runs/{new.id}",
    )
    db.session.expire_all()
    assert _seated(bruno) == [luca.id] and bruno.status == ShiftStatus.APPROVED


def test_namesakes_in_the_pin_list_can_be_told_apart(client, inline):
    o = small_org()
    for key, place in (("luca", "San Leucio"), ("giulia", "Santo Spirito")):
        person = o.vols[key]
        person.first_name, person.last_name, person.neighbourhood = "Nicola", "Caranci", place
    db.session.commit()
    run = _run(client, o)
    html = client.get(f"/match/runs/{run.id}").get_data(as_text=True)
    assert ">Nicola Caranci (San Leucio)</option>" in html
    assert ">Nicola Caranci (Santo Spirito)</option>" in html
    assert ">Nicola Caranci</option>" not in html


def test_pinning_someone_ineligible_is_refused(client, inline):
    o = small_org()
    run = _run(client, o)
    resp = post_form(
        client,
        f"/match/runs/{run.id}/pin",
        {"shift_id": o.visits["carla"].id, "person_id": o.vols["giulia"].id},
        page=f"/match/runs/{run.id}",
        follow_redirects=True,
    )
    assert "This volunteer cannot take this shift." in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(MatchRun.id))) == 1


def test_a_proposal_invalidated_meanwhile_gets_a_clear_message(client, inline):
    o = small_org()
    run = _run(client, o)
    ada, carla = o.visits["ada"], o.visits["carla"]
    props = {p["shift_id"]: p for p in run.results["visits"]["proposals"]}
    ada_vol = db.session.get(type(o.vols["giulia"]), props[ada.id]["volunteers"][0]["person_id"])
    ada_vol.volunteer.status = VolunteerStatus.SUSPENDED  # suspended after the run
    shift_ops.claim(carla, o.vols["marco"], o.vols["marco"].user)  # Carla taken meanwhile
    db.session.flush()
    resp = post_form(
        client,
        f"/match/runs/{run.id}/decide",
        {"action": "approve", "shift_id": [ada.id, carla.id, o.visits["bruno"].id]},
        page=f"/match/runs/{run.id}",
        follow_redirects=True,
    )
    html = resp.get_data(as_text=True)
    assert f"Shift {ada.id} could not be approved: your volunteering is suspended" in html
    assert f"Shift {carla.id} could not be approved: This shift is no longer open" in html
    assert "1 proposals approved" in html
    db.session.expire_all()
    assert _seated(ada) == [] and ada.status == ShiftStatus.OPEN
    assert _seated(carla) == [o.vols["marco"].id] and carla.status == ShiftStatus.CLAIMED
    assert o.visits["bruno"].status == ShiftStatus.APPROVED


def test_permissions(client, inline):
    o = small_org()
    run = _run(client, o)
    other_org = make_org()
    stranger = make_coordinator(other_org)
    member = make_user(o.org)
    fresh = client.application.test_client()
    assert fresh.get(f"/match/runs/{run.id}").status_code == 302  # anonymous: log in
    login(fresh, stranger.email, PASSWORD)
    for url in (f"/match/runs/{run.id}", f"/match/runs/{run.id}/status.json"):
        assert fresh.get(url).status_code == 404
    assert (
        post_form(
            fresh,
            f"/match/runs/{run.id}/decide",
            {"action": "approve_all", "part": "visits"},
            page="/match/",
        ).status_code
        == 404
    )
    assert (
        post_form(
            fresh,
            f"/match/runs/{run.id}/pin",
            {"shift_id": o.visits["ada"].id, "person_id": o.vols["luca"].id},
            page="/match/",
        ).status_code
        == 404
    )
    member_client = client.application.test_client()
    login(member_client, member.email, PASSWORD)
    assert member_client.get("/match/").status_code == 403
    assert member_client.get(f"/match/runs/{run.id}").status_code == 403


def test_nav_shows_match_to_coordinators_only(client, inline):
    o = small_org()
    login(client, o.coordinator.email, PASSWORD)
    assert 'href="/match/"' in client.get("/match/").get_data(as_text=True)


def test_a_failed_run_explains_itself_without_a_traceback(client, inline):
    o = small_org()
    o.vols["giulia"].lat = 95.0
    db.session.flush()
    run = _run(client, o)
    assert run.status == RunStatus.FAILED
    resp = client.get(f"/match/runs/{run.id}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Matching failed" in html
    assert "The data could not be matched: volunteer" in html and "latitude must be" in html
    assert "Traceback" not in html


def test_a_run_whose_worker_died_is_marked_failed(client, app):
    app.config["MATCHRUN_LAUNCH"] = "none"
    try:
        o = small_org()
        run = _run(client, o)
        assert run.status == RunStatus.QUEUED
        page = client.get(f"/match/runs/{run.id}").get_data(as_text=True)
        assert "Matching in progress" in page and 'http-equiv="refresh"' in page
        run.created_at = run.created_at - timedelta(hours=1)
        db.session.flush()
        status = client.get(f"/match/runs/{run.id}/status.json").get_json()
        assert status["status"] == "failed" and status["finished"] is True
        assert "stopped unexpectedly" in client.get(f"/match/runs/{run.id}").get_data(as_text=True)
    finally:
        app.config["MATCHRUN_LAUNCH"] = "process"


def test_the_results_page_speaks_italian(client, inline):
    o = small_org()
    run = _run(client, o)
    post_form(client, "/language", {"locale": "it", "next": "/match/"}, page="/match/")
    assert "Proponi abbinamenti" in client.get("/match/").get_data(as_text=True)
    html = client.get(f"/match/runs/{run.id}").get_data(as_text=True)
    assert "Abbinamenti proposti" in html and "Approva i selezionati" in html
    assert "nessun volontario abita abbastanza vicino" in html
