"""One-tap calendar subscriptions instead of a raw feed address in a text box."""

from __future__ import annotations

from datetime import UTC, datetime
from html import unescape
from urllib.parse import parse_qs, unquote, urlsplit

import sqlalchemy as sa

from tests.factories import PASSWORD, make_org, make_volunteer
from tests.helpers import login
from webapp.extensions import db
from webapp.shifts.ical import subscribe_links
from webapp.shifts.models import CalendarToken


def test_the_links_point_every_calendar_at_the_same_feed():
    feed = "https://ponte.example.org/shifts/calendar/abc123.ics"
    links = dict(subscribe_links(feed))
    assert links["apple"] == "webcal://ponte.example.org/shifts/calendar/abc123.ics"
    google = urlsplit(links["google"])
    assert google.netloc == "calendar.google.com"
    assert unquote(google.query.removeprefix("cid=")) == links["apple"]
    outlook = parse_qs(urlsplit(links["outlook"]).query)
    assert outlook["url"] == [feed] and outlook["name"] == ["Ponte"]
    # A plain-http deployment still subscribes over webcal, and Outlook gets https.
    assert dict(subscribe_links("http://x.test/f.ics"))["apple"] == "webcal://x.test/f.ics"


def test_my_schedule_offers_the_links(client, db_session):
    org = make_org()
    vol = make_volunteer(org)
    db.session.commit()
    login(client, vol.user.email, PASSWORD)
    html = unescape(client.get("/shifts/mine").get_data(as_text=True))
    token = db.session.query(CalendarToken).one().token
    # Links in pages come from the configured base URL, never from the request's host.
    assert f'href="webcal://ponte.example.org/shifts/calendar/{token}.ics"' in html
    assert "Add to Google Calendar (Android)" in html and "Add to Outlook" in html
    assert "Another calendar: copy the link" in html


def test_two_first_views_at_once_share_one_feed_token(client, db_session, monkeypatch):
    """The schedule makes the volunteer's feed token on its first view. When another
    request inserts it between this one's look-up and its insert (two tabs at once, on
    PostgreSQL where nothing locks), the page uses that token instead of failing."""
    from webapp.shifts import views

    vol = make_volunteer(vol_org := make_org())
    assert vol_org
    login(client, vol.user.email, PASSWORD)

    def the_other_request_wins(n: int) -> str:
        # Called as this request makes its token, after it found none: the other one's
        # insert lands first.
        db.session.execute(
            sa.text("INSERT INTO calendar_token (person_id, token, created_at) "
                    "VALUES (:p, 'the-other-one', :t)"),
            {"p": vol.id, "t": datetime.now(UTC)},
        )  # fmt: skip
        return "this-one"

    monkeypatch.setattr(views.secrets, "token_urlsafe", the_other_request_wins)
    resp = client.get("/shifts/mine")
    assert resp.status_code == 200
    assert "the-other-one" in resp.get_data(as_text=True)
    assert db.session.get(CalendarToken, vol.id).token == "the-other-one"
