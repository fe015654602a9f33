"""Referrals: the public form (no login, consent, spam and flood kept out, never a 500),
a referral taken on the phone, the triage workflow (owner, due date, new -> contacted ->
assessed -> accepted, or closed with a reason), the link to a resident record with the
duplicate check, the loneliness measure and its re-measure, and the path's times."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident, make_volunteer
from tests.helpers import login, post_form
from tests.shifts.builders import make_request, shifts_of, visit_draft
from webapp.db import utcnow
from webapp.demo.loader import demo_organisation, load_demo
from webapp.extensions import db
from webapp.orgs.settings import settings_for
from webapp.people.models import Person
from webapp.referrals import operations, queries
from webapp.referrals.models import (
    Channel,
    LonelinessMeasure,
    Referral,
    ReferralStatus,
)
from webapp.shifts import operations as shift_ops

S = ReferralStatus
FORM = {
    "subject_name": "Maria Russo",
    "subject_phone": "0865 412345",
    "subject_address": "Via Roma 3, Isernia",
    "reason": "She has not left the flat since her husband died.",
    "consent": "not_asked",
    "source_kind": "neighbour",
    "referrer_name": "Lucia Neri",
    "referrer_contact": "lucia@example.org",
    "agree": "y",
}


def _login(client, user):  # type: ignore[no-untyped-def]
    assert login(client, user.email, PASSWORD).status_code == 302


def _referral(org, **kw):  # type: ignore[no-untyped-def]
    data = {**FORM, **kw}
    return operations.submit(org.id, data, channel=Channel.ONLINE, now=kw.pop("now", None))


# --- the public form ---------------------------------------------------------------------


def test_anyone_refers_someone_without_logging_in(client, db_session):
    org = make_org()
    html = client.get(f"/refer/{org.slug}").get_data(as_text=True)
    assert "Worried about someone?" in html and "first call asks" in html
    resp = post_form(client, f"/refer/{org.slug}", FORM)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/thanks")
    (referral,) = db.session.scalars(sa.select(Referral)).all()
    assert referral.source_kind.value == "neighbour" and referral.channel == Channel.ONLINE
    assert referral.status == S.NEW and referral.person_id is None and referral.owner_id is None
    assert referral.consent.value == "not_asked"
    # First contact due within two working days.
    assert timedelta(days=2) <= referral.due_at - referral.created_at <= timedelta(days=4)
    assert "within two working days" in client.get(resp.headers["Location"]).get_data(
        as_text=True
    )


def test_one_organisation_is_chosen_for_you_several_are_offered(client, db_session):
    org = make_org()
    assert client.get("/refer").headers["Location"].endswith(f"/refer/{org.slug}")
    make_org()
    html = client.get("/refer").get_data(as_text=True)
    assert "Municipality or organisation" in html
    assert client.get("/refer?organisation=nope").status_code == 200
    assert client.get("/refer/no-such-town").status_code == 404


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"subject_name": ""}, "subject_name", "Give their name"),
        ({"subject_phone": "", "subject_address": ""}, "subject_phone", "phone number or"),
        ({"subject_phone": "12", "subject_address": ""}, "subject_phone", "does not look like"),
        ({"referrer_name": ""}, "referrer_name", "Tell us your name"),
        ({"referrer_contact": ""}, "referrer_contact", "where we can reach you"),
        ({"source_kind": "martian"}, "source_kind", "how you know them"),
        ({"consent": ""}, "consent", "know about this referral"),
        ({"agree": ""}, "agree", "Tick the box"),
        ({"subject_name": "x" * 500}, "subject_name", "200"),
    ],
)
def test_bad_input_is_named_next_to_its_field_never_a_500(
    client, db_session, change, field, message
):
    org = make_org()
    data = {k: v for k, v in {**FORM, **change}.items() if v != ""}
    resp = post_form(client, f"/refer/{org.slug}", data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, html
    assert f'href="#{field}"' in html and message in html
    assert db.session.scalar(sa.select(sa.func.count(Referral.id))) == 0


def test_without_a_valid_csrf_token_nothing_is_saved(client, db_session):
    org = make_org()
    resp = client.post(f"/refer/{org.slug}", data=FORM)
    assert resp.status_code == 400 and "form may have expired" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Referral.id))) == 0


def test_a_robot_filling_the_hidden_field_is_thanked_and_nothing_kept(client, db_session):
    org = make_org()
    resp = post_form(client, f"/refer/{org.slug}", {**FORM, "website": "http://spam"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/thanks")
    assert db.session.scalar(sa.select(sa.func.count(Referral.id))) == 0


def test_a_flood_from_one_connection_is_stopped_with_a_way_to_call(app, client, db_session):
    org = make_org()
    org.phone = "0865 123456"
    limit = app.config["REFERRALS_PER_ADDRESS"]
    for n in range(limit):
        resp = post_form(client, f"/refer/{org.slug}", {**FORM, "subject_name": f"P {n}"})
        assert resp.status_code == 302
    resp = post_form(client, f"/refer/{org.slug}", FORM)
    assert resp.status_code == 429
    assert "0865 123456" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Referral.id))) == limit


# --- the coordinator's side ----------------------------------------------------------------


def test_a_referral_taken_on_the_phone_is_owned_by_the_coordinator(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    _login(client, coord)
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
    fresh = _referral(org, subject_name="Anna Fresca")
    old = _referral(org, subject_name="Bruno Vecchio", now=utcnow() - timedelta(days=6))
    db.session.commit()
    _login(client, coord)
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
    referral = _referral(org)
    db.session.commit()
    _login(client, coord)
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
    referral = _referral(org, subject_name="Giovanni De Santis", subject_phone="333 1234567")
    db.session.commit()
    _login(client, coord)
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
    theirs = _referral(other)
    db.session.commit()
    _login(client, coord)
    assert client.get(f"/referrals/{theirs.id}").status_code == 404


def test_the_path_new_contacted_assessed_accepted(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    maria = make_resident(org, first_name="Maria", last_name="Russo", phone="0865 412345")
    referral = _referral(org)
    operations.link_person(referral, maria)
    db.session.commit()
    _login(client, coord)
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
    _login(client, coord)
    resp = post_form(client, f"/referrals/people/{maria.id}/measure",
                     {"companionship": "3", "isolated": "9"})  # fmt: skip
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'href="#left_out"' in html
    assert db.session.scalar(sa.select(sa.func.count(LonelinessMeasure.id))) == 0


def test_closing_needs_a_reason_and_other_needs_words(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    referral = _referral(org)
    db.session.commit()
    _login(client, coord)
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
    referral = _referral(org)
    db.session.commit()
    _login(client, coord)
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


# --- times and the report --------------------------------------------------------------------


def test_the_first_visit_done_is_the_first_help(db_session):
    org = make_org()
    coord = make_coordinator(org)
    maria = make_resident(org)
    referral = _referral(org, now=utcnow() - timedelta(days=10))
    operations.link_person(referral, maria)
    (shift,) = shifts_of(make_request(org, visit_draft(), resident=maria, actor=coord))
    assert queries.first_booked(maria.id, referral.created_at) == shift
    shift_ops.assign(shift, make_volunteer(org), coord)
    shift.starts_at = utcnow() - timedelta(hours=2)
    shift.ends_at = utcnow() - timedelta(hours=1)
    shift_ops.complete(shift, coord)
    assert referral.first_help_at == shift.starts_at
    assert 9.5 < queries.days_between(referral.created_at, referral.first_help_at) < 10.5


def _at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def test_the_funnel_against_a_hand_computed_fixture(db_session):
    """Five referrals, three sources. Pharmacy: A contacted after 1 day, assessed,
    accepted, helped after 7 days; B contacted after 3 days, closed unreachable.
    Neighbour: C contacted after 2 days, helped after 11; D new. GP: E new.
    Hand-computed: pharmacy 2/2/1/1/1/1, median to contact (1+3)/2 = 2.0, to help 7.0;
    neighbour 2/1/0/0/1/0, to contact 2.0, to help 11.0; all 5/3/1/1/2/1, to contact
    median(1, 3, 2) = 2.0, to help median(7, 11) = 9.0."""
    org = make_org()
    a = _referral(org, source_kind="pharmacy", now=_at(2))
    operations.move(a, S.CONTACTED, _at(3))
    operations.move(a, S.ASSESSED, _at(4))
    operations.move(a, S.ACCEPTED, _at(5))
    a.first_help_at = _at(9)
    b = _referral(org, source_kind="pharmacy", now=_at(2))
    operations.move(b, S.CONTACTED, _at(5))
    operations.decline(b, "unreachable", None, _at(20))
    c = _referral(org, source_kind="neighbour", now=_at(10))
    operations.move(c, S.CONTACTED, _at(12))
    c.first_help_at = _at(21)
    _referral(org, source_kind="neighbour", now=_at(11))
    _referral(org, source_kind="gp", now=_at(12))
    _referral(make_org(), source_kind="gp", now=_at(12))  # another organisation's
    db.session.flush()
    rows = {r.source: r for r in queries.funnel(org.id)}
    assert list(rows) == ["neighbour", "pharmacy", "gp", "all"]

    def counts(r):  # type: ignore[no-untyped-def]
        return (r.referrals, r.contacted, r.assessed, r.accepted, r.helped, r.declined)

    assert counts(rows["pharmacy"]) == (2, 2, 1, 1, 1, 1)
    assert (rows["pharmacy"].median_to_contact, rows["pharmacy"].median_to_help) == (2.0, 7.0)
    assert counts(rows["neighbour"]) == (2, 1, 0, 0, 1, 0)
    assert (rows["neighbour"].median_to_contact, rows["neighbour"].median_to_help) == (2.0, 11.0)
    assert counts(rows["gp"]) == (1, 0, 0, 0, 0, 0) and rows["gp"].median_to_contact is None
    assert counts(rows["all"]) == (5, 3, 1, 1, 2, 1)
    assert (rows["all"].median_to_contact, rows["all"].median_to_help) == (2.0, 9.0)
    # Since a date: only the later referrals.
    since = {r.source: r.referrals for r in queries.funnel(org.id, _at(10))}
    assert since == {"neighbour": 2, "gp": 1, "all": 3}


def test_the_report_page(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    _referral(org, source_kind="pharmacy", now=utcnow() - timedelta(days=8))
    db.session.commit()
    _login(client, coord)
    html = client.get("/referrals/report").get_data(as_text=True)
    assert "Pharmacy" in html and "All sources" in html and "First contact late" in html
    assert client.get("/referrals/report?days=30").status_code == 200
    assert client.get("/referrals/report?days=-5").status_code == 200


def test_the_re_measure_falls_due_after_the_organisations_months(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    maria = make_resident(org, first_name="Maria", last_name="Russo")
    answers = {"companionship": 3, "left_out": 3, "isolated": 2}
    operations.record_measure(maria, coord, answers=answers, direct=None, factors=[],
                              now=datetime(2026, 8, 31, 10, tzinfo=UTC))  # fmt: skip
    assert queries.remeasure_due(org.id, date(2026, 11, 29)) == []
    (due,) = queries.remeasure_due(org.id, date(2026, 11, 30))  # 3 months: 30 November
    assert due.person == maria and due.last.score == 8
    # A new measure resets the clock and shows the change.
    operations.record_measure(maria, coord, answers={**answers, "left_out": 1}, direct=4,
                              factors=[], now=datetime(2026, 11, 30, 10, tzinfo=UTC))  # fmt: skip
    assert queries.remeasure_due(org.id, date(2026, 12, 1)) == []
    db.session.commit()
    _login(client, coord)
    case = client.get(f"/desk/people/{maria.id}").get_data(as_text=True)
    assert "6 of 9" in case and "before: 8 of 9" in case


def test_add_months_keeps_to_the_end_of_short_months():
    assert queries.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert queries.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert queries.add_months(date(2026, 10, 15), 3) == date(2027, 1, 15)


def test_the_demo_town_has_referrals_at_every_stage(db_session):
    load_demo(today=date(2026, 11, 22))
    org = demo_organisation()
    statuses = sorted(r.status.value for r in db.session.scalars(sa.select(Referral)))
    assert statuses == ["accepted", "accepted", "assessed", "contacted", "declined",
                        "declined", "new", "new"]  # fmt: skip
    rows = {r.source: r for r in queries.funnel(org.id)}
    assert {"pharmacy", "neighbour", "gp", "postal_worker", "social_services",
            "family"} <= set(rows)  # fmt: skip
    assert rows["all"].helped == 2 and rows["all"].median_to_help == 10.5  # 9 and 12 days
    assert len(queries.late(org.id, datetime(2026, 11, 22, 12, tzinfo=UTC))) == 1
    (due,) = queries.remeasure_due(org.id, date(2026, 11, 22))
    assert due.last.score == 9
    assert len(queries.activities(org.id)) == 3


def test_the_referrer_follows_the_stage_on_a_private_link_and_nothing_more(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    maria = make_resident(org, first_name="Maria", last_name="Russo")
    resp = post_form(client, f"/refer/{org.slug}", {**FORM, "source_kind": "pharmacy"})
    thanks = client.get(resp.headers["Location"]).get_data(as_text=True)
    referral = db.session.scalars(sa.select(Referral)).one()
    link = f"/refer/status/{referral.status_token}"
    assert link in thanks
    # Shown once: a reload of the thanks page does not show it again.
    assert link not in client.get(resp.headers["Location"]).get_data(as_text=True)
    stages = []
    for step in ("contacted", "assessed", "accepted"):
        html = client.get(link).get_data(as_text=True)
        stages.append(html.split("Now: ")[1].split(".")[0])
        assert "Maria" not in html and "husband" not in html and "Lucia" not in html
        if step == "accepted":
            operations.link_person(referral, maria)
        operations.move(referral, S(step))
    html = client.get(link).get_data(as_text=True)
    stages.append(html.split("Now: ")[1].split(".")[0])
    assert stages == ["received", "we are in touch with them", "we are in touch with them",
                      "helped"]  # fmt: skip
    assert client.get("/refer/status/not-a-token").status_code == 404
    _login(client, coord)
    assert link in client.get(f"/referrals/{referral.id}").get_data(as_text=True)


def test_the_organisation_sets_the_re_measure_interval(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    db.session.commit()
    _login(client, coord)
    assert 'value="3"' in client.get("/referrals/settings").get_data(as_text=True)
    for bad in ("0", "25", "three", "2.5"):
        resp = post_form(client, "/referrals/settings", {"remeasure_months": bad})
        assert resp.status_code == 200 and 'href="#remeasure_months"' in resp.get_data(as_text=True)
    assert post_form(client, "/referrals/settings", {"remeasure_months": "6"}).status_code == 302
    db.session.expire_all()
    assert settings_for(org.id).remeasure_months == 6


def test_the_desk_lists_who_is_due_a_re_measure(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    maria = make_resident(org, first_name="Maria", last_name="Russo")
    anna = make_resident(org, first_name="Anna", last_name="Bianchi")
    answers = {"companionship": 2, "left_out": 2, "isolated": 2}
    operations.record_measure(maria, coord, answers=answers, direct=None, factors=[],
                              now=utcnow() - timedelta(days=100))  # fmt: skip
    operations.record_measure(anna, coord, answers=answers, direct=None, factors=[],
                              now=utcnow() - timedelta(days=20))  # fmt: skip
    db.session.commit()
    _login(client, coord)
    html = client.get("/desk/").get_data(as_text=True)
    section = html.split('id="remeasure"')[1].split("</section>")[0]
    assert "Maria Russo" in section and "Anna Bianchi" not in section
    assert f"/referrals/people/{maria.id}/measure" in section
