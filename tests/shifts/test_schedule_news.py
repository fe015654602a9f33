"""The schedule's news (the unread messages about shifts) and its calendar link come with
the login's statement (notifications/queries.unread_of_login, shifts/ical.py): a visit that
finds no news sends no statement to look for them, and a changed link shows at once."""

from __future__ import annotations

from flask import g

from tests.factories import PASSWORD, make_org, make_volunteer
from tests.helpers import csrf_token, login
from webapp.auth.models import User
from webapp.extensions import db
from webapp.notifications.models import Channel, Notification, Status
from webapp.notifications.queries import unread
from webapp.shifts.models import CalendarToken
from webapp.shifts.views import SHIFT_NEWS


def _message(org_id: int, person_id: int, kind: str, subject: str, **fields: object) -> None:
    db.session.add(
        Notification(
            organisation_id=org_id, person_id=person_id, kind=kind, locale="en",
            subject=subject, body="b", **{"channel": Channel.IN_APP, **fields},
        )
    )  # fmt: skip


def _volunteer(client):  # type: ignore[no-untyped-def]
    org = make_org()
    vol = make_volunteer(org, email="v@example.org")
    db.session.commit()
    login(client, vol.user.email, PASSWORD)
    return org, vol


def test_the_news_are_the_unread_messages_about_shifts(client, db_session):
    org, vol = _volunteer(client)
    _message(org.id, vol.id, "shift_approved", "Your visit on Monday is confirmed")
    _message(org.id, vol.id, "volunteer_reminder", "Tomorrow: a visit")
    db.session.commit()
    html = client.get("/shifts/mine").get_data(as_text=True)
    assert "News about your shifts" in html
    assert "Your visit on Monday is confirmed" in html
    assert "Tomorrow: a visit" not in html  # in the bell, not among the news
    resp = client.post(
        "/shifts/notices/read", data={"csrf_token": csrf_token(client, "/shifts/mine")}
    )
    assert resp.status_code == 302
    assert "News about your shifts" not in client.get("/shifts/mine").get_data(as_text=True)
    reminder = db.session.query(Notification).filter_by(kind="volunteer_reminder").one()
    assert reminder.read_at is None


def test_no_news_no_statement_and_the_link_with_the_login(client, db_session, count_queries):
    """The bell rings (a reminder), but nothing about shifts is unread: the schedule
    sends the login's statement and, at most, its cards' (kept between visits)."""
    org, vol = _volunteer(client)
    _message(org.id, vol.id, "volunteer_reminder", "Tomorrow: a visit")
    db.session.commit()
    client.get("/shifts/mine")  # the first visit makes the calendar link
    token = db.session.query(CalendarToken).one().token
    db.session.commit()
    with count_queries() as q:
        html = client.get("/shifts/mine").get_data(as_text=True)
    assert f"/shifts/calendar/{token}.ics" in html
    alone = [s for s in q if "login_session" not in s]
    assert not [s for s in alone if "FROM notification" in s or "FROM calendar_token" in s], q
    assert len(q) <= 2, q


def test_a_new_calendar_link_shows_at_once(client, db_session):
    org, vol = _volunteer(client)
    client.get("/shifts/mine")
    old = db.session.query(CalendarToken).one().token
    db.session.commit()
    resp = client.post(
        "/shifts/calendar/reset", data={"csrf_token": csrf_token(client, "/shifts/mine")}
    )
    assert resp.status_code == 302
    db.session.expire_all()
    new = db.session.query(CalendarToken).one().token
    assert new != old
    html = client.get("/shifts/mine").get_data(as_text=True)
    assert f"/shifts/calendar/{new}.ics" in html and old not in html


def test_the_login_counts_the_same_news_as_the_list(client, db_session):
    """The figure counts what :func:`unread` lists: not a guardian's copy, a call a
    coordinator makes, a cancelled or a read message, another kind or another person."""
    org, vol = _volunteer(client)
    other = make_volunteer(org, email="o@example.org")
    for kind in SHIFT_NEWS:
        _message(org.id, vol.id, kind, kind)
    _message(org.id, vol.id, "shift_changed", "copy", is_guardian_copy=True)
    _message(org.id, vol.id, "shift_changed", "call", channel=Channel.PHONE)
    _message(org.id, vol.id, "shift_changed", "gone", status=Status.CANCELLED)
    _message(org.id, vol.id, "shift_changed", "read", read_at=db.func.now())
    _message(org.id, vol.id, "shift_thanks", "thanks")
    _message(org.id, other.id, "shift_changed", "not hers")
    db.session.commit()
    with client:
        client.get("/shifts/mine")
        figures = g.login_figures[0]
    user = db.session.get(User, vol.user.id)
    assert figures["shift_news"] == len(unread(user, SHIFT_NEWS)) == len(SHIFT_NEWS)
