"""The directory of local activities and social prescribing: a coordinator adds an
activity, prescribes it from the case file (with a ride there when needed), and records
whether the person went and kept going."""

from __future__ import annotations

import sqlalchemy as sa

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident
from tests.helpers import login, post_form
from webapp.extensions import db
from webapp.referrals import operations
from webapp.referrals.models import DirectoryActivity, Prescription

CAFE = {"name": "Caffè della memoria", "what": "Coffee, cards and a chat", "place":
        "Centro anziani, Via Kennedy 2", "schedule": "Tuesdays 15:00-17:00", "cost": "free",
        "accessibility": "step-free", "contact": "0865 400200"}  # fmt: skip


def _login(client, user):  # type: ignore[no-untyped-def]
    assert login(client, user.email, PASSWORD).status_code == 302


def test_a_coordinator_adds_an_activity_and_prescribes_it_with_a_ride(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    maria = make_resident(org, first_name="Maria", last_name="Russo")
    db.session.commit()
    _login(client, coord)
    case = f"/desk/people/{maria.id}"
    assert "The activities directory is empty" in client.get(case).get_data(as_text=True)
    bad = post_form(client, "/referrals/activities", {**CAFE, "name": ""})
    assert bad.status_code == 200 and "Give the activity" in bad.get_data(as_text=True)
    assert post_form(client, "/referrals/activities", CAFE).status_code == 302
    activity = db.session.scalars(sa.select(DirectoryActivity)).one()
    assert (activity.schedule, activity.accessibility) == ("Tuesdays 15:00-17:00", "step-free")
    # Prescribed with a ride: the next page is the ride's booking form, for her.
    resp = post_form(client, f"/referrals/people/{maria.id}/prescribe",
                     {"activity_id": str(activity.id), "needs_ride": "y"}, page=case)  # fmt: skip
    assert resp.status_code == 302
    assert f"/requests/new?resident={maria.id}&kind=ride" in resp.headers["Location"]
    prescription = db.session.scalars(sa.select(Prescription)).one()
    assert prescription.needs_ride and prescription.went is None
    html = client.get(case).get_data(as_text=True)
    assert "Caffè della memoria" in html and "Prescribed: Caffè della memoria" in html
    # She went, and keeps going.
    url = f"/referrals/prescriptions/{prescription.id}/attendance"
    post_form(client, url, {"went": "yes"}, page=case)
    db.session.refresh(prescription)
    assert (prescription.went, prescription.kept_going) == (True, None)
    post_form(client, url, {"went": "yes", "kept_going": "yes"}, page=case)
    db.session.refresh(prescription)
    assert (prescription.went, prescription.kept_going) == (True, True)
    assert "went and keeps going" in client.get(case).get_data(as_text=True)
    assert post_form(client, url, {"went": "maybe"}, page=case).status_code == 400


def test_only_the_organisations_own_activities_are_prescribed(client, db_session):
    org, other = make_org(), make_org()
    coord = make_coordinator(org)
    maria = make_resident(org)
    operations.add_activity(org.id, CAFE)
    theirs = operations.add_activity(other.id, {**CAFE, "name": "Elsewhere"})
    db.session.commit()
    _login(client, coord)
    case = f"/desk/people/{maria.id}"
    assert "Elsewhere" not in client.get(case).get_data(as_text=True)
    resp = post_form(client, f"/referrals/people/{maria.id}/prescribe",
                     {"activity_id": str(theirs.id)}, page=case, follow_redirects=True)  # fmt: skip
    assert "Choose an activity from the directory" in resp.get_data(as_text=True)
    resp = post_form(client, f"/referrals/people/{maria.id}/prescribe",
                     {"activity_id": "abc"}, page=case, follow_redirects=True)  # fmt: skip
    assert resp.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(Prescription.id))) == 0


def test_did_not_go_means_did_not_keep_going(db_session):
    org = make_org()
    coord = make_coordinator(org)
    maria = make_resident(org)
    p = operations.prescribe(maria, operations.add_activity(org.id, CAFE), coord)
    operations.record_attendance(p, False, None)
    assert (p.went, p.kept_going) == (False, False)
