"""One-tap calendar subscriptions instead of a raw feed address in a text box."""

from __future__ import annotations

from html import unescape
from urllib.parse import parse_qs, unquote, urlsplit

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
