"""Referrals on the coordinator's side: a referral taken on the phone, the triage workflow
(owner, due date, new -> contacted -> assessed -> accepted, or closed with a reason), the
link to a resident record with the duplicate check, and the loneliness measure."""

from __future__ import annotations

import re
from datetime import date, timedelta

import sqlalchemy as sa

from tests.factories import make_coordinator, make_org, make_resident
from tests.helpers import post_form
from tests.referrals.support import FORM, S, login_as, submit_referral
from webapp.db import utcnow
from webapp.extensions import db
from webapp.people.models import Person
from webapp.referrals import operations, queries
from webapp.referrals.models import (
    Channel,
    LonelinessMeasure,
    Referral,
)

# --- the coordinator's side ----------------------------------------------------------------


def test_a_referral_taken_on_the_phone_is_owned_by_the_coordinator(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    login_as(client, coord)
    data = {k: v for k, v in FORM.items() if k != "agree"} | {"source_kind": "pharmacy"}
    resp = post_form(client, "/referrals/new", data)
    assert resp.status_code == 302
    referral = db.session.scalars(sa.select(Referral)).one()
    assert referral.owner_id == coord.id and referral.channel == Channel.PHONE
    assert referral.source_kind.value == "pharmacy"
    bad = post_form(client, "/referrals/new", {**data, "subject_name": ""})
    assert bad.status_code == 200 and "Give their name" in bad.get_data(as_text=True)


def test_the_desk_lists_new_referrals_and_the_late_ones(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    fresh = submit_referral(org, subject_name="Anna Fresca")
    old = submit_referral(org, subject_name="Bruno Vecchio", now=utcnow() - timedelta(days=6))
    db.session.commit()
    login_as(client, coord)
    html = client.get("/desk/").get_data(as_text=True)
    assert "Referrals to deal with" in html and "Anna Fresca" in html and "Bruno Vecchio" in html
    assert html.count("first contact late since") == 1
    assert queries.late(org.id) == [old]
    assert fresh in queries.queue(org.id)


def test_a_referral_is_linked_to_the_resident_already_on_file(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    maria = make_resident(org, first_name="Maria", last_name="Russo", phone="+39 0865 41 23 45",
                          address="Via Roma 3, Isernia")  # fmt: skip
    make_resident(org, first_name="Maria", last_name="Russo", phone="0865 999999",
                  address="Via Milano 8, Isernia")  # a namesake elsewhere: not offered  # fmt: skip
    referral = submit_referral(org)
    db.session.commit()
    login_as(client, coord)
    html = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert html.count("This is Maria Russo") == 1
    resp = post_form(client, f"/referrals/{referral.id}/link", {"person_id": str(maria.id)},
                     page=f"/referrals/{referral.id}")  # fmt: skip
    assert resp.status_code == 302
    db.session.refresh(referral)
    assert referral.person_id == maria.id
    case = client.get(f"/desk/people/{maria.id}").get_data(as_text=True)
    assert "Referred by Lucia Neri (A neighbour)" in case


def test_someone_new_is_registered_from_the_referral(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    referral = submit_referral(org, subject_name="Giovanni De Santis", subject_phone="333 1234567")
    db.session.commit()
    login_as(client, coord)
    html = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "Nobody on file has the same phone number" in html
    post_form(client, f"/referrals/{referral.id}/link", {"person_id": "new"},
              page=f"/referrals/{referral.id}")  # fmt: skip
    db.session.refresh(referral)
    person = db.session.get(Person, referral.person_id)
    assert (person.first_name, person.last_name, person.phone) == (
        "Giovanni", "De Santis", "333 1234567")  # fmt: skip
    assert person.is_resident and person.resident.consent_given_at is None  # not asked yet
    bad = post_form(client, f"/referrals/{referral.id}/link", {"person_id": "nobody"},
                    page=f"/referrals/{referral.id}", follow_redirects=True)  # fmt: skip
    assert bad.status_code == 200 and "Choose who this is" in bad.get_data(as_text=True)


def test_another_organisations_referral_is_not_found(client, db_session):
    org, other = make_org(), make_org()
    coord = make_coordinator(org)
    theirs = submit_referral(other)
    db.session.commit()
    login_as(client, coord)
    assert client.get(f"/referrals/{theirs.id}").status_code == 404


def test_the_path_new_contacted_assessed_accepted(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    maria = make_resident(org, first_name="Maria", last_name="Russo", phone="0865 412345")
    referral = submit_referral(org)
    operations.link_person(referral, maria)
    db.session.commit()
    login_as(client, coord)
    # Accepting before anyone reached her is refused.
    resp = post_form(client, f"/referrals/{referral.id}/accept", {},
                     page=f"/referrals/{referral.id}", follow_redirects=True)  # fmt: skip
    assert "cannot become accepted" in resp.get_data(as_text=True)
    # No answer is not a contact; a call that reached her is.
    post_form(client, f"/desk/people/{maria.id}/calls",
              {"outcome": "no_answer", "direction": "out"})  # fmt: skip
    db.session.refresh(referral)
    assert referral.status == S.NEW and referral.first_contact_at is None
    reached = {"outcome": "reached", "direction": "out", "note": "She agrees to a visit"}
    post_form(client, f"/desk/people/{maria.id}/calls", reached)
    db.session.refresh(referral)
    assert referral.status == S.CONTACTED and referral.first_contact_at is not None
    # The loneliness measure on the phone: assessed.
    resp = post_form(client, f"/referrals/people/{maria.id}/measure",
                     {"companionship": "3", "left_out": "2", "isolated": "3", "direct": "2",
                      "risk_factors": ["lives_alone", "bereaved"], "method": "phone"})  # fmt: skip
    assert resp.status_code == 302 and resp.headers["Location"].endswith("#loneliness")
    measure = db.session.scalars(sa.select(LonelinessMeasure)).one()
    assert (measure.score, measure.scale, measure.person_id) == (8, "ucla3", maria.id)
    assert measure.referral_id == referral.id
    assert measure.risk_factors == ["lives_alone", "bereaved"]
    db.session.refresh(referral)
    assert referral.status == S.ASSESSED and referral.assessed_at is not None
    case = client.get(f"/desk/people/{maria.id}").get_data(as_text=True)
    assert "8 of 9" in case and "risk: high" in case
    # High risk: her new visits and rides are suggested at high priority.
    new_visit = f"/requests/new?resident={maria.id}&amp;kind=visit&amp;priority=2"
    assert new_visit in case
    form = client.get(new_visit.replace("&amp;", "&")).get_data(as_text=True)
    checked = re.compile(r'<input checked[^>]*name="priority"[^>]*value="(\d)"')
    assert checked.findall(form) == ["2"]
    plain = client.get(f"/requests/new?resident={maria.id}&kind=visit").get_data(as_text=True)
    assert checked.findall(plain) == ["1"]
    post_form(client, f"/referrals/{referral.id}/accept", {}, page=f"/referrals/{referral.id}")
    db.session.refresh(referral)
    assert referral.status == S.ACCEPTED and referral.closed_at is not None


def test_a_measure_with_a_question_unanswered_names_it(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    maria = make_resident(org)
    db.session.commit()
    login_as(client, coord)
    resp = post_form(client, f"/referrals/people/{maria.id}/measure",
                     {"companionship": "3", "isolated": "9"})  # fmt: skip
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'href="#left_out"' in html
    assert db.session.scalar(sa.select(sa.func.count(LonelinessMeasure.id))) == 0


def test_closing_needs_a_reason_and_other_needs_words(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    referral = submit_referral(org)
    db.session.commit()
    login_as(client, coord)
    page = f"/referrals/{referral.id}"
    resp = post_form(client, f"{page}/decline", {}, page=page)
    assert resp.status_code == 200 and "Choose why it is closed" in resp.get_data(as_text=True)
    resp = post_form(client, f"{page}/decline", {"close_reason": "other"}, page=page)
    assert "Say why it is closed" in resp.get_data(as_text=True)
    resp = post_form(client, f"{page}/decline", {"close_reason": "unreachable"}, page=page)
    assert resp.status_code == 302
    db.session.refresh(referral)
    assert referral.status == S.DECLINED and referral.close_reason.value == "unreachable"
    resp = post_form(client, f"{page}/decline", {"close_reason": "refused"}, page=page)
    assert "cannot become declined" in resp.get_data(as_text=True)


def test_owner_and_due_date(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    referral = submit_referral(org)
    db.session.commit()
    login_as(client, coord)
    page = f"/referrals/{referral.id}"
    post_form(client, f"{page}/take", {}, page=page)
    db.session.refresh(referral)
    assert referral.owner_id == coord.id
    past = post_form(client, f"{page}/due", {"due_date": "2020-01-01"}, page=page)
    assert past.status_code == 200 and "must be in the future" in past.get_data(as_text=True)
    day = date.today() + timedelta(days=5)
    resp = post_form(client, f"{page}/due", {"due_date": day.isoformat()}, page=page)
    assert resp.status_code == 302
    db.session.refresh(referral)
    assert queries.aware(referral.due_at).date() == day
