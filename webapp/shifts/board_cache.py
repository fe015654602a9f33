"""The volunteer's board, rendered once and served again while nothing on it changed.

The board is the page volunteers open most, and most views find it as they left it:
rendering fifty cards (dates and times formatted for the reader, a form per card) and
loading the shifts behind them cost far more than the rest of the request. So each web
worker keeps the rendered cards per volunteer with a **stamp**: the count and last id
of the ``board_change`` rows written for that volunteer whenever something their board
shows changes (``shifts/board_changes.py``: a shift or a request edited, a seat taken or
given back, the candidates worked out again). One index read tells whether the kept
cards are still true, in this worker or any other, whatever process made the change; no
invalidation message has to reach anyone. Time also changes a board (a shift starts and
leaves it, a later one enters the window): kept cards go when their soonest shift
starts, and after :data:`LATEST` at most.

What is not in those rows is in the key: the volunteer's own place (distances), the
language, the day (dates are written without the year in the current one). The
organisation's settings and time zone are not: changing them tells every board.
The CSRF fields of each card's form belong to the session, so the cards are kept with a
marker put back per request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from webapp.auth.sessions import add_login_figure, login_figures, login_person_id
from webapp.core.kept_pages import KeptPages, kept_pages
from webapp.extensions import db
from webapp.people.models import Person
from webapp.shifts.candidates import reach, settle
from webapp.shifts.models import BoardChange

# Stands for the form's hidden fields in the kept cards (an HTML comment: nothing a
# shift's text can produce, since every text is escaped).
FORM_FIELDS = Markup("<!--ponte:form-fields-->")
# The longest a kept board is served before it is drawn again, changes or not.
LATEST = timedelta(minutes=10)


def stamp(person: Person) -> tuple[int, int | None]:
    """How many changes the volunteer's board was told of, and the last one's id
    (``shifts/board_changes.py``): one index read. A count as well as the last id,
    because two transactions may commit their rows out of id order. The signed-in
    volunteer's own come with the login (:func:`_login_count`), unless this request
    wrote since."""
    if person.id == getattr(current_user, "person_id", None):
        found = login_figures("board_changes", "board_last")
        if found is not None:
            return int(found[0]), found[1]
    row = db.session.execute(
        sa.select(sa.func.count(BoardChange.id), sa.func.max(BoardChange.id)).where(
            BoardChange.person_id == person.id
        )
    ).one()
    return int(row[0]), row[1]


def _login_count() -> sa.ScalarSelect[int]:
    mine = BoardChange.person_id == login_person_id()
    return sa.select(sa.func.count(BoardChange.id)).where(mine).scalar_subquery()


def _login_last() -> sa.ScalarSelect[int | None]:
    mine = BoardChange.person_id == login_person_id()
    return sa.select(sa.func.max(BoardChange.id)).where(mine).scalar_subquery()


# Read with every login: an index probe in the database (none for a login without a
# person), a statement fewer on the board, the page volunteers open most.
add_login_figure("board_changes", _login_count)
add_login_figure("board_last", _login_last)


def kept(app: Flask | None = None) -> KeptPages:
    """This app's kept boards."""
    return kept_pages("board_cache", app)


def board_cards(
    person: Person, now: datetime, render: Callable[[], tuple[str, datetime | None]]
) -> str:
    """The board's cards for ``person``: kept ones if nothing they show has changed,
    else ``render()``, which draws them for ``now`` and says when the soonest card
    starts (it leaves the board then). The form's fields are :data:`FORM_FIELDS`."""
    size = int(current_app.config.get("BOARD_CACHE_ENTRIES", 0))
    if size <= 0 or reach(person) is None:
        return render()[0]
    settle()  # changes made earlier in this transaction count
    key = (
        person.created_at,  # ids come back in a new database (tests, a restore)
        person.lat,
        person.lon,
        str(get_locale()),
        date.today(),  # dates are written without the year in the current one
        stamp(person),
    )
    # Shifts starting later come into the board's window as time passes: drawn again
    # :data:`LATEST` after at most (they start weeks ahead).
    return kept().get_or_draw(person.id, key, now, render, size, LATEST)
