"""Issue 14, defect 5 (second half): every date a person reads shows weekday, day, month,
and the year when it is not this year, in the reader's language (core/dates.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import force_locale

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident, make_user
from tests.helpers import login
from tests.shifts.builders import make_request, visit_draft
from webapp.core.dates import far_ahead, reader_date, reader_datetime
from webapp.extensions import db
from webapp.notifications.operations import render_message

ROME = ZoneInfo("Europe/Rome")
THIS_YEAR = date.today().year


def test_the_helper_in_both_languages(app):
    with app.test_request_context():
        sat = date(THIS_YEAR + 4, 12, 7)
        while sat.weekday() != 5:
            sat += timedelta(days=1)
        assert reader_date(sat) == f"Saturday {sat.day} December {sat.year}"
        same = date(THIS_YEAR, 1, 1)
        assert str(THIS_YEAR) not in reader_date(same)
        with force_locale("it"):
            assert reader_date(sat) == f"sabato {sat.day} dicembre {sat.year}"
            assert reader_date(sat, short=True).startswith("sab ")
        moment = datetime(sat.year, sat.month, sat.day, 9, 30, tzinfo=UTC)
        assert reader_datetime(moment, ROME).endswith(", 10:30")
    assert far_ahead(date.today() + timedelta(days=400))
    assert not far_ahead(date.today() + timedelta(days=300))


def test_an_italian_resident_reads_italian_weekdays_and_the_year(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    maria = make_resident(org)
    user = make_user(org, person=maria)
    user.locale = "it"
    day = date(THIS_YEAR + 1, 3, 1) if date.today().month >= 11 else None
    draft = visit_draft(day, confirm_far_date=True) if day else visit_draft()
    make_request(org, draft, resident=maria, actor=coord)
    db.session.commit()
    assert login(client, user.email, PASSWORD).status_code == 302
    html = client.get("/requests/mine").get_data(as_text=True)
    italian = ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica")
    english = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    assert any(w in html for w in italian)
    assert not any(w in html for w in english)
    if day:
        assert f"marzo {day.year}" in html  # next year: the year is shown


def test_a_message_about_another_year_says_the_year(app):
    later = datetime(THIS_YEAR + 4, 12, 7, 9, 0, tzinfo=UTC)
    shift = {
        "kind": "visit", "starts_at": later, "ends_at": later + timedelta(hours=1),
        "start_address": "Via Roma 1",
    }  # fmt: skip
    with app.test_request_context():
        _subject, body = render_message(
            "shift_reopened", {"shift": shift, "volunteer_name": "Gino"}, "it", "Europe/Rome"
        )
    assert f"dicembre {THIS_YEAR + 4}, 10:00" in body  # was "sabato 7 dicembre, 10:00"
