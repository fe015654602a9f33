"""Suspending a volunteer cuts them off; a lapsed credential releases what it covers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident, make_volunteer
from tests.helpers import login, messages_to, post_form
from tests.shifts.builders import in_days, make_request, shifts_of, visit_draft
from webapp.auth import operations as auth_ops
from webapp.auth import tokens as reset_tokens
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.people.models import CredentialKind
from webapp.shifts import operations as shift_ops
from webapp.shifts.models import CalendarToken, ShiftStatus
from webapp.timebank.tokens import create_token


def _booked_world():  # type: ignore[no-untyped-def]
    org = make_org()
    coordinator = make_coordinator(org)
    volunteer = make_volunteer(org, first_name="Sandro")
    resident = make_resident(org, first_name="Lucia", address="Via Segreta 7, Isernia")
    request = make_request(org, visit_draft(in_days(5)), resident=resident, actor=coordinator)
    shift = shifts_of(request)[0]
    shift_ops.assign(shift, volunteer, coordinator)
    db.session.flush()
    return org, coordinator, volunteer, resident, shift


def _suspend(client, coordinator, volunteer):  # type: ignore[no-untyped-def]
    login(client, coordinator.email, PASSWORD)
    page = f"/coordinator/people/{volunteer.id}"
    resp = post_form(
        client, f"{page}/status", {"action": "suspend", "reason": "complaint"}, page=page
    )
    assert resp.status_code == 302
    client.post("/logout", data={"csrf_token": _token(client)})


def _token(client) -> str:  # type: ignore[no-untyped-def]
    from tests.helpers import csrf_token

    return csrf_token(client)


def test_suspension_releases_shifts_revokes_everything_and_blocks_login(client, db_session):
    org, coordinator, volunteer, resident, shift = _booked_world()
    user = volunteer.user
    feed = CalendarToken(person_id=volunteer.id, token="feed-secret-123")
    db.session.add(feed)
    _row, api_secret = create_token(user, "phone")
    reset_token = reset_tokens.make_token(user)
    [approved] = messages_to(volunteer, "shift_approved")
    assert "Via Segreta 7" in approved.body
    db.session.commit()

    _suspend(client, coordinator, volunteer)

    # The shift is open again for others, and the coordinators were told.
    db.session.refresh(shift)
    assert shift.status == ShiftStatus.OPEN and shift.assignments == []
    told = db.session.scalars(
        sa.select(Notification).where(
            Notification.user_id == coordinator.id, Notification.kind == "shifts_released"
        )
    ).all()
    assert len(told) == 1 and "Sandro" in told[0].subject
    # No way back in: login, reset link, API token, calendar feed.
    resp = login(client, user.email, PASSWORD)
    assert resp.status_code == 200 and "suspended" in resp.get_data(as_text=True)
    assert client.get("/shifts/mine").status_code == 302
    assert not auth_ops.request_reset(user.email, lambda t: t)
    assert client.get(f"/password/reset/{reset_token}").status_code == 400
    api = client.get("/api/v1/me/balance", headers={"Authorization": f"Bearer {api_secret}"})
    assert api.status_code == 401
    assert client.get("/shifts/calendar/feed-secret-123.ics").status_code == 404
    # The old message no longer holds the resident's address; the new one never did.
    db.session.refresh(approved)
    assert "Via Segreta 7" not in approved.body
    released = messages_to(volunteer, "shift_released")
    assert released and all("Via Segreta 7" not in m.body for m in released)


def test_reinstated_volunteer_can_log_in_again(client, db_session):
    org, coordinator, volunteer, resident, shift = _booked_world()
    db.session.commit()
    _suspend(client, coordinator, volunteer)
    login(client, coordinator.email, PASSWORD)
    page = f"/coordinator/people/{volunteer.id}"
    post_form(client, f"{page}/status", {"action": "reinstate"}, page=page)
    client.post("/logout", data={"csrf_token": _token(client)})
    assert login(client, volunteer.user.email, PASSWORD).status_code == 302


def test_lapsed_background_check_releases_the_shifts_it_no_longer_covers(db_session):
    from webapp.shifts.tasks import run_release_lapsed

    org, coordinator, volunteer, resident, shift = _booked_world()
    early = make_request(org, visit_draft(in_days(2)), resident=resident, actor=coordinator)
    early_shift = shifts_of(early)[0]
    shift_ops.assign(early_shift, volunteer, coordinator)
    [check] = [c for c in volunteer.credentials if c.kind == CredentialKind.BACKGROUND_CHECK]
    check.expires_on = date.today() + timedelta(days=3)  # covers day 2, not day 5
    db.session.flush()
    rome = ZoneInfo("Europe/Rome")
    now = datetime.now(rome).replace(hour=8, minute=0, second=0, microsecond=0)
    assert "1 shifts released" in run_release_lapsed(now)
    db.session.refresh(shift)
    db.session.refresh(early_shift)
    assert shift.status == ShiftStatus.OPEN and shift.assignments == []
    assert early_shift.status == ShiftStatus.APPROVED
    [told] = db.session.scalars(
        sa.select(Notification).where(
            Notification.user_id == coordinator.id, Notification.kind == "shifts_released"
        )
    ).all()
    assert "Sandro" in told.body
    [notice] = messages_to(volunteer, "shift_released")
    assert "runs out" in notice.body
