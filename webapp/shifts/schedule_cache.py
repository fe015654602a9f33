"""The volunteer's schedule cards, drawn once and served again while nothing on them
changed (as the board's: ``shifts/board_cache.py``).

Volunteers open their schedule many times a day (before a visit: the address, the phone,
the time) and find it as they left it; drawing its cards (dates and times for the
reader, a form or two per card, the resident's details) cost most of the request. So each
web worker keeps them per volunteer, under the board's **stamp** (the count and last id
of the volunteer's ``board_change`` rows, read with the login). Those rows are written
whenever a shift the volunteer holds or its request changes, a seat of it is taken,
given back, confirmed or its times logged (``shifts/board_changes.py``), when the
volunteer files a check-in, and when the resident of a request they hold changes name or
phone (``shifts/candidate_marks.py``). They are also written when the volunteer's board
changes: a superset, the schedule drawn again.

Time changes the cards too: when a listed shift starts, its "I can't make it" gives way to
"Log how it went"; a shift leaves the list some days after it ended (``schedule.py``).
Kept cards go then, and after :data:`LATEST` at most. What is not in the rows is in the
key: the language, the day (dates are written without the year in the current one), the
reader's role. The forms' hidden fields belong to the session: kept as the board's
marker, put back per request. The calendar link and the news are read at each view.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from flask import Flask, current_app
from flask_babel import get_locale
from flask_login import current_user

from webapp.core.kept_pages import KeptPages, kept_pages
from webapp.people.models import Person
from webapp.shifts.board_cache import stamp
from webapp.shifts.candidates import settle

# The longest kept cards are served before they are drawn again, changes or not.
LATEST = timedelta(minutes=10)


def kept(app: Flask | None = None) -> KeptPages:
    """This app's kept schedules."""
    return kept_pages("schedule_cache", app)


def schedule_cards(
    person: Person, now: datetime, render: Callable[[], tuple[str, datetime | None]]
) -> str:
    """The schedule's cards for ``person``: kept ones if nothing they show has changed,
    else ``render()``, which draws them for ``now`` and says when time alone changes
    them next (None: not by itself)."""
    size = int(current_app.config.get("SCHEDULE_CACHE_ENTRIES", 0))
    if size <= 0:
        return render()[0]
    settle()  # changes made earlier in this transaction count
    key = (
        person.created_at,  # ids come back in a new database (tests, a restore)
        current_user.role,
        str(get_locale()),
        date.today(),  # dates are written without the year in the current one
        stamp(person),
    )
    return kept().get_or_draw(person.id, key, now, render, size, LATEST)
