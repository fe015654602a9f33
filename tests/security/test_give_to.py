"""The time bank's "give to" list shows only the people one has exchanged time with,
not the organisation's whole roster (residents, applicants, rejected volunteers)."""

from __future__ import annotations

from datetime import date

from tests.factories import PASSWORD, make_org, make_resident, make_user, make_volunteer
from tests.helpers import login
from tests.timebank.helpers import real_shift_ids
from webapp.extensions import db
from webapp.people.models import VolunteerStatus
from webapp.timebank.payments import pay_for_shift


def test_give_to_lists_only_people_one_has_exchanged_time_with(client, db_session):
    org = make_org()
    me = make_resident(org, first_name="Teresa", last_name="Bianchi")
    make_user(org, person=me, email="teresa@give.example")
    helper = make_volunteer(org, first_name="Marco", last_name="Verdi")
    strangers = [
        make_resident(org, first_name="Lucia", last_name="Sola"),
        make_volunteer(org, first_name="Piero", status=VolunteerStatus.PENDING),
        make_volunteer(org, first_name="Renzo", status=VolunteerStatus.REJECTED),
        make_volunteer(org, first_name="Gino"),
    ]
    shift = real_shift_ids(org, 1, resident=me)[0]
    pay_for_shift(
        shift_id=shift,
        organisation_id=org.id,
        kind="visit",
        service_date=date.today(),
        resident_person_id=me.id,
        volunteers=[(helper.id, 60)],
        actor_id=None,
    )
    db.session.commit()
    login(client, "teresa@give.example", PASSWORD)
    html = client.get("/timebank/").get_data(as_text=True)
    assert "Marco V." in html and "Community chest" in html
    for person in strangers:
        assert f"{person.first_name} {person.last_name[:1]}." not in html
    # Nor can the form or the API be used to give to a stranger.
    from tests.helpers import csrf_from

    resp = client.post(
        "/api/v1/donations",
        json={"id": "x1", "to": strangers[0].id, "minutes": 5},
        headers={"X-CSRFToken": csrf_from(html)},
    )
    assert resp.status_code == 422 and resp.get_json()["field"] == "to"
