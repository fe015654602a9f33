"""Issue 14, defect 3: an outcome can't be recorded before it could have happened; final,
consequential actions ask once; a coordinator can undo a no-show within a week, recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import PASSWORD, make_coordinator, make_org, make_volunteer
from tests.helpers import login, post_form
from tests.shifts.builders import make_request, shifts_of, visit_draft
from webapp.core.errors import FieldError
from webapp.db import utcnow
from webapp.extensions import db
from webapp.shifts import operations as ops
from webapp.shifts import outcomes
from webapp.shifts.models import NoShowSide, ShiftEvent, ShiftStatus

S = ShiftStatus


def _booked(client, days: float):  # type: ignore[no-untyped-def]
    """A visit ``days`` from now (negative: in the past) booked for a volunteer, and its
    coordinator logged in."""
    org = make_org()
    coord = make_coordinator(org)
    (shift,) = shifts_of(make_request(org, visit_draft(), actor=coord))
    ops.assign(shift, make_volunteer(org), coord)
    length = shift.ends_at - shift.starts_at
    shift.starts_at = utcnow() + timedelta(days=days)
    shift.ends_at = shift.starts_at + length
    db.session.commit()
    assert login(client, coord.email, PASSWORD).status_code == 302
    return shift, coord


def _post(client, shift, action: str, data: dict, **kw):  # type: ignore[no-untyped-def]
    return post_form(
        client, f"/shifts/{shift.id}/{action}", data, page=f"/shifts/{shift.id}/manage", **kw
    )


def test_a_no_show_eleven_days_ahead_is_refused(client, db_session):
    shift, _coord = _booked(client, 11)
    page = client.get(f"/shifts/{shift.id}/manage").get_data(as_text=True)
    assert "Record no-show" not in page
    assert "A no-show can be recorded once the shift has started." in page
    for data in ({"side": "resident"}, {"side": "resident", "confirmed": "1"}):
        resp = _post(client, shift, "no-show", data, follow_redirects=True)
        assert "can only be recorded once the shift has started" in resp.get_data(as_text=True)
        db.session.refresh(shift)
        assert shift.status == S.APPROVED
    with pytest.raises(FieldError):
        ops.record_no_show(shift, NoShowSide.RESIDENT, None)


def test_a_no_show_names_nobody_by_default_and_asks_once(client, db_session):
    shift, _coord = _booked(client, -0.1)
    page = client.get(f"/shifts/{shift.id}/manage").get_data(as_text=True)
    side = page[page.index('<select id="side"') :]
    side = side[: side.index("</select>")]
    assert "Choose…" in side and "selected" not in side  # nobody blamed by default
    resp = _post(client, shift, "no-show", {"side": ""}, follow_redirects=True)
    assert "Please say who did not turn up." in resp.get_data(as_text=True)
    resp = _post(client, shift, "no-show", {"side": "resident", "reason": "door shut"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Record that the resident did not turn up to the home visit on " in html
    assert "You can undo this from the shift&#39;s page for 7 days." in html
    assert 'name="reason" value="door shut"' in html
    db.session.refresh(shift)
    assert shift.status == S.APPROVED  # only asked
    data = {"side": "resident", "reason": "door shut", "confirmed": "1"}
    assert _post(client, shift, "no-show", data).status_code == 302
    db.session.refresh(shift)
    assert shift.status == S.NO_SHOW and shift.no_show_side == NoShowSide.RESIDENT


def test_a_coordinator_undoes_a_no_show_within_a_week_and_it_is_recorded(client, db_session):
    shift, coord = _booked(client, -0.1)
    _post(client, shift, "no-show", {"side": "volunteer", "confirmed": "1"})
    db.session.refresh(shift)
    assert shift.status == S.NO_SHOW
    page = client.get(f"/shifts/{shift.id}/manage").get_data(as_text=True)
    assert "Undo the no-show" in page
    resp = _post(client, shift, "undo-no-show", {}, follow_redirects=True)
    assert "No-show undone" in resp.get_data(as_text=True)
    db.session.refresh(shift)
    assert shift.status == S.APPROVED and shift.no_show_side is None
    last = db.session.query(ShiftEvent).filter_by(shift_id=shift.id).order_by(ShiftEvent.id).all()
    assert (last[-1].from_status, last[-1].to_status, last[-1].actor_id) == (
        "no_show",
        "approved",
        coord.id,
    )
    assert last[-1].reason == "no-show undone by a coordinator"
    # After the window it stays.
    ops.record_no_show(shift, NoShowSide.VOLUNTEER, coord)
    db.session.flush()
    with pytest.raises(FieldError, match="7 days"):
        outcomes.undo_no_show(shift, coord, now=utcnow() + timedelta(days=8))


def test_mark_as_done_and_cancel_ask_first(client, db_session):
    shift, _coord = _booked(client, -0.1)
    resp = _post(client, shift, "complete", {})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "will be credited the planned time, 1 h 0 min each" in html
    resp = _post(client, shift, "cancel", {"reason": "flu"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "will be told by message" in html
    assert "This cannot be undone." in html
    db.session.refresh(shift)
    assert shift.status == S.APPROVED
    assert _post(client, shift, "cancel", {"reason": "flu", "confirmed": "1"}).status_code == 302
    db.session.refresh(shift)
    assert shift.status == S.CANCELLED and shift.cancel_reason == "flu"
    # An action that is not allowed is refused at once, without a question first.
    resp = _post(client, shift, "cancel", {"reason": "again"}, follow_redirects=True)
    assert "flash-error" in resp.get_data(as_text=True)
