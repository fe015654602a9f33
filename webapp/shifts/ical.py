"""A volunteer's personal iCalendar feed (subscribed to by a phone's calendar app)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from urllib.parse import quote, urlencode

import sqlalchemy as sa
from flask_babel import gettext as _
from icalendar import Calendar, Event

from webapp.auth.sessions import add_login_figure, login_person_id
from webapp.core.locks import begin_write
from webapp.db import utcnow
from webapp.extensions import db
from webapp.shifts.models import Assignment, CalendarToken, Shift, ShiftKind, ShiftStatus
from webapp.shifts.presenters import REVEALED_TO_VOLUNTEER
from webapp.shifts.transitions import HOLDING


def _title(shift: Shift) -> str:
    resident = shift.request.resident if shift.request else None
    name = resident.first_name if resident and shift.status in REVEALED_TO_VOLUNTEER else None
    if shift.kind == ShiftKind.VISIT:
        return _("Visit to %(name)s", name=name) if name else _("Visit")
    label = _("Ride (outbound)") if shift.kind == ShiftKind.RIDE_OUT else _("Ride (return)")
    return f"{label}: {name}" if name else label


def calendar_for(person_id: int) -> bytes:
    """Shifts the person holds from 30 days ago on. Address and phone only once approved;
    claimed ones are TENTATIVE."""
    since = utcnow() - timedelta(days=30)
    shifts = db.session.scalars(
        sa.select(Shift)
        .join(Assignment, Assignment.shift_id == Shift.id)
        .where(
            Assignment.volunteer_id == person_id,
            Shift.ends_at > since,
            Shift.status.in_(tuple(HOLDING) + (ShiftStatus.COMPLETED,)),
        )
        .order_by(Shift.starts_at)
    ).all()
    cal = Calendar()
    cal.add("prodid", "-//Ponte//shifts//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Ponte")
    for shift in shifts:
        ev = Event()
        ev.add("uid", f"shift-{shift.id}@ponte")
        ev.add("dtstamp", shift.updated_at)
        ev.add("dtstart", shift.starts_at)
        ev.add("dtend", shift.ends_at)
        ev.add("summary", _title(shift))
        revealed = shift.status in REVEALED_TO_VOLUNTEER
        ev.add("status", "CONFIRMED" if revealed else "TENTATIVE")
        if revealed:
            ev.add("location", shift.start_address)
            resident = shift.request.resident if shift.request else None
            lines = []
            if resident and resident.phone:
                lines.append(_("Phone: %(phone)s", phone=resident.phone))
            if shift.request and shift.request.notes:
                lines.append(shift.request.notes)
            if lines:
                ev.add("description", "\n".join(lines))
        else:
            ev.add("location", shift.neighbourhood or "")
        cal.add_component(ev)
    return cal.to_ical()


# Built once: read at every view of the schedule.
_TOKEN = sa.select(CalendarToken.token).where(CalendarToken.person_id == sa.bindparam("person_id"))


def _token_of_login() -> sa.ScalarSelect[str | None]:
    return (
        sa.select(CalendarToken.token)
        .where(CalendarToken.person_id == login_person_id())
        .scalar_subquery()
    )


# Read with the login (the schedule shows the feed's link on every visit): a statement
# fewer. NULL until the first visit makes one.
add_login_figure("feed_token", _token_of_login)


def feed_token(person_id: int) -> str:
    """The person's feed token, made on first use (afterwards one read by key)."""
    found = db.session.scalar(_TOKEN, {"person_id": person_id})
    return found if found is not None else token_row(person_id).token


def token_row(person_id: int) -> CalendarToken:
    """The person's feed token's row, made if there is none."""
    row = db.session.get(CalendarToken, person_id)
    if row is None:
        # A write on a page view: on SQLite take the write lock first, or a concurrent
        # writer makes this read transaction fail to upgrade ("database is locked").
        begin_write(CalendarToken)
        row = db.session.get(CalendarToken, person_id)
    if row is None:
        token = secrets.token_urlsafe(32)
        try:
            # Two first views at once (two tabs, a double tap) both find no token on
            # PostgreSQL, where begin_write takes no lock: the second insert loses and
            # reads the winner's token instead of failing the page.
            with db.session.begin_nested():
                row = CalendarToken(person_id=person_id, token=token)
                db.session.add(row)
        except sa.exc.IntegrityError:
            row = db.session.get(CalendarToken, person_id, populate_existing=True)
            assert row is not None
    return row


def subscribe_links(feed_url: str) -> list[tuple[str, str]]:
    """One-tap subscriptions to the private feed for the common phone calendars:
    ``(calendar, link)``. Apple's (iPhone, iPad, Mac) and most Android calendar apps open
    ``webcal://``; Google and Outlook take the feed in their own "add from URL" pages."""
    webcal = "webcal://" + feed_url.split("://", 1)[-1]
    https = "https://" + feed_url.split("://", 1)[-1]
    return [
        ("apple", webcal),
        ("google", "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe="")),
        (
            "outlook",
            "https://outlook.live.com/calendar/0/addfromweb?"
            + urlencode({"url": https, "name": "Ponte"}),
        ),
    ]
