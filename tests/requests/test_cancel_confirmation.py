"""Issue 14, defect 6: the cancel buttons ask once, in plain words, on a page of their
own (no JavaScript), and "No" changes nothing."""

from __future__ import annotations

from tests.factories import (
    PASSWORD,
    make_coordinator,
    make_org,
    make_resident,
    make_user,
    make_volunteer,
)
from tests.helpers import login, post_form
from tests.shifts.builders import make_request, ride_draft, shifts_of, visit_draft
from webapp.extensions import db
from webapp.shifts import operations as ops
from webapp.shifts.models import ShiftStatus

S = ShiftStatus


def test_a_resident_is_asked_once_in_plain_words(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    maria = make_resident(org)
    (visit,) = shifts_of(make_request(org, visit_draft(), resident=maria, actor=coord))
    gino = make_volunteer(org, first_name="Gino")
    ops.assign(visit, gino, coord)
    db.session.commit()
    assert login(client, make_user(org, person=maria).email, PASSWORD).status_code == 302
    mine = client.get("/requests/mine").get_data(as_text=True)
    assert "Cancel this visit" in mine
    resp = post_form(client, f"/requests/shift/{visit.id}/cancel", {"reason": "a cold"},
                     page="/requests/mine")  # fmt: skip
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Do you want to cancel your visit on " in html
    assert "We will tell Gino that you do not need them." in html
    assert "Yes, cancel it" in html and "No, keep it" in html
    assert 'href="/requests/mine"' in html  # "No" goes back, nothing posted
    assert "<script>" not in html and "onclick" not in html
    db.session.refresh(visit)
    assert visit.status == S.APPROVED  # asked, nothing done
    resp = post_form(client, f"/requests/shift/{visit.id}/cancel",
                     {"reason": "a cold", "confirmed": "1"}, page="/requests/mine")  # fmt: skip
    assert resp.status_code == 302
    db.session.refresh(visit)
    assert visit.status == S.CANCELLED and visit.cancel_reason == "a cold"


def test_a_ride_says_both_legs_go(client, db_session):
    org = make_org()
    maria = make_resident(org)
    out, _back = shifts_of(make_request(org, ride_draft(), resident=maria))
    db.session.commit()
    assert login(client, make_user(org, person=maria).email, PASSWORD).status_code == 302
    html = post_form(client, f"/requests/shift/{out.id}/cancel", {},
                     page="/requests/mine").get_data(as_text=True)  # fmt: skip
    assert "Do you want to cancel your ride on " in html
    assert "The ride there and the ride back are both cancelled." in html


def test_a_volunteer_is_asked_before_giving_a_shift_back(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    (visit,) = shifts_of(make_request(org, visit_draft(), actor=coord))
    vol = make_volunteer(org)
    ops.assign(visit, vol, coord)
    db.session.commit()
    assert login(client, vol.user.email, PASSWORD).status_code == 302
    resp = post_form(client, f"/shifts/{visit.id}/withdraw", {"reason": "flu"},
                     page="/shifts/mine")  # fmt: skip
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "You will no longer do the home visit on " in html
    assert "Yes, give it back" in html and "No, I will go" in html
    db.session.refresh(visit)
    assert visit.status == S.APPROVED
    resp = post_form(client, f"/shifts/{visit.id}/withdraw", {"reason": "flu", "confirmed": "1"},
                     page="/shifts/mine")  # fmt: skip
    assert resp.status_code == 302
    db.session.refresh(visit)
    assert visit.status == S.OPEN
