"""Referrals: the public form (no login, consent, spam and flood kept out, never a 500)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import make_org
from tests.helpers import post_form
from tests.referrals.support import FORM, S
from webapp.extensions import db
from webapp.referrals.models import (
    Channel,
    Referral,
)

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
    assert "within two working days" in client.get(resp.headers["Location"]).get_data(as_text=True)


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
