"""The bell on every page, the inbox, preferences, the outbox with retry, whom to phone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident, make_volunteer
from tests.helpers import csrf_from, login, post_form
from webapp.extensions import db
from webapp.notifications.models import Channel, Status
from webapp.notifications.operations import enqueue, preference_for

CTX = {"items": [], "days": 30}


def test_bell_shows_unread_count_on_every_page_and_inbox_marks_read(client, db_session):
    org = make_org()
    vol = make_volunteer(org, email="v@example.org")
    enqueue(vol, "credentials_lapsing", CTX)
    enqueue(vol, "credentials_lapsing", CTX)
    login(client, vol.user.email, PASSWORD)
    for url in ("/notifications/preferences", "/notifications/"):
        html = client.get(url).get_data(as_text=True)
        assert 'class="badge bell-count"' in html and ">2</span>" in html
    html = client.get("/notifications/").get_data(as_text=True)
    client.post("/notifications/read", data={"csrf_token": csrf_from(html)})
    html = client.get("/notifications/").get_data(as_text=True)
    assert "bell-count" not in html


def test_no_bell_for_visitors(client, db_session):
    assert "notifications/" not in client.get("/login").get_data(as_text=True)


def test_preference_saved_and_sms_needs_a_phone_number(client, db_session):
    org = make_org()
    vol = make_volunteer(org, email="v@example.org", phone=None)
    login(client, vol.user.email, PASSWORD)
    resp = post_form(client, "/notifications/preferences", {"channel": "sms"})
    assert resp.status_code == 200
    assert "no mobile number" in resp.get_data(as_text=True)
    resp = post_form(client, "/notifications/preferences", {"channel": "in_app"})
    assert resp.status_code == 302
    assert preference_for(vol) == Channel.IN_APP
    resp = post_form(client, "/notifications/preferences", {"channel": "pigeon"})
    assert "Not a valid choice" in resp.get_data(as_text=True)


def test_outbox_lists_failed_messages_and_retry_requeues(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    vol = make_volunteer(org, email="v@example.org")
    [msg] = enqueue(vol, "credentials_lapsing", CTX)
    msg.status, msg.attempts, msg.last_error = Status.FAILED, 6, "SMTP 127.0.0.1:25: refused"
    other = make_org()
    [foreign] = enqueue(make_volunteer(other, email="x@example.org"), "credentials_lapsing", CTX)
    db.session.flush()
    login(client, coord.email, PASSWORD)
    html = client.get("/notifications/outbox").get_data(as_text=True)
    assert "refused" in html and "x@example.org" not in html
    resp = post_form(
        client, f"/notifications/outbox/{msg.id}/retry", {}, page="/notifications/outbox"
    )
    assert resp.status_code == 302
    assert (msg.status, msg.attempts) == (Status.PENDING, 0)
    resp = post_form(client, f"/notifications/outbox/{foreign.id}/retry", {},
                     page="/notifications/outbox")
    assert resp.status_code == 404


def test_members_cannot_see_the_outbox_or_phone_list(client, db_session):
    org = make_org()
    vol = make_volunteer(org, email="v@example.org")
    login(client, vol.user.email, PASSWORD)
    assert client.get("/notifications/outbox").status_code == 403
    assert client.get("/notifications/to-phone").status_code == 403


def test_to_phone_lists_residents_without_a_channel_until_called(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    res = make_resident(org, email=None, first_name="Ida", last_name="Verdi")
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    [msg] = enqueue(res, "credentials_lapsing", CTX, event_at=tomorrow)
    db.session.flush()
    login(client, coord.email, PASSWORD)
    html = client.get("/notifications/to-phone").get_data(as_text=True)
    assert "Ida Verdi" in html and res.phone in html
    post_form(
        client, f"/notifications/to-phone/{msg.id}/called", {}, page="/notifications/to-phone"
    )
    assert msg.status == Status.SENT
    assert "Ida Verdi" not in client.get("/notifications/to-phone").get_data(as_text=True)
    assert client.get("/notifications/to-phone?day=not-a-date").status_code == 200


def test_the_coordinators_day_view_shows_whom_to_phone(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    res = make_resident(org, email=None, first_name="Nina", last_name="Bianchi")
    login(client, coord.email, PASSWORD)
    assert "Nina Bianchi" not in client.get("/shifts/day").get_data(as_text=True)
    enqueue(res, "credentials_lapsing", CTX, event_at=datetime.now(UTC) + timedelta(hours=2))
    db.session.flush()
    html = client.get("/shifts/day").get_data(as_text=True)
    assert "To phone" in html and "Nina Bianchi" in html and res.phone in html


def test_inbox_shows_when_a_message_came_in_local_time(client, db_session):
    org = make_org()  # Europe/Rome: UTC+1 in winter, +2 in summer
    vol = make_volunteer(org, email="v@example.org")
    (message,) = enqueue(vol, "credentials_lapsing", CTX)
    message.created_at = datetime(2020, 1, 15, 23, 30, tzinfo=UTC)  # 00:30 on the 16th in Rome
    db.session.flush()
    login(client, vol.user.email, PASSWORD)
    html = client.get("/notifications/").get_data(as_text=True)
    assert "Thursday 16 January 2020, 00:30" in html and "UTC" not in html
