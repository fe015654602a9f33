"""Referrals over time: the first help, the funnel and its report, the re-measure and
when it falls due, the referrer's private link, the demo town's referrals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from tests.factories import make_coordinator, make_org, make_resident, make_volunteer
from tests.helpers import post_form
from tests.referrals.support import FORM, S, login_as, submit_referral
from tests.shifts.builders import make_request, shifts_of, visit_draft
from webapp.db import utcnow
from webapp.demo.loader import demo_organisation, load_demo
from webapp.extensions import db
from webapp.orgs.settings import settings_for
from webapp.referrals import operations, queries
from webapp.referrals.models import (
    Referral,
)
from webapp.shifts import operations as shift_ops

# --- times and the report --------------------------------------------------------------------


def test_the_first_visit_done_is_the_first_help(db_session):
    org = make_org()
    coord = make_coordinator(org)
    maria = make_resident(org)
    referral = submit_referral(org, now=utcnow() - timedelta(days=10))
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
    a = submit_referral(org, source_kind="pharmacy", now=_at(2))
    operations.move(a, S.CONTACTED, _at(3))
    operations.move(a, S.ASSESSED, _at(4))
    operations.move(a, S.ACCEPTED, _at(5))
    a.first_help_at = _at(9)
    b = submit_referral(org, source_kind="pharmacy", now=_at(2))
    operations.move(b, S.CONTACTED, _at(5))
    operations.decline(b, "unreachable", None, _at(20))
    c = submit_referral(org, source_kind="neighbour", now=_at(10))
    operations.move(c, S.CONTACTED, _at(12))
    c.first_help_at = _at(21)
    submit_referral(org, source_kind="neighbour", now=_at(11))
    submit_referral(org, source_kind="gp", now=_at(12))
    submit_referral(make_org(), source_kind="gp", now=_at(12))  # another organisation's
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
    submit_referral(org, source_kind="pharmacy", now=utcnow() - timedelta(days=8))
    db.session.commit()
    login_as(client, coord)
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
    login_as(client, coord)
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
    login_as(client, coord)
    assert link in client.get(f"/referrals/{referral.id}").get_data(as_text=True)


def test_the_organisation_sets_the_re_measure_interval(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    db.session.commit()
    login_as(client, coord)
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
    login_as(client, coord)
    html = client.get("/desk/").get_data(as_text=True)
    section = html.split('id="remeasure"')[1].split("</section>")[0]
    assert "Maria Russo" in section and "Anna Bianchi" not in section
    assert f"/referrals/people/{maria.id}/measure" in section
